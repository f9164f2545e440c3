"""How the served app starts (wsgi.py): the garbage collector is paused while the app is built,
then the start is frozen and the collector is on again for the requests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.deploy

REPORT = """
import gc
import wsgi
print(gc.isenabled(), gc.get_freeze_count(), wsgi.app.name)
"""


def test_the_served_app_starts_frozen_with_the_collector_on(tmp_path):
    env = {
        **os.environ,
        "LMS_DATABASE_URL": f"sqlite:///{tmp_path / 'start.sqlite3'}",
        "LMS_SECRET_KEY": "a-secret-key-for-the-start-test-only",
    }
    found = subprocess.run(
        [sys.executable, "-c", REPORT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    enabled, frozen, name = found.stdout.split()
    # Left off, every cycle a request makes would stay in memory for the worker's life.
    assert enabled == "True"
    # Everything built at the start (modules, mapped classes): tens of thousands of objects.
    assert int(frozen) > 50_000
    assert name == "lms"
