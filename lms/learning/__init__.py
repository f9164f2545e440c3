"""The learner's side of courses: catalogue, lessons, quizzes, progress and certificates."""

from flask import Flask


def init_app(app: Flask) -> None:
    from lms.i18n import format_hours
    from lms.learning import views

    app.register_blueprint(views.bp)
    app.jinja_env.filters["hours"] = format_hours
    app.jinja_env.globals["questions_html"] = views.questions_html
