"""The credible-completion rule and the signed page stamp engaged time is measured against.

A lesson without a quiz counts as studied only after engaged time of a share of its declared
minutes, from the day an administrator chose; a completion far below the nominal time is
flagged for the manager. The rule in force is the newest row of learning_rule.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.db import db
from lms.learning.models import LearningRule

DEFAULT_MIN_SHARE_PERCENT = 50
DEFAULT_FLAG_SHARE_PERCENT = 20


@dataclass(frozen=True)
class CredibleRule:
    """The rule as it applies; without a start day (never set) it is not in force."""

    min_share_percent: int = DEFAULT_MIN_SHARE_PERCENT
    flag_share_percent: int = DEFAULT_FLAG_SHARE_PERCENT
    starts_on: date | None = None

    def is_in_force(self, day: date) -> bool:
        return self.starts_on is not None and day >= self.starts_on

    def required_seconds(self, minutes: int) -> int:
        """Return the engaged seconds a lesson of minutes needs under this rule."""
        return math.ceil(minutes * 60 * self.min_share_percent / 100)


def rule_history() -> list[LearningRule]:
    """Return every version of the rule, newest (the one in force) first."""
    return list(
        db.session.scalars(
            select(LearningRule)
            .options(selectinload(LearningRule.created_by))
            .order_by(LearningRule.id.desc())
        )
    )


def credible_rule() -> CredibleRule:
    """Return the rule in force: the newest one saved, else the defaults (not in force)."""
    row = db.session.scalar(select(LearningRule).order_by(LearningRule.id.desc()).limit(1))
    if row is None:
        return CredibleRule()
    return CredibleRule(row.min_share_percent, row.flag_share_percent, row.starts_on)


# The page stamp -------------------------------------------------------------------------------
#
# A lesson page carries "<view>.<served at>.<signature>": a random id of this page view, the
# second it was served, signed with the app's secret and bound to the lesson. Time sent with a
# form or a beacon is counted only within the time since the page was served, across all the
# events of that view; without a valid stamp nothing is counted. So a learner without
# JavaScript gets the time between the page being served and the form being sent, and nobody
# can claim more time than the page was open.


def _signature(view: str, served: int, lesson_id: int, purpose: str = "lesson-page") -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"{purpose}:{view}.{served}.{lesson_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def page_stamp(lesson_id: int, served_at: datetime, purpose: str = "lesson-page") -> str:
    """Return a new stamp for a page of the lesson served at served_at (or, with another
    purpose, of another thing shown: a review card, whose id is then lesson_id)."""
    view = secrets.token_hex(8)
    served = int(served_at.timestamp())
    return f"{view}.{served}.{_signature(view, served, lesson_id, purpose)}"


@dataclass(frozen=True)
class PageView:
    id: str
    seconds_open: int  # since the page was served


def read_stamp(
    stamp: str | None, lesson_id: int, now: datetime, purpose: str = "lesson-page"
) -> PageView | None:
    """Return the page view a stamp names, if it is genuine and for this lesson (or thing)."""
    parts = (stamp or "").strip().split(".")
    if len(parts) != 3 or len(parts[0]) != 16 or not parts[1].isascii() or not parts[1].isdigit():
        return None
    view, served, signature = parts[0], int(parts[1]), parts[2]
    if not hmac.compare_digest(signature, _signature(view, served, lesson_id, purpose)):
        return None
    return PageView(id=view, seconds_open=max(0, int(now.timestamp()) - served))
