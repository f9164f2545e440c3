"""The Learning Record Store's statements resource, over HTTP (the standard library's client)."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lms.i18n import gettext as _

VERSION = "1.0.3"
TIMEOUT = 60  # seconds; a batch of hundreds of statements takes an LRS a moment to index

# What an LRS answers when it will not take the statements as they are: for a batch, one of
# them may be the cause; for a single statement, sending it again will not help.
REFUSED = frozenset({400, 409, 413, 422})


@dataclass(frozen=True)
class Answer:
    """How the LRS answered: its HTTP status (None when it could not be reached, or its answer
    did not say it stored them) and, if it did not take the statements, why."""

    status: int | None
    detail: str = ""

    @property
    def is_stored(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def is_refusal(self) -> bool:
        return self.status in REFUSED


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is answered, not followed: urllib would follow a POST's 301/302/303 with a GET
    (no statements, the same Authorization even to another host) whose 200 says nothing of
    them. The 3xx then comes back as an HTTPError, and the batch waits in the queue."""

    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


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
            with _OPENER.open(request, timeout=TIMEOUT) as response:
                return _stored(response.status, response.read(), len(statements))
        except urllib.error.HTTPError as error:
            if 300 <= error.code < 400:
                return Answer(error.code, _moved(error))
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


def _stored(status: int, body: bytes, count: int) -> Answer:
    """A 2xx answer: 204 (nothing new to store), or 200 with the id of each statement sent, as
    xAPI says; a 200 without them did not store the batch (some proxy or login page)."""
    if status == 204:
        return Answer(status)
    try:
        ids = json.loads(body)
    except ValueError:
        ids = None
    if isinstance(ids, list) and len(ids) == count:
        return Answer(status)
    shown = body[:200].decode("utf-8", "replace")
    return Answer(
        None,
        _(
            "Kho LRS trả lời HTTP %(status)d nhưng không kèm mã của %(count)d bản ghi đã gửi: "
            "chưa coi là đã nhận (%(body)s).",
            status=status,
            count=count,
            body=shown,
        ),
    )


def _moved(error: urllib.error.HTTPError) -> str:
    """A redirect: the endpoint to set instead."""
    return _(
        "Kho LRS chuyển hướng (HTTP %(status)d) sang %(location)s: đặt LMS_XAPI_ENDPOINT là địa "
        "chỉ mới; các bản ghi vẫn chờ gửi.",
        status=error.code,
        location=error.headers.get("Location", "?"),
    )
