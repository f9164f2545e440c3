"""Calendar years in the agency's time zone: what "in 2026" means for a completion."""

from __future__ import annotations

from datetime import date, datetime

from lms.i18n import utc_span


def year_days(year: int) -> tuple[date, date]:
    """Return the first and last day of year."""
    return date(year, 1, 1), date(year, 12, 31)


def year_moments(year: int) -> tuple[datetime, datetime]:
    """Return the UTC moments where year starts and the next one starts, in the agency's zone."""
    return utc_span(*year_days(year))
