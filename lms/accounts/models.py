"""People (every user is a person of the organisation), their dated positions and roles."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Model, UTCDateTime, sort_key_type, utcnow
from lms.roles import ROLE_PERMISSIONS, Permission, Role

if TYPE_CHECKING:
    # People sit below the org tree: SQLAlchemy finds these classes by name when mapping.
    from lms.org.models import Membership, Unit


class EmploymentKind(StrEnum):
    CONG_CHUC = "cong_chuc"
    VIEN_CHUC = "vien_chuc"
    NGUOI_LAO_DONG = "nguoi_lao_dong"
    OTHER = "other"


class Gender(StrEnum):
    MALE = "male"
    FEMALE = "female"
    OTHER = "other"


class Person(UserMixin, Model):
    __tablename__ = "person"
    __table_args__ = (
        # The people who left, a few among many: a unit's head count takes their memberships
        # off (lms.home.queries). Partial, so that it lists only them, and no query on active
        # people (most rows) is planned through it: SQLite, without statistics, took a plain
        # index on is_active to be selective and read every active person to count one unit.
        # SQLite uses it only for a condition written as its own: `is_active IS 0`, as
        # SQLAlchemy writes is_(False) (not `= 0`, nor a bound value).
        Index(
            "ix_person_left",
            "id",
            sqlite_where=text("is_active IS 0"),
            postgresql_where=text("is_active IS false"),
        ),
        # The agency's active staff, most people: the home page of HCTH counts them
        # (lms.home.queries), from this list rather than every person's row (10,000 people:
        # SQLite 2.7 -> 0.5 ms, PostgreSQL 2.6 -> 1.3 ms). Partial and on a condition written
        # as that count's own, so that no other query is planned through it.
        Index(
            "ix_person_staff",
            "id",
            sqlite_where=text("is_active IS 1 AND is_citizen IS 0"),
            postgresql_where=text("is_active IS true AND is_citizen IS false"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    given_name_override: Mapped[str | None] = mapped_column(String(100))
    given_name: Mapped[str] = mapped_column(String(100))
    family_and_middle: Mapped[str] = mapped_column(String(200))
    sort_key: Mapped[str] = mapped_column(sort_key_type(), index=True)
    search_name: Mapped[str] = mapped_column(String(200), index=True)
    date_of_birth: Mapped[date | None]
    gender: Mapped[Gender | None] = mapped_column(String(10))
    ethnicity: Mapped[str | None] = mapped_column(String(60))
    # The position held today, for pages about "now"; the dated history is in PersonPosition,
    # and services.set_position keeps the two in step.
    position: Mapped[str | None] = mapped_column(String(200))
    employment_kind: Mapped[EmploymentKind] = mapped_column(
        String(20), default=EmploymentKind.CONG_CHUC
    )
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Seeded by `flask demo seed`; such accounts can sign in only while DEMO_MODE is on.
    is_demo: Mapped[bool] = mapped_column(default=False)
    # Registered on their own for the open courses (lms.citizens): no unit, plan or roster.
    is_citizen: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="person", order_by="Membership.valid_from"
    )
    role_grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="person",
        foreign_keys="RoleGrant.person_id",
        cascade="all, delete-orphan",
        lazy="selectin",
    )
    positions: Mapped[list[PersonPosition]] = relationship(
        back_populates="person",
        foreign_keys="PersonPosition.person_id",
        order_by="PersonPosition.valid_from",
        cascade="all, delete-orphan",
    )

    def grants_on(self, day: date) -> list[RoleGrant]:
        """The grants in force on day (ended and future ones stay in role_grants, for history)."""
        return [grant for grant in self.role_grants if grant.in_force(day)]

    @property
    def current_grants(self) -> list[RoleGrant]:
        from lms.i18n import local_today

        return self.grants_on(local_today())

    @property
    def roles(self) -> set[Role]:
        own = Role.CITIZEN if self.is_citizen else Role.LEARNER
        return {own} | {grant.role for grant in self.current_grants}

    @property
    def permissions(self) -> frozenset[Permission]:
        return frozenset().union(*(ROLE_PERMISSIONS[role] for role in self.roles))

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    @property
    def managed_unit_ids(self) -> set[int]:
        """Units this person manages today (their sub-units come through the org tree; what the
        grants reach on other days is for lms.org.scope to say)."""
        return {g.unit_id for g in self.current_grants if g.role == Role.MANAGER and g.unit_id}

    def membership_on(self, day: date) -> Membership | None:
        return next((m for m in self.memberships if m.covers(day)), None)

    def __repr__(self) -> str:
        return f"<Person {self.username}>"


class RoleGrant(Model):
    """A role given to a person from one day until another (inclusive); a manager's grant names
    the unit it covers. An ended grant is kept: it says who headed a unit when."""

    __tablename__ = "role_grant"
    __table_args__ = (
        CheckConstraint("valid_until IS NULL OR valid_until >= valid_from", name="valid_span"),
        # Who manages which unit on a day (lms.org.scope.managers_of).
        Index("ix_role_grant_role_unit", "role", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    role: Mapped[Role] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    valid_from: Mapped[date]
    valid_until: Mapped[date | None]
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def in_force(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    person: Mapped[Person] = relationship(back_populates="role_grants", foreign_keys=[person_id])
    unit: Mapped[Unit | None] = relationship()


class PersonPosition(Model):
    """A position (chức vụ) a person holds from valid_from until their next recorded change."""

    __tablename__ = "person_position"
    # One change a day: the row of a day says what was held from that day on.
    __table_args__ = (UniqueConstraint("person_id", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    position: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[date]
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)

    person: Mapped[Person] = relationship(back_populates="positions", foreign_keys=[person_id])
