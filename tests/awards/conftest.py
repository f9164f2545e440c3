"""Helpers shared by the awards tests: a “Công dân học tập” set built through the service."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from lms.awards import services
from lms.awards.criteria import CriteriaSpec, CriterionSpec, IndicatorSpec
from lms.db import db

D = Decimal


def citizen_spec(name: str = "Công dân học tập 2025") -> CriteriaSpec:
    return CriteriaSpec(
        None,
        name,
        date(2025, 1, 1),
        date(2025, 12, 31),
        (
            CriterionSpec("plan_approved"),
            CriterionSpec(
                "points",
                threshold=D(80),
                indicators=(
                    IndicatorSpec(None, "Tự học", D(60), D(5), "hours"),
                    IndicatorSpec(None, "Ý thức, thái độ", D(30), D(5), "manual"),
                    IndicatorSpec(None, "Sáng kiến", D(10), D(0), "initiatives", target=1),
                ),
            ),
        ),
    )


@pytest.fixture
def make_set(app):
    def make(spec: CriteriaSpec | None = None):
        saved = services.save_set(None, spec or citizen_spec())
        db.session.commit()
        return saved

    return make


def manual_indicator(criteria_set):
    return next(i for c in criteria_set.criteria for i in c.indicators if i.source == "manual")
