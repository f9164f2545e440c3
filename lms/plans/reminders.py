"""In-app notifications, and the daily due-soon and overdue reminders (also e-mailed).

Plain functions that change the session and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from lms import mail
from lms.accounts.models import Person
from lms.db import db, utcnow
from lms.i18n import local_today, vn_date
from lms.org import scope
from lms.plans import queries
from lms.plans.models import (
    Notification,
)
from lms.plans.years import year_days
from lms.progress.engine import ItemState, year_figures


def managers_of(person_id: int, year: int) -> set[int]:
    """The managers who reach the person now (or on their last day in year): see lms.org.scope."""
    return scope.managers_of(person_id, *year_days(year), local_today())


def notify(
    person_id: int, kind: str, text: str, link: str | None, *, key: str | None = None
) -> bool:
    """Add an in-app notification; with a key, only once (returns whether it was new)."""
    notification = Notification(person_id=person_id, kind=kind, text=text[:500], link=link, key=key)
    if key is None:
        db.session.add(notification)
        return True
    if db.session.scalar(select(Notification.id).where(Notification.key == key)):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(notification)
    except IntegrityError:
        return False  # another server sent the same reminder a moment ago
    return True


def mark_all_read(person: Person) -> None:
    """Mark every unread notification read, not only those on the page."""
    db.session.execute(
        update(Notification)
        .where(Notification.person_id == person.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


@dataclass(frozen=True)
class Reminder:
    person_id: int
    email: str | None
    text: str


def daily_reminders(day: date) -> list[Reminder]:
    """Add today's due-soon and overdue reminders (once per person, item and day)."""
    year = day.year
    spans = queries.memberships_in_year(None, year)
    people = dict(
        db.session.execute(
            select(Person.id, Person.employment_kind).where(
                Person.id.in_(list(spans)), Person.is_active.is_(True)
            )
        ).all()
    )
    emails = dict(
        db.session.execute(select(Person.id, Person.email).where(Person.id.in_(list(people)))).all()
    )
    sent: list[Reminder] = []
    link = url_for("plans.year", year=year)
    for person_id, progress in year_figures(people, year, day, items=True).items():
        for item in progress.items or ():
            if not item.is_required or item.state not in (ItemState.DUE_SOON, ItemState.OVERDUE):
                continue
            overdue = item.state == ItemState.OVERDUE
            kind = "overdue" if overdue else "due_soon"
            text = (
                _(
                    "Quá hạn: khóa học “%(title)s” (hạn %(day)s).",
                    title=item.course_title,
                    day=vn_date(item.due_on),
                )
                if overdue
                else _(
                    "Sắp đến hạn: khóa học “%(title)s” (hạn %(day)s).",
                    title=item.course_title,
                    day=vn_date(item.due_on),
                )
            )
            key = f"{person_id}:{kind}:{item.assignment_id}:{day.isoformat()}"
            if notify(person_id, kind, text, link, key=key):
                sent.append(Reminder(person_id, emails.get(person_id), text))
    return sent


def send_emails(reminders: list[Reminder]) -> int:
    """E-mail the reminders when SMTP is configured; return how many were sent."""
    return mail.send(
        [
            mail.Mail(to=reminder.email, subject=_("Nhắc việc học tập"), body=reminder.text)
            for reminder in reminders
            if reminder.email
        ]
    )
