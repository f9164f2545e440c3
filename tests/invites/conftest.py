"""A division with sub-unit, people just imported (no password) and an administrator."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from lms.accounts.models import Person
from lms.db import db
from lms.org.models import Unit
from lms.roles import Role
from tests.factories import make_person, make_unit


@dataclass
class Division:
    unit: Unit
    sub: Unit
    other: Unit
    admin: Person
    an: Person  # Trần Văn An, in the division
    binh: Person  # Nguyễn Thị Bình, in the sub-unit, with an e-mail address
    anh: Person  # Lê Anh, in the division
    old_hand: Person  # has a password: not waiting
    outsider: Person  # in another unit


@pytest.fixture
def division(app) -> Division:
    unit = make_unit("P01", "Phòng Tổ chức")
    sub = make_unit("P01A", "Tổ Văn thư", parent=unit)
    other = make_unit("P02", "Phòng Kế hoạch")
    world = Division(
        unit=unit,
        sub=sub,
        other=other,
        admin=make_person("quantri", "Phạm Quản Trị", roles=(Role.ADMIN,)),
        an=make_person("tvan", "Trần Văn An", unit=unit, password=None),
        binh=make_person(
            "ntbinh", "Nguyễn Thị Bình", unit=sub, password=None, email="binh@example.vn"
        ),
        anh=make_person("lanh", "Lê Anh", unit=unit, password=None),
        old_hand=make_person("cuong", "Đỗ Văn Cường", unit=unit),
        outsider=make_person("khac", "Vũ Thị Khác", unit=other, password=None),
    )
    db.session.commit()
    return world
