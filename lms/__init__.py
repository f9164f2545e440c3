"""Học tập suốt đời: the application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from flask import Flask
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from lms import config
from lms.db import IdConverter, keep_sqlite_private
from lms.db import db as _db

csrf = CSRFProtect()
MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")
_MIGRATE_OPTIONS = {"render_as_batch": True, "compare_type": True}


# Flask-Migrate imports alembic, and alembic mako and pygments: about 0.1 s of every worker's
# and every command's start, for what only the `flask db` commands, the migration helpers
# (flask_migrate.upgrade ...) and a backup's restore use. Until then the app holds these two
# stand-ins, which set Flask-Migrate up for it when first used.
def _migrations(app: Flask) -> Any:
    """Flask-Migrate's own app.extensions["migrate"], set up for app on first use."""
    found = app.extensions.get("migrate")
    if isinstance(found, _MigrationsWhenUsed):
        from flask_migrate import Migrate

        # Replaces both stand-ins: the extension, and the `db` command group.
        Migrate(app, _db, directory=MIGRATIONS_DIR, **_MIGRATE_OPTIONS)
        found = app.extensions["migrate"]
    return found


class _MigrationsWhenUsed:
    """app.extensions["migrate"] until an attribute of it is read."""

    def __init__(self, app: Flask) -> None:
        self._app = app

    def __getattr__(self, name: str) -> Any:
        # Flask-Migrate and migrations/env.py read public names only. A probe for a private or
        # special one (a copy, a template's __html__) must not set Flask-Migrate up, nor look
        # for _app on an object made without __init__.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(_migrations(self._app), name)


class _MigrationCommands(click.Group):
    """`flask db`: Flask-Migrate's command group (its options, then its commands), imported when
    it is called; listed with the app's commands under its own short help meanwhile."""

    def __init__(self, app: Flask) -> None:
        # The short help of Flask-Migrate's group (its docstring), for `flask --help`.
        super().__init__("db", help="Perform database migrations.")
        self._app = app

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        _migrations(self._app)
        from flask_migrate.cli import db

        return db.make_context(info_name, args, parent=parent, **extra)


def create_app(test_config: dict | None = None) -> Flask:
    """Create the app: settings, database, sign-in, then one blueprint per feature."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(config.from_environment(Path(app.instance_path), test_config))
    app.url_map.converters["id"] = IdConverter
    if app.config["PROXY_COUNT"]:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way
            app.wsgi_app, x_for=app.config["PROXY_COUNT"], x_proto=app.config["PROXY_COUNT"]
        )

    for path, mode in keep_sqlite_private(app.config["SQLALCHEMY_DATABASE_URI"]):
        app.logger.warning(
            "database file %s was readable by others (mode %04o); now owner-only (0600)",
            path,
            mode,
        )
    _db.init_app(app)
    app.extensions["migrate"] = _MigrationsWhenUsed(app)
    app.cli.add_command(_MigrationCommands(app))
    csrf.init_app(app)

    from lms import (
        agency,
        api,
        assets,
        audit,
        auth,
        awards,
        backup,
        citizens,
        courses,
        credentials,
        demo,
        dictionary,
        home,
        honours,
        i18n,
        invites,
        learning,
        nominations,
        numbers,
        org,
        outbox,
        people,
        plans,
        privacy,
        reports,
        review,
        security,
        shell,
        staff,
        uploads,
        web,
        xapi,
    )

    web.init_app(app)
    assets.init_app(app)
    i18n.init_app(app)
    numbers.init_app(app)
    security.init_app(app)
    auth.init_app(app)
    shell.init_app(app)
    home.init_app(app)
    org.init_app(app)
    agency.init_app(app)
    people.init_app(app)
    staff.init_app(app)
    uploads.init_app(app)
    outbox.init_app(app)
    invites.init_app(app)
    audit.init_app(app)
    dictionary.init_app(app)
    courses.init_app(app)
    learning.init_app(app)
    credentials.init_app(app)
    review.init_app(app)
    plans.init_app(app)
    reports.init_app(app)
    citizens.init_app(app)
    awards.init_app(app)
    nominations.init_app(app)
    honours.init_app(app)
    api.init_app(app)
    privacy.init_app(app)
    backup.init_app(app)
    demo.init_app(app)
    xapi.init_app(app)
    return app
