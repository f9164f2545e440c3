"""Roles and the permissions each grants: the one place that decides who may do what.

A foundation: every feature (and the page shell) names roles and permissions from here.
"""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    LEARNER = "learner"
    MANAGER = "manager"
    HCTH = "hcth"
    EDITOR = "editor"
    ADMIN = "admin"
    # Community speakers, teachers, collaborators of the agency who record the languages.
    CONTRIBUTOR = "contributor"
    # Anyone in the province who registered on their own for the open courses (not staff).
    CITIZEN = "citizen"


class Permission(StrEnum):
    LEARN = "learn"
    # A civil servant's own self-study work: the yearly plan, its activities and evidence,
    # initiatives, the honour board's consent. Every staff role; never a citizen.
    KEEP_PLAN = "keep_plan"
    MANAGE_UNIT = "manage_unit"
    VIEW_REPORTS = "view_reports"
    EDIT_CONTENT = "edit_content"
    MANAGE_PEOPLE = "manage_people"
    MANAGE_UNITS = "manage_units"
    VIEW_AUDIT = "view_audit"
    # Criteria sets, initiatives, nomination lists, honour board, API tokens: HCTH's own work.
    MANAGE_AWARDS = "manage_awards"
    # Record words of the dictionaries (with a speaker's consent); editors review them.
    RECORD_AUDIO = "record_audio"


STAFF = frozenset({Permission.LEARN, Permission.KEEP_PLAN})
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.LEARNER: STAFF,
    # A manager's permission only reaches the units granted, with their sub-units.
    Role.MANAGER: STAFF | {Permission.MANAGE_UNIT},
    Role.HCTH: STAFF | {Permission.VIEW_REPORTS, Permission.MANAGE_AWARDS},
    Role.EDITOR: STAFF | {Permission.EDIT_CONTENT, Permission.RECORD_AUDIO},
    Role.CONTRIBUTOR: STAFF | {Permission.RECORD_AUDIO},
    # Open courses, their quizzes and certificates, and one's own data: nothing of the agency.
    Role.CITIZEN: frozenset({Permission.LEARN}),
    Role.ADMIN: frozenset(Permission),
}

# Roles whose reading permissions reach the whole organisation rather than some units.
ORGANISATION_WIDE = frozenset({Role.HCTH, Role.ADMIN})

# How a role is named to people (pages, the audit log, the demo command).
ROLE_LABELS = {
    Role.LEARNER: _l("Học viên"),
    Role.MANAGER: _l("Quản lý đơn vị"),
    Role.HCTH: _l("Tổng hợp (HCTH)"),
    Role.EDITOR: _l("Biên tập nội dung"),
    Role.ADMIN: _l("Quản trị hệ thống"),
    Role.CONTRIBUTOR: _l("Cộng tác viên ngôn ngữ"),
    Role.CITIZEN: _l("Người học tự do"),
}
