"""The learner's pages: catalogue, course, lesson with quizzes, certificates, verification."""

from __future__ import annotations

import uuid

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from markupsafe import Markup

from lms.access import public, requires, signed_in
from lms.courses.format import CATEGORIES, LEVELS
from lms.courses.models import Lesson
from lms.db import MAX_ID, parse_count, utcnow
from lms.errors import UserError
from lms.i18n import current_locale, local_day, local_today
from lms.i18n import gettext as _
from lms.languages import LANGUAGES
from lms.learning import queries, rules, services
from lms.learning.forms import BeaconForm, LearningEventForm, QuizForm, RuleForm
from lms.numbers import decimal_text
from lms.roles import Permission
from lms.web import saving

bp = Blueprint("learning", __name__, template_folder="templates")

LESSON = "/courses/<course_slug>/<lesson_slug>"
# Longer input is no code; it gets the same "not found" as any other unknown code.
MAX_CODE_INPUT = 40


def _new_event_id() -> str:
    """A fresh event id for a form; sending the form twice sends the same id."""
    return str(uuid.uuid4())


def _engaged_time(lesson: Lesson, form: LearningEventForm) -> services.EngagedTime:
    """Time on the page before a form or beacon was sent: measured by the page while visible,
    else the time since it was served; within the time its signed stamp says it was open."""
    return services.engaged_time(
        lesson, parse_count(form.seconds.data or ""), form.opened_at.data or None
    )


def _minutes(seconds: int) -> int:
    """Whole minutes, rounded up: "1 more minute" rather than "0 more minutes"."""
    return -(-seconds // 60)


def _lesson_or_404(course_slug: str, lesson_slug: str) -> Lesson:
    lesson = queries.lesson_for_action(course_slug, lesson_slug)
    if lesson is None or not lesson.course.open_to(current_user):
        abort(404)
    return lesson


# A quiz's questions without an attempt or answers to show are the same for everyone who gets
# the same order of choices: rendered once per quiz version, language and order, they need not
# be rendered on every lesson page.
_blank_questions: dict[tuple, Markup] = {}
MAX_CACHED_QUIZZES = 1000


def questions_html(panel: queries.QuizPanel, is_open: bool) -> Markup:
    """Return the HTML of a quiz's questions, filled in with the attempt shown or the refused
    submission, if any."""
    template = current_app.jinja_env.get_template("learning/_questions.html")
    if panel.shown is not None or panel.answers_shown or panel.typed is not None:
        return Markup(template.render(panel=panel, is_open=is_open))
    key = (panel.quiz.id, panel.quiz.updated_at, str(current_locale()), is_open, panel.order_key)
    html = _blank_questions.get(key)
    if html is None:
        if len(_blank_questions) >= MAX_CACHED_QUIZZES:
            _blank_questions.clear()
        html = _blank_questions[key] = Markup(template.render(panel=panel, is_open=is_open))
    return html


def _congratulations(course_title: str) -> str:
    return _(
        "Chúc mừng! Bạn đã hoàn thành khóa học “%(course)s”. Giấy chứng nhận đã sẵn sàng.",
        course=course_title,
    )


def _labels() -> dict:
    return {
        "categories": CATEGORIES,
        "languages": LANGUAGES,
        "levels": LEVELS,
        "local_day": local_day,
    }


@bp.get("/healthz")
@public
def healthz():
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


def _reader_id() -> int | None:
    """The signed-in person reading a course, or None for a visitor."""
    return current_user.id if current_user.is_authenticated else None


def _sign_in_first() -> ResponseReturnValue:
    """A visitor at a course for staff only: the sign-in page, as any signed-in page sends."""
    return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]


@bp.get("/courses/")
@public
def catalogue():
    """Every current course to those signed in; the courses open to everyone to visitors."""
    search = request.args.get("q", "")[:200]
    # A first visit has no q: diacritics are ignored by default, and the box shows it ticked.
    ignore_diacritics = "q" not in request.args or request.args.get("bo_dau") == "1"
    reader = _reader_id()
    result = queries.catalogue(
        reader,
        search,
        ignore_diacritics=ignore_diacritics,
        public_only=reader is None or current_user.is_citizen,
    )
    return render_template(
        "learning/catalogue.html",
        result=result,
        groups=result.groups,
        search=search,
        ignore_diacritics=ignore_diacritics,
        found=result.found,
        **_labels(),
    )


@bp.get("/courses/<course_slug>")
@public
def course(course_slug: str) -> ResponseReturnValue:
    page = queries.course_page(_reader_id(), course_slug)
    if not current_user.is_authenticated and (page is None or not page.course.is_public):
        return _sign_in_first()  # a visitor learns nothing of which staff courses exist
    # A retired course stays readable for those who studied it; it is not offered to others.
    # A citizen learns nothing of staff courses either.
    if (
        page is None
        or (page.course.is_retired and page.progress is None)
        or not page.course.open_to(current_user)
    ):
        abort(404)
    return render_template(
        "learning/course.html",
        page=page,
        intro=Markup(page.course.intro_html),
        new_event_id=_new_event_id,
        **_labels(),
    )


@bp.get("/courses/<course_slug>/offline.json")
@public
def offline_package(course_slug: str) -> ResponseReturnValue:
    """The pages and media a device stores to study the course offline (offline.js)."""
    found = queries.course_by_slug(course_slug)
    if not current_user.is_authenticated and (found is None or not found.is_public):
        return _sign_in_first()
    if found is None or found.is_retired or not found.open_to(current_user):
        abort(404)
    package = queries.offline_package(found)
    response = jsonify(
        slug=found.slug,
        title=found.title,
        pages=package.pages,
        media=[{"url": url, "bytes": size} for url, size in package.media],
        total_bytes=package.total_bytes,
    )
    response.cache_control.no_store = True
    return response


@bp.post("/courses/<course_slug>/complete")
@signed_in
def complete_course(course_slug: str) -> ResponseReturnValue:
    found = queries.course_by_slug(course_slug)
    if found is None or not found.open_to(current_user):
        abort(404)
    here = url_for("learning.course", course_slug=course_slug)
    form = LearningEventForm()
    with saving() as saved:
        outcome = services.complete_course(current_user, found, event_id=form.event)
    if not saved:
        return redirect(here)
    if outcome.certificate is not None:
        flash(_congratulations(found.title), "success")
    elif outcome.is_replay:
        flash(_("Việc hoàn thành khóa học đã được ghi nhận trước đó; không tính thêm."), "info")
    else:
        flash(_("Khóa học “%(title)s” đã hoàn thành từ trước.", title=found.title), "info")
    return redirect(here)


@bp.get(LESSON)
@public
def lesson(course_slug: str, lesson_slug: str) -> ResponseReturnValue:
    attempt_id = request.args.get("attempt", type=int)
    if attempt_id is not None and not 1 <= attempt_id <= MAX_ID:
        attempt_id = None
    page = queries.lesson_page(_reader_id(), course_slug, lesson_slug, attempt_id)
    if not current_user.is_authenticated and (page is None or not page.course.is_public):
        return _sign_in_first()
    # As with the course page: a retired course stays readable only for those who studied it.
    if (
        page is None
        or (page.course.is_retired and not page.state.is_started)
        or not page.course.open_to(current_user)
    ):
        abort(404)
    return _lesson_page(page)


def _lesson_page(page: queries.LessonPage) -> str:
    return render_template(
        "learning/lesson.html",
        page=page,
        new_event_id=_new_event_id,
        opened_at=rules.page_stamp(page.lesson.id, utcnow()),
        minutes=_minutes,
    )


@bp.post(LESSON + "/complete")
@signed_in
def complete_lesson(course_slug: str, lesson_slug: str) -> ResponseReturnValue:
    lesson = _lesson_or_404(course_slug, lesson_slug)
    here = url_for("learning.lesson", course_slug=course_slug, lesson_slug=lesson_slug)
    form = LearningEventForm()
    with saving() as saved:
        engaged = _engaged_time(lesson, form)
        outcome = services.complete_lesson(
            current_user,
            lesson,
            event_id=form.event,
            seconds=engaged.seconds,
            page_view=engaged.page_view,
        )
    if not saved:
        return redirect(here)
    course_url = url_for("learning.course", course_slug=course_slug)
    if outcome.missing_seconds:
        # The time sent with the form was counted; the lesson is not complete yet.
        flash(
            _(
                "Bài “%(title)s” cần ít nhất %(needed)d phút học; bạn còn thiếu khoảng "
                "%(missing)d phút. Hãy học tiếp rồi đánh dấu hoàn thành.",
                title=lesson.title,
                needed=_minutes(outcome.needed_seconds),
                missing=_minutes(outcome.missing_seconds),
            ),
            "error",
        )
        return redirect(here)
    if outcome.is_replay:
        flash(
            _("Việc hoàn thành bài này đã được ghi nhận trước đó; không tính thêm lần nữa."), "info"
        )
        return redirect(here)
    if outcome.was_complete:
        flash(_("Bài “%(title)s” đã hoàn thành từ trước.", title=lesson.title), "info")
        return redirect(here)
    if outcome.certificate is not None:
        flash(_congratulations(lesson.course.title), "success")
        return redirect(course_url)
    flash(_("Đã ghi nhận hoàn thành bài “%(title)s”.", title=lesson.title), "success")
    following = queries.lesson_after(lesson)
    if following is None:
        return redirect(course_url)
    return redirect(url_for("learning.lesson", course_slug=course_slug, lesson_slug=following))


@bp.post(LESSON + "/quiz")
@signed_in
def submit_quiz(course_slug: str, lesson_slug: str) -> ResponseReturnValue:
    lesson = _lesson_or_404(course_slug, lesson_slug)
    form = QuizForm()
    with saving(show=False) as saved:
        engaged = _engaged_time(lesson, form)
        outcome = services.submit_quiz(
            current_user,
            lesson,
            form.quiz.data or "",
            form.answers(request.form),
            event_id=form.event,
            seconds=engaged.seconds,
            page_view=engaged.page_view,
        )
    if not saved:
        return _refused_quiz(course_slug, lesson_slug, lesson, form, saved.refusal)
    attempt = outcome.attempt
    if outcome.is_replay:
        flash(
            _(
                "Bài làm này đã được nộp trước đó; dưới đây là kết quả của lần nộp ấy, không tính "
                "thêm lần làm nào."
            ),
            "info",
        )
    if outcome.certificate is not None:
        flash(_congratulations(lesson.course.title), "success")
    return redirect(
        url_for(
            "learning.lesson",
            course_slug=course_slug,
            lesson_slug=lesson_slug,
            attempt=attempt.id,
            _anchor=f"quiz-{attempt.quiz.slug}",
        )
    )


def _refused_quiz(
    course_slug: str, lesson_slug: str, lesson: Lesson, form: QuizForm, error: UserError
) -> ResponseReturnValue:
    """A refused quiz that may still be sent is shown again (400) with every answer as it was
    chosen or typed and each refusal by its question; one that may not (passed, its attempts
    used, a wait, retired, unknown) is refused at the top of the lesson page, as before."""
    quiz = next((quiz for quiz in lesson.quizzes if quiz.slug == form.quiz.data), None)
    typed = None
    if quiz is not None:
        answers, problems = services.typed_answers(quiz, form.answers(request.form))
        typed = queries.TypedQuiz(quiz.slug, answers, problems)
    page = queries.lesson_page(current_user.id, course_slug, lesson_slug, typed=typed)
    quizzes = page.quizzes if page is not None and page.is_open else []
    panel = next((panel for panel in quizzes if panel.typed is not None), None)
    if page is None or panel is None or not panel.may_attempt:
        flash(error.message, "error")
        here = url_for("learning.lesson", course_slug=course_slug, lesson_slug=lesson_slug)
        return redirect(here)
    if (error.field or "").removeprefix("q:") not in panel.problems:
        flash(error.message, "error")
    return _lesson_page(page), 400


@bp.post("/learning/events")
@signed_in
def record_event():
    """Time on a lesson page, sent by learning.js as a beacon; answers 204 or 400 with why."""
    form = BeaconForm()
    lesson = queries.lesson_for_action(form.course.data or "", form.lesson.data or "")
    if lesson is None or not lesson.course.open_to(current_user):
        return _("Không tìm thấy bài học."), 400, {"Content-Type": "text/plain; charset=utf-8"}
    with saving(show=False) as saved:
        engaged = _engaged_time(lesson, form)
        services.record_view(
            current_user,
            lesson,
            event_id=form.event,
            seconds=engaged.seconds,
            page_view=engaged.page_view,
        )
    if not saved:
        return str(saved.error), 400, {"Content-Type": "text/plain; charset=utf-8"}
    return "", 204


@bp.get("/certificates/<id:certificate_id>")
@signed_in
def certificate(certificate_id: int) -> ResponseReturnValue:
    found = queries.certificate_of(current_user.id, certificate_id)
    if found is None:
        abort(404)
    return render_template(
        "learning/certificate.html",
        certificate=found,
        # The certificate is a Vietnamese document: 1,5 tiết whatever the interface language,
        # written as its Open Badge credential writes them.
        hours=decimal_text(found.hours),
        verify_url=url_for("learning.verify", code=found.code, _external=True),
    )


@bp.get("/verify", defaults={"code": None})
@bp.get("/verify/<code>")
@public
def verify(code: str | None) -> ResponseReturnValue:
    """Anyone may check a certificate: valid or not found, and only the facts printed on it."""
    typed = code if code is not None else request.args.get("code")
    found = None
    if typed is not None and len(typed) <= MAX_CODE_INPUT:
        found = queries.certificate_by_code(services.normal_code(typed))
    status = 404 if typed is not None and found is None else 200
    page = render_template("learning/verify.html", typed=typed, certificate=found)
    # Verification answers are not for search engines or shared caches.
    return page, status, {"X-Robots-Tag": "noindex", "Cache-Control": "no-store"}


# The credible-completion rule (administrators) -------------------------------------------------


@bp.get("/learning/rule")
@requires(Permission.MANAGE_UNITS)
def rule():
    current = rules.credible_rule()
    starts_on = current.starts_on or local_today()
    values = {
        "min_share_percent": current.min_share_percent,
        "flag_share_percent": current.flag_share_percent,
        "starts_on": starts_on.isoformat(),
    }
    return _rule_page(RuleForm(formdata=None, data=values))


def _rule_page(form: RuleForm, status: int = 200) -> ResponseReturnValue:
    page = render_template(
        "learning/rule.html",
        rule=rules.credible_rule(),
        history=rules.rule_history(),
        today=local_today(),
        form=form,
    )
    return page, status


@bp.post("/learning/rule")
@requires(Permission.MANAGE_UNITS)
def save_rule():
    form = RuleForm()
    if form.validate():
        done = _("Đã lưu quy tắc hoàn thành bài học; phiên bản cũ vẫn được giữ.")
        with saving(done, show=False) as saved:
            services.set_credible_rule(
                min_share=form.min_share_percent.data or "",
                flag_share=form.flag_share_percent.data or "",
                starts_on=form.starts_on.data or "",
                actor_id=current_user.id,
            )
        if saved:
            return redirect(url_for("learning.rule"))
        form.refuse(saved.refusal)
    # Shown again with what was typed and each message by its field.
    return _rule_page(form, status=400)
