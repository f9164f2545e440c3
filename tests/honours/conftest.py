"""Honour-board fixtures: the nomination agency of 2024, whose HCTH unit is renamed in 2025."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from lms.db import db
from lms.honours import services
from lms.honours.models import HonourBoard
from lms.org import services as org
from tests.nominations.conftest import Agency, agency  # noqa: F401  (the agency fixture)

OLD_OFFICE_NAME = "Phòng Hành chính - Tổng hợp"
NEW_OFFICE_NAME = "Văn phòng Sở"


@dataclass
class World:
    agency: Agency
    board: HonourBoard


@pytest.fixture
def world(agency) -> World:  # noqa: F811
    """Mai and Bình consent, An does not; a 2024 board (unpublished, empty).

    The HCTH office (Mai's unit at the end of 2024) is renamed on 1 July 2025, so the 2024
    board must still show its 2024 name.
    """
    org.rename_unit(agency.office, NEW_OFFICE_NAME, date(2025, 7, 1))
    agency.mai.email = "mai@example.vn"
    services.set_consent(agency.mai, True)
    services.set_consent(agency.binh, True)
    board = services.create_board(
        title="Vinh danh năm 2024",
        first="01/01/2024",
        last="31/12/2024",
        created_by=agency.hcth,
    )
    db.session.commit()
    return World(agency, board)
