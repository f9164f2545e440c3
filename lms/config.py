"""Settings read from the environment, with safe defaults for a single-machine install."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

OWNER_ONLY = 0o600
OWNER_ONLY_FOLDER = 0o700


def create_owner_only(path: Path) -> int:
    """Create path readable and writable by its owner only and return its descriptor.

    Raises FileExistsError if it exists (O_EXCL): the mode is set as the file is born, with no
    moment in which others may open it.
    """
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY)


def write_owner_only(path: Path, content: bytes) -> None:
    """Write a new secret file (a key) that only its owner may read, in a folder kept so too.

    Raises FileExistsError if the file exists: a secret is never overwritten, and when two
    processes create the same one together, one writes it and the other can read that.
    """
    path.parent.mkdir(mode=OWNER_ONLY_FOLDER, parents=True, exist_ok=True)
    fd = create_owner_only(path)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)


def _instance_secret_key(instance_path: Path) -> str:
    """Return the key kept in instance/, creating it (owner-only) on first start."""
    key_file = instance_path / "secret_key"
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        pass
    key = secrets.token_hex(32)
    try:
        write_owner_only(key_file, key.encode())
    except FileExistsError:
        return key_file.read_text().strip()
    return key


def from_environment(instance_path: Path, overrides: dict | None = None) -> dict:
    """Build the Flask config from LMS_* environment variables, then apply overrides."""
    env = os.environ
    overrides = overrides or {}
    database_url = overrides.get("SQLALCHEMY_DATABASE_URI") or env.get("LMS_DATABASE_URL")
    if not database_url:
        instance_path.mkdir(parents=True, exist_ok=True)
        database_url = f"sqlite:///{instance_path / 'lms.sqlite3'}"
    settings = {
        "SECRET_KEY": overrides.get("SECRET_KEY")
        or env.get("LMS_SECRET_KEY")
        or _instance_secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(
            database_url, prepared=env.get("LMS_DATABASE_PREPARED") != "0"
        ),
        "DEMO_MODE": env.get("LMS_DEMO") == "1",
        # Cookies are marked Secure on HTTPS requests anyway; this forces it everywhere.
        "SESSION_COOKIE_SECURE": env.get("LMS_FORCE_SECURE_COOKIES") == "1",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=int(env.get("LMS_SESSION_HOURS", "12"))),
        # The cookie is signed again when the session's row is marked as seen (every few
        # minutes, lms.security.refresh_session_cookie), not on every response.
        "SESSION_REFRESH_EACH_REQUEST": False,
        # How long an API token works after it is issued; a new one is made on the token page.
        "API_TOKEN_DAYS": int(env.get("LMS_API_TOKEN_DAYS", "90")),
        # Spaced review (lms.review, FSRS): the recall probability cards are scheduled for;
        # whether due dates are spread a little (fsrs's fuzzing, so cards added together do
        # not all fall due together); the most seconds one answer counts as engaged time.
        "REVIEW_DESIRED_RETENTION": float(env.get("LMS_REVIEW_RETENTION", "0.9")),
        "REVIEW_FUZZING": env.get("LMS_REVIEW_FUZZING", "1") == "1",
        "REVIEW_MAX_SECONDS": int(env.get("LMS_REVIEW_MAX_SECONDS", "60")),
        # Recordings of dictionary entries (lms.dictionary.recordings): the largest file and
        # the longest recording taken, and how many days the recordings of a speaker who
        # withdrew consent are kept (unpublished) before `flask dictionary purge-recordings`
        # deletes them.
        "RECORDING_MAX_BYTES": int(env.get("LMS_RECORDING_MAX_KB", "2048")) * 1024,
        "RECORDING_MAX_SECONDS": int(env.get("LMS_RECORDING_MAX_SECONDS", "30")),
        "RECORDING_GRACE_DAYS": int(env.get("LMS_RECORDING_GRACE_DAYS", "30")),
        # Citizens registering on their own (lms.citizens): accounts a day from one network
        # address (a commune hall's computers share one) and from everywhere; "0" closes it.
        "CITIZEN_REGISTRATION": env.get("LMS_CITIZEN_REGISTRATION", "1") != "0",
        "CITIZENS_PER_ADDRESS_DAY": int(env.get("LMS_CITIZENS_PER_ADDRESS_DAY", "40")),
        "CITIZENS_PER_DAY": int(env.get("LMS_CITIZENS_PER_DAY", "1000")),
        # How long the link that confirms a citizen's e-mail address works.
        "CITIZEN_EMAIL_LINK_DAYS": int(env.get("LMS_CITIZEN_EMAIL_LINK_DAYS", "3")),
        # How long a first-sign-in code (lms.invites) works after it is issued.
        "SIGN_IN_CODE_DAYS": int(env.get("LMS_SIGN_IN_CODE_DAYS", "14")),
        "PROXY_COUNT": int(env.get("LMS_PROXY_COUNT", "0")),
        # Compress pages, CSS, JS, JSON and CSV for clients that accept it (lms.assets); "0"
        # when a proxy in front (nginx) compresses instead.
        "COMPRESS": env.get("LMS_COMPRESS", "1") != "0",
        "MAX_CONTENT_LENGTH": int(env.get("LMS_MAX_UPLOAD_MB", "20")) * 1024 * 1024,
        # Evidence files one person may keep (those an activity shows), in MB.
        "EVIDENCE_QUOTA_MB": float(env.get("LMS_EVIDENCE_QUOTA_MB", "100")),
        "ASSIGNMENT_OVERDUE_WARNING": int(env.get("LMS_ASSIGNMENT_OVERDUE_WARNING", "10")),
        "PENDING_UPLOAD_HOURS": float(env.get("LMS_PENDING_UPLOAD_HOURS", "24")),
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": env.get("LMS_TIMEZONE", "Asia/Ho_Chi_Minh"),
        # Sign-in throttle (lms.auth.services.wait_before): failures of one account from one
        # address before waits start; the first wait, doubled per further failure up to the
        # longest; how long a failure counts; failures of an account from all addresses that
        # stop the addresses among them; accounts failed from one address that stop it.
        "LOGIN_FAILURES_BEFORE_DELAY": int(env.get("LMS_LOGIN_MAX_FAILURES", "5")),
        "LOGIN_FIRST_DELAY_SECONDS": int(env.get("LMS_LOGIN_FIRST_DELAY_SECONDS", "30")),
        "LOGIN_THROTTLE_MINUTES": int(env.get("LMS_LOGIN_THROTTLE_MINUTES", "15")),
        "LOGIN_FAILURE_HOURS": int(env.get("LMS_LOGIN_FAILURE_HOURS", "24")),
        "LOGIN_MAX_FAILURES_PER_ACCOUNT": int(env.get("LMS_LOGIN_MAX_FAILURES_ACCOUNT", "30")),
        "LOGIN_MAX_ACCOUNTS_PER_ADDRESS": int(env.get("LMS_LOGIN_MAX_FAILURES_ADDRESS", "30")),
        # One sign-in attempt in this many also deletes old throttle rows and dead sessions.
        "LOGIN_PRUNE_EVERY": int(env.get("LMS_LOGIN_PRUNE_EVERY", "100")),
        # Outgoing mail (lms.mail), e.g. the daily reminders: nothing is sent without a host;
        # with a user, the connection is upgraded with STARTTLS before signing in.
        "SMTP_HOST": env.get("LMS_SMTP_HOST") or None,
        "SMTP_PORT": int(env.get("LMS_SMTP_PORT") or "25"),
        "SMTP_USER": env.get("LMS_SMTP_USER") or None,
        "SMTP_PASSWORD": env.get("LMS_SMTP_PASSWORD") or None,
        "SMTP_FROM": env.get("LMS_SMTP_FROM") or "no-reply@localhost",
        # The address people reach the platform at, for links in e-mail (https://...).
        "PUBLIC_URL": env.get("LMS_PUBLIC_URL") or "",
        # xAPI statements (lms.xapi): the Learning Record Store's endpoint (its statements
        # resource is <endpoint>/statements) and its HTTP basic credentials; unset: nothing is
        # sent. Learners are identified as accounts on the home page (LMS_PUBLIC_URL unless set).
        "XAPI_ENDPOINT": env.get("LMS_XAPI_ENDPOINT") or "",
        "XAPI_KEY": env.get("LMS_XAPI_KEY") or "",
        "XAPI_SECRET": env.get("LMS_XAPI_SECRET") or "",
        "XAPI_HOME_PAGE": env.get("LMS_XAPI_HOME_PAGE") or "",
        # Open Badges signing keys (lms.credentials): owner-only files outside the database,
        # like the secret key; `flask credentials keygen` creates the first one.
        "CREDENTIAL_KEYS_DIR": env.get("LMS_CREDENTIAL_KEYS_DIR")
        or str(instance_path / "credential_keys"),
        "WTF_CSRF_TIME_LIMIT": None,
        # Sites that may frame the public honour board (CSP sources); unset: any site.
        "HONOURS_FRAME_ANCESTORS": env.get("LMS_HONOURS_FRAME_ANCESTORS"),
        # werkzeug's scrypt defaults (N=2**15, r=8, p=1); tests lower the cost for speed.
        "PASSWORD_HASH_METHOD": "scrypt",
    }
    settings.update(overrides)
    return settings


def public_url(settings: Mapping[str, Any]) -> str:
    """The platform's public address as set (LMS_PUBLIC_URL), without a trailing slash; "" if
    unset. The base of links in e-mail, of the Open Badges issuer id and of xAPI identifiers."""
    return str(settings.get("PUBLIC_URL") or "").rstrip("/")


# An engine execution option: its connections are in autocommit until a statement needs a
# transaction, which lms.db then begins (psycopg only).
BEGINS_WHEN_NEEDED = "lms_begins_when_needed"


def engine_options(database_url: str, *, prepared: bool = True) -> dict:
    """Pool settings per backend: SQLite waits for locks instead of failing at once. On
    PostgreSQL, psycopg's connections are in autocommit: a transaction opens at the first
    statement that needs one (lms.db), so a request that only reads sends no BEGIN or COMMIT;
    psycopg prepares a statement a connection runs often (kept across requests: no ROLLBACK
    makes it forget them) unless prepared is False, for a pooler that cannot follow them
    (PgBouncer in transaction mode, unless 1.21 or later with max_prepared_statements set); and
    its cursors make a statement's description only when it is read (`lms.pg`); and a pooled
    connection is pinged only when it may have died in the pool (`lms.db`), not at every
    checkout."""
    if database_url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    url = make_url(database_url)
    if url.get_driver_name() != "psycopg" or url.get_dialect().is_async:
        return {"pool_pre_ping": True}
    from lms.pg import Cursor

    connect_args: dict[str, Any] = {"cursor_factory": Cursor}
    if not prepared:
        connect_args["prepare_threshold"] = None
    return {
        "pool_pre_ping": False,
        "isolation_level": "AUTOCOMMIT",
        "execution_options": {BEGINS_WHEN_NEEDED: True},
        "connect_args": connect_args,
    }
