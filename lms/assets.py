"""What the browser fetches besides pages: compressed responses, hashed static names, a favicon.

Static files: `url_for('static', filename='css/app.css')` gives `/static/css/app.<hash>.css`,
the hash being the first 12 hex digits of the file's SHA-256. Such a URL names one content for
ever, so it is served with `Cache-Control: public, max-age=31536000, immutable`; a changed file
gets a new name. Hashes are worked out once per process, on first use (in debug mode again when
the file's modification time changes, so an edited stylesheet shows at once). The plain URL
keeps working with the default caching, and so does an old hash (a page rendered before a
deploy): it gets today's file, not marked immutable.

Compression (LMS_COMPRESS, on unless a proxy compresses): Flask-Compress, with zstd, brotli or
gzip as the client accepts. Responses under 500 bytes are left as they are; streamed ones (the
roster, CSV exports) are compressed as they stream, chunk by chunk, never gathered whole.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from pathlib import Path

from flask import Flask, current_app, request, send_from_directory
from flask_compress import Compress
from werkzeug.security import safe_join
from werkzeug.wrappers import Response

from lms.access import public

IMMUTABLE_SECONDS = 31_536_000  # a year, the longest caches honour
FAVICON_SECONDS = 7 * 24 * 3600  # its URL never changes, so not for ever
DIGEST_LENGTH = 12
HASHED_NAME = re.compile(
    rf"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{DIGEST_LENGTH}}})(?P<ext>\.[^./]+)$"
)

# What is worth compressing; images other than SVG and the fonts' own formats are compressed
# already. text/csv for the exports.
COMPRESS_MIMETYPES = [
    "text/html",
    "text/css",
    "text/plain",
    "text/csv",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/xml",
    "image/svg+xml",
    "image/x-icon",
    "image/vnd.microsoft.icon",
    "font/ttf",
    "application/x-font-ttf",
]


class StaticDigests:
    """Content hashes of the files in the app's static folder, each worked out once.

    In debug mode a file's hash is worked out again when its modification time changes.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._known: dict[str, tuple[int, str | None]] = {}

    def digest(self, filename: str) -> str | None:
        """The file's hash, or None when no such file is in the folder."""
        known = self._known.get(filename)
        if known is not None and not self.app.debug:
            return known[1]
        path = safe_join(self.app.static_folder or "", filename)
        try:
            changed = Path(path).stat().st_mtime_ns if path else -1
        except OSError:
            changed = -1
        if known is not None and known[0] == changed:
            return known[1]
        digest = None
        if path and changed != -1 and Path(path).is_file():
            digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:DIGEST_LENGTH]
        self._known[filename] = (changed, digest)
        return digest

    def hashed_name(self, filename: str) -> str:
        """css/app.css → css/app.<hash>.css; a name without extension or file stays as it is."""
        stem, ext = posixpath.splitext(filename)
        digest = self.digest(filename) if ext else None
        return f"{stem}.{digest}{ext}" if digest else filename


def _digests() -> StaticDigests:
    return current_app.extensions["lms_static_digests"]


def _hash_static_urls(endpoint: str, values: dict) -> None:
    """url_defaults hook: every URL built for the static endpoint carries the file's hash."""
    if endpoint == "static" and "filename" in values:
        values["filename"] = _digests().hashed_name(values["filename"])


@public
def static(filename: str) -> Response:
    """The static route: a hashed name of today's file is immutable, anything else as before."""
    found = HASHED_NAME.match(filename)
    if found:
        plain = found["stem"] + found["ext"]
        digest = _digests().digest(plain)
        if digest == found["digest"]:
            response = send_from_directory(
                current_app.static_folder or "", plain, max_age=IMMUTABLE_SECONDS
            )
            response.cache_control.public = True
            response.cache_control.immutable = True
            return response
        if digest is not None:  # an older version's name: today's file, cached as usual
            return current_app.send_static_file(plain)
    return current_app.send_static_file(filename)


@public
def favicon() -> Response:
    """/favicon.ico, which browsers ask for on their own."""
    # Read whole (189 bytes), so that no open file outlives the response.
    icon = (Path(current_app.static_folder or "") / "favicon.ico").read_bytes()
    response = Response(icon, mimetype="image/vnd.microsoft.icon")
    response.cache_control.public = True
    response.cache_control.max_age = FAVICON_SECONDS
    response.add_etag()
    return response.make_conditional(request)


def _close_the_body_compression_wraps(response: Response) -> Response:
    """Close a streamed body (an open static file, a report's rows) when its response closes.

    Flask-Compress puts its own generator in place of a streamed body and, closing it, does not
    close the body it read from: the file would stay open until garbage collection.
    """
    body = response.response
    if response.is_streamed and hasattr(body, "close"):
        response.call_on_close(body.close)
    return response


def init_app(app: Flask) -> None:
    app.extensions["lms_static_digests"] = StaticDigests(app)
    app.view_functions["static"] = static
    app.url_defaults(_hash_static_urls)
    app.add_url_rule("/favicon.ico", "favicon", favicon)
    if app.config["COMPRESS"]:
        app.config.setdefault("COMPRESS_MIMETYPES", COMPRESS_MIMETYPES)
        app.config.setdefault("COMPRESS_ALGORITHM", ["zstd", "br", "gzip"])
        # Flask-Compress streams gzip as well as it does the others; its default leaves it out.
        app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["zstd", "br", "gzip"])
        Compress(app)
        # Registered after Compress, so it runs before it (Flask runs these last-first).
        app.after_request(_close_the_body_compression_wraps)
