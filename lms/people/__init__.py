"""The people pages: the list, a person's page, their roles, units, position and password.

Above the org tree and sign-in (they show a person's units and end their sessions); the people
records themselves (Person, RoleGrant, positions) are lms.accounts, below the org tree.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from lms.people import views

    app.register_blueprint(views.bp)
