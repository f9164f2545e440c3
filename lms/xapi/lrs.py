"""The Learning Record Store's statements resource, over HTTP (the standard library's client)."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

VERSION = "1.0.3"
TIMEOUT = 60  # seconds; a batch of hundreds of statements takes an LRS a moment to index

# What an LRS answers when it will not take the statements as they are: for a batch, one of
# them may be the cause; for a single statement, sending it again will not help.
REFUSED = frozenset({400, 409, 413, 422})


@dataclass(frozen=True)
class Answer:
    """How the LRS answered: its HTTP status (None when it could not be reached) and, if it
    did not take the statements, why."""

    status: int | None
    detail: str = ""

    @property
    def is_stored(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def is_refusal(self) -> bool:
        return self.status in REFUSED


@dataclass(frozen=True)
class Store:
    endpoint: str  # the xAPI base, e.g. https://lrs.example.vn/xAPI
    key: str
    secret: str

    def post(self, statements: Sequence[dict[str, Any]]) -> Answer:
        """POST the statements as one JSON array; never raises for an LRS that is down."""
        credentials = base64.b64encode(f"{self.key}:{self.secret}".encode()).decode("ascii")
        request = urllib.request.Request(
            self.endpoint.rstrip("/") + "/statements",
            data=json.dumps(list(statements), ensure_ascii=False).encode("utf-8"),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "X-Experience-API-Version": VERSION,
                "Authorization": f"Basic {credentials}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                response.read()
                return Answer(response.status)
        except urllib.error.HTTPError as error:
            return Answer(error.code, _detail(error))
        except (OSError, ValueError) as error:  # refused, reset, timed out, bad address
            return Answer(None, str(getattr(error, "reason", None) or error))


def _detail(error: urllib.error.HTTPError) -> str:
    """The LRS's own words on why (its body, shortened), after the status."""
    try:
        body = error.read(2000).decode("utf-8", "replace")
    except OSError:
        body = ""
    return f"HTTP {error.code}: {body or error.reason}".strip()
