"""A manager's "Nhắc": a notice (and its e-mail) to one person of the unit, or to everyone
without a plan or behind their target this year; once a day each, recorded in the audit log."""

from __future__ import annotations

from datetime import date

from lms.accounts.models import Person
from lms.audit import services as audit
from lms.i18n import gettext as _
from lms.i18n import vn_date
from lms.numbers import decimal_text
from lms.org.models import Unit
from lms.plans import queries
from lms.plans.queries import DashboardRow
from lms.plans.reminders import notify
from lms.plans.states import NO_PLAN
from lms.plans.values import PlanError

NO_PLAN_GROUP, BEHIND_GROUP = "no_plan", "behind"
EVERYONE_REACHED = 1_000_000


def _behind(row: DashboardRow) -> bool:
    return row.progress.target is not None and (row.progress.percent or 0) < 100


def _text(row: DashboardRow, year: int, manager: str) -> str:
    if row.status == NO_PLAN:
        return _(
            "%(manager)s nhắc: hãy lập kế hoạch tự học năm %(year)d.", manager=manager, year=year
        )
    progress = row.progress
    if progress.target is None:
        return _(
            "%(manager)s nhắc: hãy tiếp tục kế hoạch tự học năm %(year)d.",
            manager=manager,
            year=year,
        )
    return _(
        "%(manager)s nhắc: năm %(year)d bạn đã đạt %(earned)s/%(target)s; hãy học tiếp để đạt "
        "chỉ tiêu.",
        manager=manager,
        year=year,
        earned=decimal_text(progress.earned),
        target=decimal_text(progress.target_amount),
    )


def nudge(unit: Unit, year: int, who: str, *, manager: Person, today: date) -> tuple[int, int]:
    """Notify the people chosen (a person's id, NO_PLAN_GROUP or BEHIND_GROUP) among those the
    manager reaches in the unit's dashboard; each at most once a day. Returns (notified, chosen).
    Nothing is committed here."""
    board = queries.dashboard(unit.id, year, today, viewer=manager, per_page=EVERYONE_REACHED)
    if who == NO_PLAN_GROUP:
        chosen = [row for row in board.rows if row.status == NO_PLAN]
    elif who == BEHIND_GROUP:
        chosen = [row for row in board.rows if row.status != NO_PLAN and _behind(row)]
    elif who.isdigit():
        chosen = [row for row in board.rows if row.person_id == int(who)]
        if not chosen:
            raise PlanError(_("Người này không thuộc đơn vị bạn quản lý trong năm này."))
    else:
        raise PlanError(_("Hãy chọn người cần nhắc."))
    link = f"/plans/{year}"
    notified = sum(
        notify(
            row.person_id,
            "nudge",
            _text(row, year, manager.full_name),
            link,
            key=f"nudge:{row.person_id}:{year}:{today.isoformat()}",
        )
        for row in chosen
    )
    audit.record(
        "plans.nudge",
        unit,
        _(
            "Nhắc %(n)d người (%(who)s), năm %(year)d, ngày %(day)s",
            n=notified,
            who=who,
            year=year,
            day=vn_date(today),
        ),
        actor_id=manager.id,
    )
    return notified, len(chosen)
