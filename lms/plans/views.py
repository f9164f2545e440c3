"""Plan pages: my plan, one plan, the unit dashboard, assignments, rules, evidence, notices."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.access import requires, signed_in
from lms.accounts.models import EmploymentKind, Person
from lms.audit.access_log import record_view
from lms.auth.services import signed_in_value
from lms.db import db, parse_id
from lms.forms import Form
from lms.i18n import gettext as _
from lms.i18n import lazy_gettext as _l
from lms.i18n import local_today
from lms.learning.queries import flagged_completion_details
from lms.org.models import Unit
from lms.org.queries import unit_choices
from lms.plans import assignments as unit_assignments
from lms.plans import evidence as plan_evidence
from lms.plans import nudges, permissions, queries, reminders, values, workflow
from lms.plans import rules as target_rules
from lms.plans.forms import (
    AssessmentForm,
    AssignmentForm,
    BulkDecisionForm,
    CorrectionForm,
    CourseForm,
    DecisionForm,
    ExternalForm,
    NoteForm,
    RuleForm,
    VerifyForm,
)
from lms.plans.models import ActivityKind, EvidenceFile, ExternalActivity, PlanStatus, StudyPlan
from lms.plans.states import APPROVED_REVISING, NO_PLAN
from lms.plans.values import PlanError
from lms.plans.years import year_days
from lms.progress.engine import ItemState
from lms.progress.models import TargetRule, UnitAssignment
from lms.roles import Permission
from lms.uploads import services as pending
from lms.web import saving

bp = Blueprint("plans", __name__, url_prefix="/plans", template_folder="templates")

STATUS_LABELS = {
    PlanStatus.DRAFT: _l("Bản nháp"),
    PlanStatus.SUBMITTED: _l("Chờ duyệt"),
    PlanStatus.RETURNED: _l("Trả lại để sửa"),
    PlanStatus.APPROVED: _l("Đã duyệt"),
    APPROVED_REVISING: _l("Đã duyệt (đang điều chỉnh)"),
    NO_PLAN: _l("Chưa lập"),
}
ITEM_STATE_LABELS = {
    ItemState.DONE: _l("Đã hoàn thành"),
    ItemState.PENDING: _l("Chưa đến hạn"),
    ItemState.DUE_SOON: _l("Sắp đến hạn"),
    ItemState.OVERDUE: _l("Quá hạn"),
}
ACTIVITY_KIND_LABELS = {
    ActivityKind.TRAINING: _l("Lớp đào tạo"),
    ActivityKind.REFRESHER: _l("Lớp bồi dưỡng"),
    ActivityKind.WORKSHOP: _l("Hội thảo, tọa đàm"),
    ActivityKind.OTHER: _l("Khác"),
}
EMPLOYMENT_LABELS = {
    EmploymentKind.CONG_CHUC: _l("Công chức"),
    EmploymentKind.VIEN_CHUC: _l("Viên chức"),
    EmploymentKind.NGUOI_LAO_DONG: _l("Người lao động"),
    EmploymentKind.OTHER: _l("Khác"),
}
EVENT_LABELS = {
    "create": _l("Lập kế hoạch"),
    "copy": _l("Sao chép từ năm trước"),
    "submit": _l("Gửi duyệt"),
    "resubmit": _l("Gửi lại"),
    "approve": _l("Duyệt"),
    "return": _l("Trả lại"),
    "revise": _l("Điều chỉnh (phiên bản mới)"),
    "self_assess": _l("Tự đánh giá"),
    "manager_assess": _l("Lãnh đạo đánh giá"),
}


def _planned_options() -> list[tuple[str, str]]:
    months = [(f"m{n}", _("Tháng %(n)d", n=n)) for n in range(1, 13)]
    quarters = [(f"q{n}", _("Quý %(n)d", n=n)) for n in range(1, 5)]
    return months + quarters


def _int_arg(name: str, default: int | None = None) -> int | None:
    """A number in the address (?version=2, ?page=3), or default; forms read theirs."""
    number = parse_id(request.args.get(name, ""))
    return default if number is None else number


def _plan_or_404(plan_id: int) -> StudyPlan:
    plan = db.session.get(StudyPlan, plan_id)
    if plan is None:
        abort(404)
    return plan


def _assignment_unit(assignment_id: int) -> int | None:
    assignment = db.session.get(UnitAssignment, assignment_id)
    return assignment.unit_id if assignment else None


def _context() -> dict:
    return {
        "status_labels": STATUS_LABELS,
        "item_state_labels": ITEM_STATE_LABELS,
        "activity_kind_labels": ACTIVITY_KIND_LABELS,
        "event_labels": EVENT_LABELS,
        "planned_options": _planned_options(),
    }


def notification_count() -> dict:
    """Add the unread-notice count to every signed-in page: as the sign-in read it, at the
    start of the request (notices are marked read by a form that redirects), else counted."""
    if not current_user.is_authenticated:
        return {}
    found = signed_in_value(queries.UNREAD_AT_SIGN_IN, current_user.id)
    return {
        "unread_notifications": queries.unread_count(current_user.id) if found is None else found
    }


# The learner's own plan -----------------------------------------------------------------------


@bp.get("/")
@requires(Permission.KEEP_PLAN)
def mine():
    return redirect(url_for("plans.year", year=local_today().year))


def _plan_forms(year: int, today: date) -> dict[str, object]:
    """The plan page's forms, empty but for what today suggests (the month planned; the days
    of an activity this year); a refused one is shown instead with what was typed."""
    planned = values.planned_default(year, today)
    day = today.isoformat() if year == today.year else ""
    return {
        "course_form": CourseForm(formdata=None, planned=planned),
        "external_form": ExternalForm(formdata=None, planned=planned, starts_on=day, ends_on=day),
        "note_form": NoteForm(formdata=None),
        "self_form": AssessmentForm(formdata=None),
        "assess_form": AssessmentForm(formdata=None),
        "decision_form": DecisionForm(formdata=None),
        "verify_form": VerifyForm(formdata=None),
        "verify_for": None,  # the activity whose verify_form was refused
    }


def _plan_page(
    plan: StudyPlan | None,
    person: Person,
    year: int,
    *,
    version_number: int | None,
    own: bool,
    refused: dict[str, object] | None = None,
) -> ResponseReturnValue:
    """The plan page; refused names the form posted and refused, shown again by its fields
    (answered 400)."""
    today = local_today()
    progress = queries.person_year(person.id, person.employment_kind, year, today)
    version = None
    if plan is not None:
        version = next((v for v in plan.versions if v.number == version_number), plan.latest)
    return render_template(
        "plans/plan.html",
        plan=plan,
        version=version,
        person=person,
        year=year,
        own=own,
        progress=progress,
        activities=queries.activities_of(person.id, year),
        years=queries.plan_years(person.id),
        courses=queries.course_choices() if own else [],
        can_decide=plan is not None and permissions.can_decide(current_user, person.id, year),
        flagged=[] if own else flagged_completion_details(person.id, *year_days(year)),
        in_unit=bool(queries.memberships_in_year([person.id], year)),
        today=today,
        **_context(),
        **(_plan_forms(year, today) | (refused or {})),
    ), (400 if refused else 200)


@bp.before_request
def _known_years_only():
    """Answer 404 for a year in a URL that no plan can have (and dates cannot hold)."""
    year = (request.view_args or {}).get("year")
    if year is not None and not values.FIRST_YEAR <= year <= local_today().year + 1:
        abort(404)


@bp.get("/<int:year>")
@requires(Permission.KEEP_PLAN)
def year(year: int) -> ResponseReturnValue:
    plan = queries.plan_of(current_user.id, year)
    return _plan_page(plan, current_user, year, version_number=_int_arg("version"), own=True)


def _own_plan_change(
    year: int, change: Callable[[StudyPlan], object], message: str
) -> ResponseReturnValue:
    target = url_for("plans.year", year=year)
    with saving(message):
        plan = workflow.plan_for(current_user, year)
        change(plan)
    return redirect(target)


def _own_plan_form(
    year: int,
    name: str,
    form: Form,
    change: Callable[[StudyPlan], object],
    message: str,
    *,
    refused: Callable[[], None] | None = None,
) -> ResponseReturnValue:
    """Save a form of the learner's own plan page, or show the page again with the form
    refused by its fields (name: the form's name on the page); refused runs first, after the
    change was rolled back (to keep the file sent with it)."""
    if form.validate():
        with saving(message, show=False) as saved:
            change(workflow.plan_for(current_user, year))
        if saved:
            return redirect(url_for("plans.year", year=year))
        form.refuse(saved.refusal)
    if refused is not None:
        refused()
    plan = queries.plan_of(current_user.id, year)
    return _plan_page(plan, current_user, year, version_number=None, own=True, refused={name: form})


@bp.post("/<int:year>/courses")
@requires(Permission.KEEP_PLAN)
def add_course(year: int) -> ResponseReturnValue:
    form = CourseForm()
    return _own_plan_form(
        year,
        "course_form",
        form,
        lambda plan: workflow.add_course(
            plan,
            course_id=form.course.data or "",
            planned=form.planned.data or "",
            expected_hours=form.expected_hours.data,
        ),
        _("Đã thêm khóa học vào kế hoạch."),
    )


@bp.post("/<int:year>/activities")
@requires(Permission.KEEP_PLAN)
def add_external(year: int) -> ResponseReturnValue:
    """Add a training outside the platform. A refused form is shown again with what was typed
    and the file it was sent with kept a day (lms.uploads): the page says "đã đính kèm" and the
    next send uses it unless another file is chosen."""
    form = ExternalForm()
    upload, kept = pending.chosen(
        current_user.id,
        plan_evidence.PENDING,
        form.evidence.data,
        form.evidence_pending.data,
        plan_evidence.MAX_EVIDENCE_BYTES,
    )

    def change(plan: StudyPlan) -> None:
        if upload is None and form.evidence_pending.data:
            raise PlanError(
                _("Tệp đã đính kèm không còn được giữ (quá một ngày): hãy chọn lại tệp."),
                field="evidence",
            )
        if kept is not None:
            pending.discard(kept)
        workflow.add_external(
            plan,
            kind=form.kind.data or "",
            title=form.title.data or "",
            organiser=form.organiser.data or "",
            starts_on=form.starts_on.data or "",
            ends_on=form.ends_on.data or "",
            hours=form.hours.data or "",
            planned=form.planned.data or None,
            evidence=upload,
        )

    def keep_file() -> None:
        if form.evidence.errors:  # the file itself was refused: another must be chosen
            form.kept = None
            if kept is not None or upload is not None:
                pending.forget(current_user.id, plan_evidence.PENDING)
                db.session.commit()
            return
        form.kept = kept
        if kept is not None or upload is None:
            return  # nothing new to keep
        with saving(show=False) as saved:
            plan_evidence.evidence_type(upload)
            form.kept = pending.keep(
                current_user.id, plan_evidence.PENDING, upload.filename, upload.data
            )
            plan_evidence.check_quota(current_user.id, upload)
        if not saved:
            form.kept = None
            form.refuse(saved.refusal)

    return _own_plan_form(
        year,
        "external_form",
        form,
        change,
        _("Đã thêm hoạt động ngoài nền tảng; số giờ được tính khi lãnh đạo xác nhận."),
        refused=keep_file,
    )


@bp.post("/activities/<id:activity_id>/evidence")
@requires(Permission.KEEP_PLAN)
def attach_evidence(activity_id: int) -> ResponseReturnValue:
    activity = db.session.get(ExternalActivity, activity_id)
    if activity is None or activity.person_id != current_user.id:
        abort(404)
    target = url_for("plans.year", year=activity.year)
    upload = pending.sent(request.files.get("evidence"), plan_evidence.MAX_EVIDENCE_BYTES)
    with saving(_("Đã lưu minh chứng.")):
        if upload is None:
            raise PlanError(_("Chưa chọn tệp minh chứng."))
        plan_evidence.attach_evidence(activity, current_user, upload)
    return redirect(target)


@bp.post("/<int:year>/items/<id:item_id>/remove")
@requires(Permission.KEEP_PLAN)
def remove_item(year: int, item_id: int) -> ResponseReturnValue:
    return _own_plan_change(
        year, lambda plan: workflow.remove_item(plan, item_id), _("Đã bỏ mục khỏi kế hoạch.")
    )


@bp.post("/<int:year>/note")
@requires(Permission.KEEP_PLAN)
def save_note(year: int) -> ResponseReturnValue:
    form = NoteForm()
    return _own_plan_form(
        year,
        "note_form",
        form,
        lambda plan: workflow.save_note(plan, form.note.data or ""),
        _("Đã lưu ghi chú."),
    )


@bp.post("/<int:year>/submit")
@requires(Permission.KEEP_PLAN)
def submit(year: int) -> ResponseReturnValue:
    return _own_plan_change(
        year, lambda plan: workflow.submit(plan, actor=current_user), _("Đã gửi kế hoạch để duyệt.")
    )


@bp.post("/<int:year>/revise")
@requires(Permission.KEEP_PLAN)
def revise(year: int) -> ResponseReturnValue:
    return _own_plan_change(
        year,
        lambda plan: workflow.revise(plan, actor=current_user),
        _("Đã tạo phiên bản mới; sửa xong hãy gửi duyệt lại."),
    )


@bp.post("/<int:year>/copy")
@requires(Permission.KEEP_PLAN)
def copy_last_year(year: int) -> ResponseReturnValue:
    target = url_for("plans.year", year=year)
    with saving(_("Đã sao chép kế hoạch năm trước thành bản nháp.")):
        workflow.copy_last_year(current_user, year)
    return redirect(target)


@bp.post("/<int:year>/self-assessment")
@requires(Permission.KEEP_PLAN)
def self_assess(year: int) -> ResponseReturnValue:
    form = AssessmentForm()
    return _own_plan_form(
        year,
        "self_form",
        form,
        lambda plan: workflow.self_assess(plan, form.text.data or "", actor=current_user),
        _("Đã lưu tự đánh giá."),
    )


# One plan, as its readers see it ---------------------------------------------------------------


@bp.get("/view/<id:plan_id>")
@requires(Permission.KEEP_PLAN)
def show(plan_id: int) -> ResponseReturnValue:
    plan = _plan_or_404(plan_id)
    if not permissions.can_read_plan(current_user, plan.person_id, plan.year):
        abort(403)
    own = plan.person_id == current_user.id
    record_view("plans.show", person_id=plan.person_id)
    return _plan_page(plan, plan.person, plan.year, version_number=_int_arg("version"), own=own)


@bp.post("/view/<id:plan_id>/decide")
@requires(Permission.KEEP_PLAN)
def decide(plan_id: int) -> ResponseReturnValue:
    plan = _plan_or_404(plan_id)
    if not permissions.can_decide(current_user, plan.person_id, plan.year):
        abort(403)
    form = DecisionForm()
    if form.validate():
        approve = form.decision.data == "approve"
        done = _("Đã duyệt kế hoạch.") if approve else _("Đã trả lại kế hoạch.")
        with saving(done, show=False) as saved:
            workflow.decide(
                plan,
                actor=current_user,
                approve=approve,
                version_number=form.version.data,
                revision=form.revision.data,
                comment=form.comment.data,
            )
        if saved:
            return redirect(url_for("plans.show", plan_id=plan_id))
        form.refuse(saved.refusal)
    return _reader_page(plan, {"decision_form": form})


def _reader_page(plan: StudyPlan, refused: dict[str, object]) -> ResponseReturnValue:
    """One plan as its reader saw it, shown again with the form they sent refused."""
    own = plan.person_id == current_user.id
    return _plan_page(plan, plan.person, plan.year, version_number=None, own=own, refused=refused)


@bp.post("/view/<id:plan_id>/assessment")
@requires(Permission.KEEP_PLAN)
def assess(plan_id: int) -> ResponseReturnValue:
    plan = _plan_or_404(plan_id)
    if not permissions.can_decide(current_user, plan.person_id, plan.year):
        abort(403)
    form = AssessmentForm()
    with saving(_("Đã lưu đánh giá."), show=False) as saved:
        workflow.manager_assess(plan, form.text.data or "", actor=current_user)
    if saved:
        return redirect(url_for("plans.show", plan_id=plan_id))
    form.refuse(saved.refusal)
    return _reader_page(plan, {"assess_form": form})


@bp.post("/activities/<id:activity_id>/verify")
@requires(Permission.KEEP_PLAN)
def verify_activity(activity_id: int) -> ResponseReturnValue:
    activity = db.session.get(ExternalActivity, activity_id)
    if activity is None:
        abort(404)
    if not permissions.can_decide(current_user, activity.person_id, activity.year):
        abort(403)
    plan = queries.plan_of(activity.person_id, activity.year)
    target = url_for("plans.show", plan_id=plan.id) if plan else url_for("plans.mine")
    form = VerifyForm()
    if form.validate():
        verified = form.decision.data == "verify"
        done = _("Đã xác nhận hoạt động.") if verified else _("Đã từ chối hoạt động.")
        with saving(done, show=False) as saved:
            workflow.verify_activity(
                activity, actor=current_user, verified=verified, reason=form.reason.data
            )
        if saved:
            return redirect(target)
        form.refuse(saved.refusal)
    if plan is None:  # no page shows this activity's form: say why at the top of the next
        _flash_problems(form)
        return redirect(target)
    return _reader_page(plan, {"verify_form": form, "verify_for": activity_id})


def _flash_problems(form: Form) -> None:
    for field in form:
        for message in field.errors:
            flash(str(message), "error")


@bp.get("/evidence/<token>")
@requires(Permission.KEEP_PLAN)
def evidence(token: str) -> ResponseReturnValue:
    found = db.session.query(EvidenceFile).filter_by(token=token[:43]).one_or_none()
    if found is None:
        abort(404)
    activity = db.session.query(ExternalActivity).filter_by(evidence_id=found.id).first()
    year = activity.year if activity else local_today().year
    if found.owner_id != current_user.id and not permissions.can_read_plan(
        current_user, found.owner_id, year
    ):
        abort(403)
    record_view("plans.evidence", person_id=found.owner_id)
    response = make_response(found.data)
    extension = {
        "application/pdf": "pdf",
        "image/png": "png",
        "image/jpeg": "jpg",
        "image/webp": "webp",
    }
    response.headers["Content-Type"] = found.content_type
    response.headers["Content-Disposition"] = (
        f'attachment; filename="minh-chung-{found.id}.{extension[found.content_type]}"'
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# The unit's dashboard and assignments ----------------------------------------------------------


@bp.get("/units")
@requires(Permission.KEEP_PLAN)
def units():
    """Send a manager to their unit's dashboard; let HCTH and administrators pick a unit."""
    today = local_today()
    managed = sorted(current_user.managed_unit_ids)
    if managed:
        return redirect(url_for("plans.dashboard", unit_id=managed[0], year=today.year))
    if not permissions.may(current_user, Permission.VIEW_REPORTS):
        abort(403)
    return render_template("plans/units.html", units=unit_choices(today), year=today.year)


@bp.get("/units/<id:unit_id>/<int:year>")
@requires(Permission.KEEP_PLAN)
def dashboard(unit_id: int, year: int) -> ResponseReturnValue:
    if not permissions.can_view_unit(current_user, unit_id):
        abort(403)
    args = request.args
    sort = args.get("sort", "name")
    board = queries.dashboard(
        unit_id,
        year,
        local_today(),
        viewer=current_user,
        status=args.get("status", ""),
        search=args.get("q", "").strip()[:100],
        sort=sort,
        descending=args.get("desc") == "1",
        page=_int_arg("page", 1) or 1,
    )
    # The unit's name that year comes with the board (read once per reference stamp); only a
    # unit that had none that year is loaded, to be named by its code (or found missing).
    unit_name = board.unit_names.get(unit_id)
    if unit_name is None:
        unit_name = (db.session.get(Unit, unit_id) or abort(404)).code
    record_view("plans.dashboard", scope=f"Kế hoạch học tập: {unit_name}, năm {year}")
    return render_template(
        "plans/dashboard.html",
        unit_id=unit_id,
        unit_name=unit_name,
        year=year,
        board=board,
        filters={
            "status": args.get("status", ""),
            "q": args.get("q", ""),
            "sort": sort,
            "desc": args.get("desc", ""),
        },
        can_manage=permissions.may(current_user, Permission.MANAGE_UNIT, unit_id),
        managed_units=sorted(current_user.managed_unit_ids),
        **_context(),
    )


@bp.post("/units/<id:unit_id>/<int:year>/nudge")
@requires(Permission.MANAGE_UNIT, unit=lambda unit_id, year: unit_id)
def nudge(unit_id: int, year: int) -> ResponseReturnValue:
    """Nhắc: a notice (and e-mail) to one person, or to everyone without a plan or behind."""
    unit = db.session.get(Unit, unit_id) or abort(404)
    values.check_year(year)
    with saving(show=True) as saved:
        notified, chosen = nudges.nudge(
            unit, year, request.form.get("who", "")[:20], manager=current_user, today=local_today()
        )
    if saved:
        if chosen == 0:
            flash(_("Không có ai cần nhắc."), "info")
        elif notified == 0:
            flash(_("Những người này đã được nhắc hôm nay rồi."), "info")
        else:
            flash(_("Đã nhắc %(n)d người.", n=notified), "success")
    return redirect(url_for("plans.dashboard", unit_id=unit_id, year=year))


@bp.post("/units/<id:unit_id>/<int:year>/decide")
@requires(Permission.MANAGE_UNIT, unit=lambda unit_id, year: unit_id)
def bulk_decide(unit_id: int, year: int) -> ResponseReturnValue:
    """Approve or return the ticked plans, each checked on its own; say what became of each."""
    target = url_for("plans.dashboard", unit_id=unit_id, year=year)
    form = BulkDecisionForm()
    if not form.validate():
        _flash_problems(form)
        return redirect(target)
    approve = form.decision.data == "approve"
    comment = form.comment.data
    done, refused = 0, []
    for plan_id, version, revision in form.plan.data:
        plan = db.session.get(StudyPlan, plan_id)
        if plan is None or plan.year != year:
            continue
        with saving(show=False) as saved:  # each plan stands or falls alone
            workflow.decide(
                plan,
                actor=current_user,
                approve=approve,
                version_number=version,
                revision=revision,
                comment=comment,
            )
        if saved:
            done += 1
        else:
            refused.append(str(saved.error))
    if done:
        flash(
            _("Đã duyệt %(n)d kế hoạch.", n=done)
            if approve
            else _("Đã trả lại %(n)d kế hoạch.", n=done),
            "success",
        )
    for message in refused:
        flash(message, "error")
    if not done and not refused:
        flash(_("Chưa chọn kế hoạch nào."), "error")
    return redirect(target)


@bp.get("/units/<id:unit_id>/<int:year>/assignments")
@requires(Permission.MANAGE_UNIT, unit=lambda unit_id, year: unit_id)
def assignments(unit_id: int, year: int) -> ResponseReturnValue:
    unit = db.session.get(Unit, unit_id) or abort(404)
    due = unit_assignments.due_default(year, local_today())
    return _assignments_page(unit, year, AssignmentForm(formdata=None, due_on=due.isoformat()))


def _assignments_page(
    unit: Unit, year: int, form: AssignmentForm, status: int = 200
) -> ResponseReturnValue:
    page = render_template(
        "plans/assignments.html",
        unit=unit,
        unit_name=queries.unit_names_in_year([unit.id], year).get(unit.id, unit.code),
        year=year,
        assignments=queries.assignments_of_unit(unit.id, year),
        courses=queries.course_choices(),
        form=form,
    )
    return page, status


@bp.post("/units/<id:unit_id>/<int:year>/assignments")
@requires(Permission.MANAGE_UNIT, unit=lambda unit_id, year: unit_id)
def create_assignment(unit_id: int, year: int) -> ResponseReturnValue:
    unit = db.session.get(Unit, unit_id) or abort(404)
    form = AssignmentForm()
    if form.validate():
        with saving(_("Đã giao khóa học cho đơn vị."), show=False) as saved:
            assignment = unit_assignments.assign_course(
                unit=unit,
                course_id=form.course.data or "",
                year=year,
                kind=form.kind.data or "",
                due_on=form.due_on.data or "",
                include_subunits=bool(form.include_subunits.data),
                actor_id=current_user.id,
            )
            form.confirm(unit_assignments.assignment_warnings(assignment, local_today()))
        if saved:
            return redirect(url_for("plans.assignments", unit_id=unit_id, year=year))
        form.refuse(saved.refusal)
    # Shown again with what was typed and each message by its field, or what to confirm.
    return _assignments_page(unit, year, form, status=400 if form.problem_count() else 200)


@bp.post("/assignments/<id:assignment_id>/withdraw")
@requires(Permission.MANAGE_UNIT, unit=lambda assignment_id: _assignment_unit(assignment_id))
def withdraw_assignment(assignment_id: int) -> ResponseReturnValue:
    assignment = db.session.get(UnitAssignment, assignment_id) or abort(404)
    target = url_for("plans.assignments", unit_id=assignment.unit_id, year=assignment.year)
    with saving(_("Đã thu hồi; kết quả đã đạt của mọi người vẫn được giữ.")):
        unit_assignments.withdraw_assignment(assignment, actor_id=current_user.id)
    return redirect(target)


# Yearly target rules --------------------------------------------------------------------------


@bp.get("/rules")
@requires(Permission.MANAGE_UNITS)
def rules():
    history = queries.rule_history()
    chosen = _int_arg("edit") or _int_arg("correct")
    found = next((rule for rule in history if rule.id == chosen), None)
    if found is not None and _int_arg("correct") is not None:
        return _rules_page(CorrectionForm(formdata=None, data=_figures(found)), correct=found)
    # A new rule, or a new version of one, takes effect from today unless another day is typed.
    data: dict[str, object] = {"amount": Decimal(40), "effective_from": local_today().isoformat()}
    if found is not None:
        data |= _figures(found) | {
            "code": found.code,
            "employment_kinds": list(found.employment_kinds),
            "effective_until": found.effective_until.isoformat() if found.effective_until else "",
        }
    return _rules_page(RuleForm(formdata=None, data=data), edit=found)


def _figures(rule: TargetRule) -> dict[str, object]:
    """A rule version's figures as its forms hold them."""
    return {
        "amount": rule.amount,
        "unit": rule.unit,
        "minutes_per_tiet": rule.minutes_per_tiet,
        "legal_basis": rule.legal_basis,
        "full_year": rule.full_year,
    }


def _rules_page(
    form: RuleForm | CorrectionForm,
    *,
    edit: TargetRule | None = None,
    correct: TargetRule | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    """The rules and the form below them: a new rule or version, or a correction of correct."""
    page = render_template(
        "plans/rules.html",
        rules=queries.rule_history(),
        governed=queries.governed_rule_versions(),
        employment_labels=EMPLOYMENT_LABELS,
        form=form,
        edit=edit,
        correct=correct,
        correct_years=target_rules.years_governed(correct, local_today()) if correct else [],
    )
    return page, status


@bp.post("/rules")
@requires(Permission.MANAGE_UNITS)
def save_rule():
    form = RuleForm()
    if form.validate():
        done = _("Đã lưu chỉ tiêu; các ngày trước ngày hiệu lực vẫn theo phiên bản cũ.")
        with saving(done, show=False) as saved:
            target_rules.add_rule_version(
                code=form.code.data or "",
                amount=form.amount.data or "",
                unit=form.unit.data or "",
                minutes_per_tiet=form.minutes_per_tiet.data or "",
                legal_basis=form.legal_basis.data or "",
                employment_kinds=form.employment_kinds.data or [],
                effective_from=form.effective_from.data or "",
                effective_until=form.effective_until.data or "",
                full_year=bool(form.full_year.data),
                actor_id=current_user.id,
            )
        if saved:
            return redirect(url_for("plans.rules"))
        form.refuse(saved.refusal)
    # A new version of a rule is headed as one, as on the page the form came from.
    code = (form.code.data or "").strip().upper()
    versions = [rule for rule in queries.rule_history() if rule.code == code]
    edit = max(versions, key=lambda rule: rule.version, default=None)
    return _rules_page(form, edit=edit, status=400)


@bp.post("/rules/<id:rule_id>/correct")
@requires(Permission.MANAGE_UNITS)
def correct_rule(rule_id: int) -> ResponseReturnValue:
    rule = db.session.get(TargetRule, rule_id) or abort(404)
    form = CorrectionForm()
    if form.validate():
        with saving(show=False) as saved:
            years = target_rules.correct_rule_version(
                rule,
                amount=form.amount.data or "",
                unit=form.unit.data or "",
                minutes_per_tiet=form.minutes_per_tiet.data or "",
                legal_basis=form.legal_basis.data or "",
                full_year=bool(form.full_year.data),
                confirmed_years=form.confirmed_years.data or "",
                actor_id=current_user.id,
                today=local_today(),
            )
            saved.done = _(
                "Đã đính chính %(code)s, phiên bản %(n)d; số liệu các năm %(years)s đã thay đổi.",
                code=rule.code,
                n=rule.version,
                years=", ".join(str(year) for year in years),
            )
        if saved:
            return redirect(url_for("plans.rules"))
        form.refuse(saved.refusal)
    return _rules_page(form, correct=rule, status=400)


# Notifications --------------------------------------------------------------------------------


@bp.get("/notifications")
@signed_in
def notifications():
    return render_template(
        "plans/notifications.html", notifications=queries.notifications_of(current_user.id)
    )


@bp.post("/notifications/read")
@signed_in
def mark_read():
    with saving():
        reminders.mark_all_read(current_user)
    return redirect(url_for("plans.notifications"))
