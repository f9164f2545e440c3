"""How the served app starts (wsgi.py): the garbage collector is paused while the app is built,
then the start is frozen and the collector is on again for the requests, its youngest generation
collected less often; the libraries only some commands use are not imported."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.deploy

# Imported by the commands and pages that use them, not by every start (on SQLite): alembic
# (with mako and pygments) by the `flask db` commands and a backup's restore, psycopg by a
# PostgreSQL database, Pillow by a baked badge. Together about 0.2 s of a start.
LATER = ("flask_migrate", "alembic", "mako", "pygments", "psycopg", "PIL")

# Prints, on its last line: whether the collector is on, how many objects are frozen, how many
# collections ran while wsgi was imported, what the import raised, which of LATER it and a
# first page loaded, the youngest generation's threshold, and how many collections a page of
# many short-lived objects set off.
REPORT = f"""
import gc, sys
sys.path.insert(0, {str(ROOT)!r})
runs = []
def counted(phase, info):
    if phase == "start":
        runs.append(info["generation"])
gc.callbacks.append(counted)
try:
    import wsgi
    raised = "-"
except ValueError:
    raised = "ValueError"
gc.callbacks.clear()
enabled, frozen = gc.isenabled(), gc.get_freeze_count()
if raised == "-":  # and a page, as a worker serves one
    assert wsgi.app.test_client().get("/login").status_code == 200
loaded = [name for name in {LATER!r} if name in sys.modules]
threshold, start_runs = gc.get_threshold()[0], len(runs)
runs.clear()
gc.callbacks.append(counted)
held = [(n, [n], {{n: n}}) for n in range(15_000)]  # a page's rows, held until written
gc.callbacks.clear()
print(enabled, frozen, start_runs, raised, ",".join(loaded) or "-", threshold, len(runs))
"""


FIELDS = ("enabled", "frozen", "collections", "raised", "loaded", "young", "page")


def start(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {
        **os.environ,
        "LMS_DATABASE_URL": f"sqlite:///{tmp_path / 'start.sqlite3'}",
        "LMS_SECRET_KEY": "a-secret-key-for-the-start-test-only",
        **settings,
    }
    found = subprocess.run(
        [sys.executable, "-c", REPORT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert found.returncode == 0, found.stderr
    return dict(zip(FIELDS, found.stdout.splitlines()[-1].split(), strict=True))


def test_the_app_is_built_without_collections_then_frozen_with_the_collector_on(tmp_path):
    found = start(tmp_path)
    assert found["raised"] == "-"
    # The collector's passes over the start's objects cost a third of it, and freed nothing:
    # about 390 of them. One may run while Python reads wsgi.py itself, before it pauses them.
    assert int(found["collections"]) <= 2
    # Left off, every cycle a request makes would stay in memory for the worker's life.
    assert found["enabled"] == "True"
    # Everything built at the start (modules, mapped classes): hundreds of thousands of objects.
    assert int(found["frozen"]) > 50_000


def test_a_start_that_fails_leaves_the_collector_on_and_nothing_frozen(tmp_path):
    found = start(tmp_path, LMS_SESSION_HOURS="x")
    assert found["raised"] == "ValueError"
    assert found["enabled"] == "True"
    assert found["frozen"] == "0"
    assert found["young"] == str(gc.get_threshold()[0])  # Python's own, as before the start


def test_the_requests_collect_the_youngest_objects_less_often(tmp_path):
    found = start(tmp_path)
    # A dashboard's 500 people make tens of thousands of objects, most of them freed at once;
    # those still held were walked again at every 700 new ones (45,000 here: about 64 passes).
    assert int(found["young"]) >= 10_000
    assert int(found["page"]) <= 3


def test_a_start_and_a_page_on_sqlite_leave_the_migration_and_image_libraries_unimported(
    tmp_path,
):
    found = start(tmp_path)
    assert found["raised"] == "-"
    assert found["loaded"] == "-"
