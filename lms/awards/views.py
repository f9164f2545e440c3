"""Awards pages: criteria sets and their preview, points entry, initiatives and decisions.

Routes
    GET  /awards/                              criteria sets (HCTH, admin)
    GET  /awards/sets/new, POST                define a set
    GET  /awards/sets/<id>/edit, POST          change a set
    POST /awards/sets/<id>/delete              delete a set no nomination list uses
    GET  /awards/sets/<id>                     who passes, with the fact behind each mark
    GET  /awards/sets/<id>/points, POST        points on manual indicators (managers, HCTH)
    GET  /awards/initiatives                   initiatives the reader may see
    GET  /awards/initiatives/new, POST         record an initiative
    GET  /awards/initiatives/<id>              one initiative
    GET  /awards/initiatives/<id>/edit, POST   change it
    POST /awards/initiatives/<id>/decide       approve or reject it
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.access import requires
from lms.accounts.models import Person
from lms.audit.access_log import period_scope, record_view
from lms.auth.access import may
from lms.awards import queries, services
from lms.awards.criteria import points_text
from lms.awards.forms import (
    KIND_LABELS,
    PRESETS,
    SOURCE_LABELS,
    DecisionForm,
    InitiativeForm,
    SetForm,
    typed_points,
)
from lms.awards.models import (
    RECOGNITION_LABELS,
    CriteriaSet,
    IndicatorSource,
    Initiative,
    InitiativeStatus,
)
from lms.awards.services import FIRST_YEAR, InitiativeInput, Scorable
from lms.courses.format import CATEGORIES
from lms.db import db, parse_id
from lms.forms import Unconfirmed
from lms.i18n import gettext as _
from lms.i18n import lazy_gettext as _l
from lms.i18n import local_today, vn_date
from lms.org.models import Unit
from lms.org.queries import unit_choices, unit_named
from lms.org.roster import Period, members_in, selection
from lms.org.scope import people_reached, units_reached
from lms.pagination import page_of
from lms.plans.years import year_days
from lms.roles import Permission
from lms.web import saving

bp = Blueprint("awards", __name__, url_prefix="/awards", template_folder="templates")

PER_PAGE = 50
STATUS_LABELS = {
    InitiativeStatus.PENDING: _l("Chờ duyệt"),
    InitiativeStatus.APPROVED: _l("Đã công nhận"),
    InitiativeStatus.REJECTED: _l("Không công nhận"),
}
LEVEL_LABELS = RECOGNITION_LABELS


def _page_number() -> int:
    return parse_id(request.args.get("page", "")) or 1


def _manages_something() -> bool:
    """HCTH, administrators and unit managers: checked before a record is even looked up."""
    return may(current_user, Permission.MANAGE_AWARDS) or may(current_user, Permission.MANAGE_UNIT)


def _set_or_404(set_id: int) -> CriteriaSet:
    return queries.criteria_set(set_id) or abort(404)


def _chosen_unit() -> int | None:
    """The unit named by ?unit=, or None for the whole agency (lms.org.queries.unit_named)."""
    return unit_named(request.args.get("unit", ""))


# Criteria sets ---------------------------------------------------------------------------------


@bp.get("/")
@requires(Permission.MANAGE_AWARDS)
def sets():
    return render_template(
        "awards/sets.html",
        sets=queries.criteria_sets(),
        manual_ids={s.id for s in queries.sets_with_manual_indicators()},
    )


def _form_page(
    form: SetForm,
    criteria_set: CriteriaSet | None,
    problems: Iterable[str] = (),
    status: int = 200,
) -> tuple[str, int]:
    today = local_today()
    return (
        render_template(
            "awards/set_form.html",
            form=form,
            criteria_set=criteria_set,
            problems=list(problems),
            kinds=list(KIND_LABELS.items()),
            sources=list(SOURCE_LABELS.items()),
            categories=list(CATEGORIES.items()),
            presets=[(key, label) for key, (_f, _l2, label) in PRESETS.items()],
            years=list(range(2024, today.year + 2)),
        ),
        status,
    )


@bp.get("/sets/new")
@requires(Permission.MANAGE_AWARDS)
def new_set():
    """An empty set for this year (its period can be changed, or a campaign phase chosen)."""
    year = local_today().year
    form = SetForm(formdata=None, first=f"01/01/{year}", last=f"31/12/{year}")
    return _form_page(form, None)


def _save_set(criteria_set: CriteriaSet | None) -> ResponseReturnValue:
    form = SetForm()
    if "add_rows" in request.form:
        form.add_rows()
        return _form_page(form, criteria_set)
    spec, read_problems = form.to_spec(criteria_set.id if criteria_set else None)
    with saving(show=False) as outcome:
        saved = services.save_set(
            criteria_set,
            spec,
            description=form.description.data or "",
            read_problems=read_problems,
            actor_id=current_user.id,
        )
        form.confirm(services.set_warnings(spec, local_today()))
        outcome.done = _("Đã lưu bộ tiêu chí “%(name)s”.", name=saved.name)
    if not outcome:
        if isinstance(outcome.refusal, Unconfirmed):
            form.refuse(outcome.refusal)
            return _form_page(form, criteria_set)
        return _form_page(form, criteria_set, outcome.refusal.messages, status=400)
    return redirect(url_for("reports.criteria_preview", set_id=saved.id))


@bp.post("/sets/new")
@requires(Permission.MANAGE_AWARDS)
def create_set():
    return _save_set(None)


@bp.get("/sets/<id:set_id>/edit")
@requires(Permission.MANAGE_AWARDS)
def edit_set(set_id: int) -> ResponseReturnValue:
    criteria_set = _set_or_404(set_id)
    return _form_page(SetForm.of(criteria_set), criteria_set)


@bp.post("/sets/<id:set_id>/edit")
@requires(Permission.MANAGE_AWARDS)
def update_set(set_id: int) -> ResponseReturnValue:
    return _save_set(_set_or_404(set_id))


@bp.post("/sets/<id:set_id>/delete")
@requires(Permission.MANAGE_AWARDS)
def delete_set(set_id: int) -> ResponseReturnValue:
    criteria_set = _set_or_404(set_id)
    name = criteria_set.name
    with saving(_("Đã xóa bộ tiêu chí “%(name)s”.", name=name)):
        services.delete_set(criteria_set)
    return redirect(url_for("awards.sets"))


@bp.get("/sets/<id:set_id>")
@requires(Permission.MANAGE_AWARDS)
def preview(set_id: int) -> ResponseReturnValue:
    """The preview moved to the reports (it reads the roster); old bookmarks still work."""
    query = request.query_string.decode()
    target = url_for("reports.criteria_preview", set_id=set_id)
    return redirect(f"{target}?{query}" if query else target)


# Points on manual indicators --------------------------------------------------------------------


def _scoring_scope(criteria_set: CriteriaSet) -> tuple[int | None, list[Scorable], list]:
    """The unit chosen, the people of it the user may score, and the units to choose from.

    HCTH and administrators score anyone (the whole organisation when no unit is chosen); a
    manager scores the people of a unit they manage, with its sub-units, during the period.
    """
    unit_id = _chosen_unit()
    today = local_today()
    if may(current_user, Permission.MANAGE_AWARDS):
        choices = unit_choices(criteria_set.last_day)
    elif may(current_user, Permission.MANAGE_UNIT):
        reach = units_reached(current_user, today) or set()
        choices = [c for c in unit_choices(criteria_set.last_day) if c.unit_id in reach]
        if unit_id is None:
            managed = sorted(current_user.managed_unit_ids)
            unit_id = managed[0] if managed else None
        if unit_id is None or not may(current_user, Permission.MANAGE_UNIT, unit_id):
            abort(403)
    else:
        abort(403)
    # The people of the criteria set's roster: the same selection, without reading figures.
    on_roster = members_in(
        selection(
            Period(criteria_set.first_day, criteria_set.last_day),
            today,
            unit_id=unit_id,
            search="",
            viewer=current_user,
        )
    )
    people = list({m.person_id: Scorable(m.person_id, m.full_name) for m in on_roster}.values())
    return unit_id, people, choices


def _points_page(
    criteria_set: CriteriaSet,
    typed: Mapping[tuple[int, int], str] | None = None,
    problems: Iterable[str] = (),
    status: int = 200,
) -> tuple[str, int]:
    unit_id, people, choices = _scoring_scope(criteria_set)
    spec = queries.spec_of(criteria_set)
    indicators = [
        i for c in spec.criteria for i in c.indicators if i.source == IndicatorSource.MANUAL
    ]
    if not indicators:
        abort(404)
    page = page_of(people, parse_id(request.values.get("page", "")) or 1, PER_PAGE)
    entered = queries.manual_points(spec, [p.person_id for p in page.items])
    values = {
        (person.person_id, indicator.id): (
            typed.get((person.person_id, indicator.id or 0), "")
            if typed is not None
            else (
                points_text(entered[person.person_id][indicator.id])
                if indicator.id in entered.get(person.person_id, {})
                else ""
            )
        )
        for person in page.items
        for indicator in indicators
    }
    filters: dict[str, int | str] = {"set_id": criteria_set.id}
    if unit_id:
        filters["unit"] = unit_id
    record_view(
        "awards.points",
        scope=period_scope(
            _("Chấm điểm “%(name)s”", name=criteria_set.name),
            unit.code if unit_id and (unit := db.session.get(Unit, unit_id)) else _("toàn cơ quan"),
            criteria_set.first_day,
            criteria_set.last_day,
        ),
    )
    return (
        render_template(
            "awards/points.html",
            criteria_set=criteria_set,
            indicators=indicators,
            page=page,
            values=values,
            units=choices,
            chosen_unit=unit_id,
            whole_organisation=may(current_user, Permission.MANAGE_AWARDS),
            problems=list(problems),
            filters=filters,
        ),
        status,
    )


@bp.get("/sets/<id:set_id>/points")
@requires(Permission.KEEP_PLAN)
def points(set_id: int) -> ResponseReturnValue:
    if not _manages_something():
        abort(403)
    criteria_set = _set_or_404(set_id)
    return _points_page(criteria_set)


@bp.post("/sets/<id:set_id>/points")
@requires(Permission.KEEP_PLAN)
def save_points(set_id: int) -> ResponseReturnValue:
    if not _manages_something():
        abort(403)
    criteria_set = _set_or_404(set_id)
    _unit_id, people, _choices = _scoring_scope(criteria_set)
    typed = typed_points(request.form)
    with saving(show=False) as saved:
        changed = services.enter_points(criteria_set, people, typed, actor_id=current_user.id)
        saved.done = _("Đã lưu điểm (%(n)d ô thay đổi).", n=changed)
    if not saved:
        return _points_page(criteria_set, typed, saved.refusal.messages, status=400)
    return redirect(
        url_for(
            "awards.points",
            set_id=set_id,
            page=request.form.get("page", "1"),
            unit=request.args.get("unit") or None,  # None: left out of the address
        )
    )


# Initiatives ------------------------------------------------------------------------------------


def _recordable_units() -> set[int] | None:
    """Units the user may record initiatives for; None for every unit (HCTH, admin)."""
    if may(current_user, Permission.MANAGE_AWARDS):
        return None
    if may(current_user, Permission.MANAGE_UNIT):
        return units_reached(current_user, local_today()) or set()
    return set()


def _may_manage(initiative: Initiative) -> bool:
    return may(current_user, Permission.MANAGE_AWARDS) or may(
        current_user, Permission.MANAGE_UNIT, initiative.unit_id
    )


def _initiative_or_404(initiative_id: int) -> Initiative:
    return db.session.get(Initiative, initiative_id) or abort(404)


def _unit_options(reach: set[int] | None) -> list:
    return [c for c in unit_choices(local_today()) if reach is None or c.unit_id in reach]


@bp.get("/initiatives")
@requires(Permission.KEEP_PLAN)
def initiatives():
    reach = _recordable_units()
    args = request.args
    year = parse_id(args.get("year", ""))
    status = args.get("status", "")
    search = args.get("q", "").strip()[:100]
    unit_id = _chosen_unit()
    page = queries.initiatives_page(
        page=_page_number(),
        year=year,
        unit_id=unit_id,
        status=status if status in set(InitiativeStatus) else "",
        search=search,
        visible_units=reach,
        author_id=current_user.id,
    )
    filters: dict[str, int | str] = {"q": search}
    if year:
        filters["year"] = year
    if unit_id:
        filters["unit"] = unit_id
    if status in set(InitiativeStatus):
        filters["status"] = status
    today = local_today()
    return render_template(
        "awards/initiatives.html",
        page=page,
        unit_names=queries.unit_names_in_years((i.unit_id, i.year) for i in page.items),
        filters=filters,
        years=list(range(today.year + 1, 2019, -1)),
        units=_unit_options(reach) if reach is None or reach else [],
        can_record=reach is None or bool(reach),
        scoring_sets=queries.sets_with_manual_indicators() if reach is None or reach else [],
        status_labels=STATUS_LABELS,
        level_labels=LEVEL_LABELS,
    )


def _author_reach():
    """Who the user may name as authors for a year: None (anyone) for HCTH and administrators;
    for a manager, the people they reached on some day of that year (lms.org.scope)."""
    if may(current_user, Permission.MANAGE_AWARDS):
        return None
    today = local_today()
    return lambda ids, year: people_reached(current_user, ids, *year_days(year), today)


def _form_year(data: InitiativeInput) -> int:
    year = parse_id(data.year)
    return (
        year
        if year is not None and FIRST_YEAR <= year <= local_today().year + 1
        else (local_today().year)
    )


def _initiative_form(
    data: InitiativeInput,
    initiative: Initiative | None,
    problems: Iterable[str] = (),
    status: int = 200,
    form: InitiativeForm | None = None,
) -> tuple[str, int]:
    """The form; the author picker searches people by name (within the user's reach for the
    initiative's year) instead of listing everyone."""
    reach = _recordable_units()
    year = _form_year(data)
    chosen_ids = [parse_id(a) for a in data.author_ids]
    chosen = queries.authors_by_id([i for i in chosen_ids if i is not None], year)
    search = (form.author_q.data or "") if form is not None else ""
    found = [
        person
        for person in queries.author_search(current_user, search, year, local_today())
        if person.person_id not in {c.person_id for c in chosen}
    ]
    return (
        render_template(
            "awards/initiative_form.html",
            data=data,
            initiative=initiative,
            chosen_authors=chosen,
            found_authors=found,
            author_search=search,
            searched=bool(search),
            units=_unit_options(reach),
            level_labels=LEVEL_LABELS,
            problems=list(problems),
        ),
        status,
    )


@bp.get("/initiatives/new")
@requires(Permission.KEEP_PLAN)
def new_initiative():
    if _recordable_units() == set():
        abort(403)
    return _initiative_form(InitiativeInput(year=str(local_today().year)), None)


@bp.post("/initiatives/new")
@requires(Permission.KEEP_PLAN)
def create_initiative():
    reach = _recordable_units()
    if reach == set():
        abort(403)
    form = InitiativeForm()
    data = form.input()
    if request.form.get("find"):
        return _initiative_form(data, None, form=form)
    with saving(_("Đã ghi nhận sáng kiến; chờ duyệt."), show=False) as saved:
        initiative = services.record_initiative(
            data,
            latest_year=local_today().year + 1,
            allowed_units=reach,
            actor_id=current_user.id,
            author_reach=_author_reach(),
        )
    if not saved:
        return _initiative_form(data, None, saved.refusal.messages, status=400, form=form)
    return redirect(url_for("awards.initiative", initiative_id=initiative.id))


@bp.get("/initiatives/<id:initiative_id>")
@requires(Permission.KEEP_PLAN)
def initiative(initiative_id: int) -> ResponseReturnValue:
    found = _initiative_or_404(initiative_id)
    is_author = any(a.person_id == current_user.id for a in found.authors)
    manages = _may_manage(found)
    if not (manages or is_author):
        abort(403)
    return _initiative_page(found, is_author=is_author)


def _initiative_page(
    found: Initiative, *, is_author: bool, decision: DecisionForm | None = None, status: int = 200
) -> ResponseReturnValue:
    """The initiative's page; decision, when given, is a refused decision shown by its field."""
    names = queries.unit_names_in_years([(found.unit_id, found.year)])
    manages = _may_manage(found)
    page = render_template(
        "awards/initiative.html",
        initiative=found,
        unit_name=names.get((found.unit_id, found.year), ""),
        can_manage=manages,
        can_decide=manages and not is_author,
        decided_by=db.session.get(Person, found.decided_by_id) if found.decided_by_id else None,
        status_labels=STATUS_LABELS,
        level_labels=LEVEL_LABELS,
        decision=decision,
    )
    return page, status


def _as_input(initiative: Initiative) -> InitiativeInput:
    return InitiativeInput(
        title=initiative.title,
        author_ids=tuple(str(a.person_id) for a in initiative.authors),
        unit_id=str(initiative.unit_id),
        year=str(initiative.year),
        summary=initiative.summary,
        evidence=initiative.evidence,
        recognition_level=initiative.recognition_level or "",
        recognised_on=vn_date(initiative.recognised_on),
    )


@bp.get("/initiatives/<id:initiative_id>/edit")
@requires(Permission.KEEP_PLAN)
def edit_initiative(initiative_id: int) -> ResponseReturnValue:
    if not _manages_something():
        abort(403)
    found = _initiative_or_404(initiative_id)
    if not _may_manage(found):
        abort(403)
    return _initiative_form(_as_input(found), found)


@bp.post("/initiatives/<id:initiative_id>/edit")
@requires(Permission.KEEP_PLAN)
def update_initiative(initiative_id: int) -> ResponseReturnValue:
    if not _manages_something():
        abort(403)
    found = _initiative_or_404(initiative_id)
    if not _may_manage(found):
        abort(403)
    form = InitiativeForm()
    data = form.input()
    if request.form.get("find"):
        return _initiative_form(data, found, form=form)
    was_decided = found.status != InitiativeStatus.PENDING
    with saving(show=False) as saved:
        changed = services.edit_initiative(
            found,
            data,
            latest_year=local_today().year + 1,
            allowed_units=_recordable_units(),
            author_reach=_author_reach(),
        )
    if not saved:
        return _initiative_form(data, found, saved.refusal.messages, status=400, form=form)
    if not changed:
        flash(_("Không có gì thay đổi."), "info")
    elif was_decided:
        flash(_("Đã lưu; sáng kiến được đưa về trạng thái chờ duyệt."), "success")
    else:
        flash(_("Đã lưu sáng kiến."), "success")
    return redirect(url_for("awards.initiative", initiative_id=initiative_id))


@bp.post("/initiatives/<id:initiative_id>/decide")
@requires(Permission.KEEP_PLAN)
def decide_initiative(initiative_id: int) -> ResponseReturnValue:
    if not _manages_something():
        abort(403)
    found = _initiative_or_404(initiative_id)
    if not _may_manage(found):
        abort(403)
    form = DecisionForm()
    approve = form.decision.data == "approve"
    done = _("Đã công nhận sáng kiến.") if approve else _("Đã ghi không công nhận.")
    with saving(done, show=False) as saved:
        services.decide_initiative(
            found, approve=approve, note=form.note.data or "", actor_id=current_user.id
        )
    if saved:
        return redirect(url_for("awards.initiative", initiative_id=initiative_id))
    form.refuse(saved.refusal)
    # The initiative's page again, with the note as typed and the message by it.
    is_author = any(a.person_id == current_user.id for a in found.authors)
    return _initiative_page(found, is_author=is_author, decision=form, status=400)
