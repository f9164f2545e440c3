"""In-app notifications, also e-mailed (queued in lms.outbox, sent by `flask mail send`), and
the daily due-soon and overdue reminders.

Plain functions that change the session and never commit.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from flask import current_app, url_for
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from lms import config
from lms.accounts.models import Person
from lms.db import batches, db, utcnow
from lms.i18n import gettext as _
from lms.i18n import local_today, vn_date
from lms.org import scope
from lms.outbox import services as outbox
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
    person_id: int,
    kind: str,
    text: str,
    link: str | None,
    *,
    key: str | None = None,
    mail: bool = True,
) -> bool:
    """Add an in-app notification, and queue it by e-mail when SMTP is set and the person has
    an address (mail=False: the caller queues a batch's e-mail at once, mail_notices); with a
    key, only once (returns whether it was new)."""
    notification = Notification(person_id=person_id, kind=kind, text=text[:500], link=link, key=key)
    if key is None:
        db.session.add(notification)
    elif db.session.scalar(select(Notification.id).where(Notification.key == key)):
        return False
    else:
        try:
            with db.session.begin_nested():
                db.session.add(notification)
        except IntegrityError:
            return False  # another server sent the same reminder a moment ago
    if mail and outbox.enabled():
        db.session.flush()
        outbox.queue(_letters([notification]))
    return True


def mail_notices(keys: list[str]) -> int:
    """Queue the e-mail of the notifications with these keys (made with mail=False), in a few
    statements whatever their number."""
    if not keys or not outbox.enabled():
        return 0
    db.session.flush()
    made: list[Notification] = []
    for batch in batches(keys):
        made += db.session.scalars(select(Notification).where(Notification.key.in_(batch)))
    return outbox.queue(_letters(made))


def notify_many(
    person_ids: Collection[int], kind: str, text: str, link: str | None, *, key: str
) -> int:
    """Notify many people at once (a course assigned to a unit of thousands): one INSERT of the
    notifications not sent before (key + person), one of their e-mails. Returns how many."""
    wanted = {f"{key}:{person_id}": person_id for person_id in person_ids}
    known: set[str] = set()
    keys = list(wanted)
    for batch in batches(keys):
        known.update(
            db.session.scalars(select(Notification.key).where(Notification.key.in_(batch)))
        )
    now = utcnow()
    rows = [
        {
            "person_id": person_id,
            "kind": kind,
            "text": text[:500],
            "link": link,
            "key": full_key,
            "created_at": now,
        }
        for full_key, person_id in wanted.items()
        if full_key not in known
    ]
    if not rows:
        return 0
    db.session.execute(insert(Notification), rows)
    if outbox.enabled():
        made = [Notification(**row) for row in rows]
        outbox.queue(_letters(made))
    return len(rows)


def _letters(notifications: list[Notification]) -> list[outbox.Letter]:
    """The notifications as e-mail to the people who have an address."""
    addresses = dict(
        db.session.execute(
            select(Person.id, Person.email).where(
                Person.id.in_({notice.person_id for notice in notifications}),
                Person.email.is_not(None),
                Person.email != "",
                Person.is_active.is_(True),
            )
        ).all()
    )
    base = config.public_url(current_app.config)
    letters = []
    for notice in notifications:
        address = addresses.get(notice.person_id)
        if not address:
            continue
        link = f"\n\n{base}{notice.link}" if notice.link else ""
        letters.append(
            outbox.Letter(
                key=f"notice:{notice.key or notice.id}",
                to=address,
                subject=_("Học tập suốt đời: %(text)s", text=notice.text[:120]),
                body=notice.text + link,
            )
        )
    return letters


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
    sent: list[Reminder] = []
    keys: list[str] = []
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
            if notify(person_id, kind, text, link, key=key, mail=False):
                sent.append(Reminder(person_id, text))
                keys.append(key)
    mail_notices(keys)
    return sent
