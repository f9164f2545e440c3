"""Learning Record Stores for the tests: Ralph (the real one, in .venv-ralph) started on a free
port, a small stand-in that can refuse chosen statements, and a reader of what a store holds."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RALPH_PYTHON = ROOT / ".venv-ralph" / "bin" / "python"
KEY, SECRET = "lms", "bi-mat-lrs"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def closed_endpoint() -> str:
    """An address where nothing listens: an LRS that is down."""
    return f"http://127.0.0.1:{free_port()}/xAPI"


@dataclass
class Ralph:
    endpoint: str  # the xAPI base: <endpoint>/statements
    process: subprocess.Popen
    log: Path


def start_ralph(folder: Path) -> Ralph:
    """Start Ralph with its file-system backend in folder, one account (KEY, SECRET); its app
    from ralph_app.py, which makes the backend keep every POST (see there)."""
    hashed = subprocess.run(
        [
            str(RALPH_PYTHON),
            "-c",
            "import bcrypt, sys; "
            "print(bcrypt.hashpw(sys.argv[1].encode(), bcrypt.gensalt(4)).decode())",
            SECRET,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    auth = [
        {
            "username": KEY,
            "hash": hashed,
            "scopes": ["all"],
            "agent": {"account": {"name": KEY, "homePage": "http://lms.test"}},
        }
    ]
    (folder / "auth.json").write_text(json.dumps(auth), encoding="utf-8")
    port = free_port()
    env = {
        **os.environ,
        "RALPH_RUNSERVER_BACKEND": "fs",
        "RALPH_AUTH_FILE": str(folder / "auth.json"),
        "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(folder),
        "RALPH_BACKENDS__DATA__FS__DEFAULT_DIRECTORY_PATH": str(folder),
    }
    log = folder / "ralph.log"
    with log.open("wb") as output:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [str(RALPH_PYTHON), "-m", "uvicorn", "ralph_app:app", "--app-dir", str(HERE)]
            + ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Ralph stopped: {log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(base + "/__heartbeat__", timeout=2) as response:
                if response.status == 200:
                    return Ralph(base + "/xAPI", process, log)
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"Ralph did not start in 60 s: {log.read_text(errors='replace')}")


def stop(ralph: Ralph) -> None:
    ralph.process.terminate()
    try:
        ralph.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        ralph.process.kill()
        ralph.process.wait()


def _get(url: str) -> dict[str, Any]:
    credentials = base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
    request = urllib.request.Request(
        url,
        headers={"Authorization": f"Basic {credentials}", "X-Experience-API-Version": "1.0.3"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def stored(endpoint: str) -> list[dict[str, Any]]:
    """Every statement the LRS holds, read through its own xAPI API (following `more`)."""
    origin = endpoint.rsplit("/xAPI", 1)[0]
    found: list[dict[str, Any]] = []
    page = _get(endpoint + "/statements?limit=500")
    while True:
        found.extend(page["statements"])
        more = page.get("more")
        if not more or not page["statements"]:
            return found
        page = _get(origin + more if more.startswith("/") else more)


@dataclass
class FakeStore:
    """A stand-in LRS: keeps statements by id, refuses (400) a batch holding one of `refuse`,
    answers `outage` (e.g. 503) to everything while set (or 503 to every POST after the first
    `outage_after`), redirects every POST to `redirect` while set, answers 200 without the
    statements' ids (keeping nothing) while `unconfirmed`, and counts the requests."""

    refuse: set[str] = field(default_factory=set)
    outage: int | None = None
    outage_after: int | None = None
    redirect: str | None = None
    unconfirmed: bool = False
    gets: int = 0
    statements: dict[str, dict] = field(default_factory=dict)
    posts: list[list[str]] = field(default_factory=list)  # statement ids of each request
    auth: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)
    keep: bool = True  # False: count what arrives, keep nothing (the bench's sink)

    def serve(self) -> tuple[ThreadingHTTPServer, str]:
        store = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                ids = [statement["id"] for statement in body]
                if not store.keep:
                    self._answer(200, ids)
                    return
                store.posts.append(ids)
                store.auth.append(self.headers.get("Authorization", ""))
                store.versions.append(self.headers.get("X-Experience-API-Version", ""))
                late = store.outage_after is not None and len(store.posts) > store.outage_after
                if store.redirect:
                    self.send_response(302)
                    self.send_header("Location", store.redirect)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif store.outage or late:
                    self._answer(store.outage or 503, {"detail": "unavailable"})
                elif store.unconfirmed:
                    self._answer(200, {"ok": True})
                elif refused := [i for i in ids if i in store.refuse]:
                    self._answer(400, {"detail": f"invalid statement {refused[0]}"})
                else:
                    store.statements.update(zip(ids, body, strict=True))
                    self._answer(200, ids)

            def do_GET(self):  # noqa: N802 - a redirected POST followed as a GET lands here
                store.gets += 1
                self._answer(200, {"statements": [], "more": ""})

            def _answer(self, status: int, payload: object) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server, f"http://127.0.0.1:{server.server_address[1]}/xAPI"
