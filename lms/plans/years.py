"""Calendar years in the agency's time zone: what "in 2026" means for a completion."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app

from lms.i18n import local_today  # noqa: F401  (plans import it from here)


def agency_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def year_days(year: int) -> tuple[date, date]:
    """Return the first and last day of year."""
    return date(year, 1, 1), date(year, 12, 31)


def year_moments(year: int) -> tuple[datetime, datetime]:
    """Return the UTC moments where year starts and the next one starts, in the agency's zone."""
    zone = agency_zone()
    start = datetime.combine(date(year, 1, 1), time(), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(date(year + 1, 1, 1), time(), tzinfo=zone).astimezone(UTC)
    return start, end


def local_day(moment: datetime) -> date:
    return moment.astimezone(agency_zone()).date()
