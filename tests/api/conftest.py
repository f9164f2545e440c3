"""The reports fixture, shared with the API tests."""

from tests.reports.conftest import agency  # noqa: F401
