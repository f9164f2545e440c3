"""A scratch database for a benchmark: a SQLite file in a temporary folder, or a PostgreSQL
database given by URL, emptied first (it must be one kept for benchmarks)."""

from __future__ import annotations

from sqlalchemy import create_engine, text


def scratch_url(url: str | None, folder: str, name: str) -> str:
    """The database to fill: url emptied (PostgreSQL), else a new SQLite file in folder."""
    if not url:
        return f"sqlite:///{folder}/{name}.sqlite3"
    if not url.startswith("sqlite"):
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    return url
