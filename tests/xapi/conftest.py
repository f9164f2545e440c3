"""xAPI fixtures: the platform's public address, a learner's journey, the LRSs to send to."""

from __future__ import annotations

import os

import pytest

from tests.conftest import ON_CI, is_postgres
from tests.xapi import lrs
from tests.xapi.journey import study

HOME = "http://lms.test"


@pytest.fixture
def home(app):
    """The platform's public address; xAPI names learners and activities under it."""
    app.config.update(PUBLIC_URL=HOME + "/", XAPI_HOME_PAGE="")
    return HOME


@pytest.fixture
def journey(app, client, login, home, tmp_path):
    return study(client, login, tmp_path / "courses")


@pytest.fixture
def fake_lrs(app, home):
    """A stand-in LRS, set as the endpoint."""
    store = lrs.FakeStore()
    server, endpoint = store.serve()
    app.config.update(XAPI_ENDPOINT=endpoint, XAPI_KEY=lrs.KEY, XAPI_SECRET=lrs.SECRET)
    yield store
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def ralph_server(tmp_path_factory):
    """Ralph, the real LRS, for the run: its own venv (make .venv-ralph/.installed)."""
    if is_postgres(os.environ.get("LMS_TEST_DATABASE_URL", "")):
        pytest.skip("Ralph's tests run once, in the SQLite pass; the queue's SQL is tested here")
    if not lrs.RALPH_PYTHON.exists():
        if ON_CI:
            pytest.fail("CI must run the LRS tests: make .venv-ralph/.installed")
        pytest.skip("no .venv-ralph: `make .venv-ralph/.installed` installs Ralph, the LRS")
    server = lrs.start_ralph(tmp_path_factory.mktemp("ralph"))
    yield server
    lrs.stop(server)


@pytest.fixture
def ralph(app, home, ralph_server, request):
    """Ralph set as the endpoint, with a home page of this test's own (LMS_XAPI_HOME_PAGE): the
    run shares one Ralph, and the ids of what it keeps derive from the home page."""
    app.config.update(
        XAPI_HOME_PAGE=f"http://{request.node.name.replace('_', '-')[:50]}.lms.test",
        XAPI_ENDPOINT=ralph_server.endpoint,
        XAPI_KEY=lrs.KEY,
        XAPI_SECRET=lrs.SECRET,
    )
    return ralph_server
