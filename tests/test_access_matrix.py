"""Every route of the app, for every role and for an anonymous visitor, on real records.

Each case names real ids from the `world` below, so a role that may use a route must get the
page itself (200, or the redirect the route is meant to give), not a 404 that would hide a
refusal; a POST must not be refused (403), lost (404) or broken (5xx). Routes that answer 404
for a missing record have separate "missing" cases. A new route without an entry here fails
`test_every_route_has_expectations`, so nobody can add a page without deciding who may use it.

The world also holds the reorganisations of lms.org.scope: sub-unit TOA stood under OWN from
1/1/2026 and moved under OTHER on 1/6; Thu Hà joined TOA on 1/7, so OWN's head never reached
her ("moved"). Unit GOP merged into OWN on 1/3, so its people are OWN's from then ("merged").
OWN's head also headed OTHER until yesterday; that grant has ended, and with it her reach
over OTHER's people, even for the days she headed it ("former-head").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from flask import url_for
from sqlalchemy import Integer, Table, text

from lms.accounts import services as people
from lms.accounts.models import Person
from lms.api import services as api
from lms.awards import services as awards
from lms.awards.criteria import CriteriaSpec, CriterionSpec, IndicatorSpec
from lms.awards.services import InitiativeInput
from lms.courses import checker, importer
from lms.courses.models import Course, Lesson
from lms.credentials import keys as signing_keys
from lms.credentials import services as badges
from lms.db import db
from lms.dictionary import recordings
from lms.dictionary import services as dictionary
from lms.dictionary.models import DictionaryEntry
from lms.honours import services as honours
from lms.i18n import local_today
from lms.learning.models import Certificate
from lms.nominations import queries as nomination_queries
from lms.nominations import services as nominations
from lms.org import services as org
from lms.plans import assignments, rules, workflow
from lms.plans import queries as plan_queries
from lms.plans.evidence import Upload
from lms.plans.models import ExternalActivity, StudyPlan
from lms.review import services as review
from lms.review.models import ReviewCard
from lms.roles import Role
from tests.dictionary.audio_files import ogg_opus
from tests.dictionary.files import dictionary_csv, entry_line
from tests.factories import (
    START,
    approve_plan,
    complete_course,
    make_citizen,
    make_person,
    make_unit,
)
from tests.learning.content import CHAO_HOI, SO_DEM, course_md

# former_head headed OWN until 31/05/2026: her grant ended, so she reaches no one any more.
# citizen registered on her own (lms.citizens): open courses and her own data, nothing of staff.
ROLES = ("anonymous", "learner", "manager", "hcth", "editor", "admin", "former_head", "citizen")
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
STAFF = SIGNED_IN - {"citizen"}
ADMIN = frozenset({"admin"})
MANAGERS = frozenset({"manager", "admin"})
EDITORS = frozenset({"editor", "admin"})
READERS = frozenset({"manager", "hcth", "admin"})
AWARDS = frozenset({"hcth", "admin"})
# Ids that name no record: for the "missing" cases only.
MISSING = 2**31 - 1
YEAR = 2026
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CERTIFICATE_CODE = "ABCD-EFGH-JKMN"
COURSE_SLUG = "tieng-tay-giao-tiep"
OPEN_SLUG = "tieng-tay-cho-moi-nguoi"  # audience: public
MOVED_NAME = "Nguyễn Thu Hà"


@dataclass
class World:
    """The ids the cases use; each names a real record."""

    own_unit: int
    sub_unit: int
    other_unit: int
    toa_unit: int
    merged_unit: int
    member: int
    outsider: int
    membership: int
    grant: int
    plan: int  # the member's submitted plan (in SUB, under OWN)
    activity: int  # its pending activity, with evidence
    evidence: str
    learner_activity: int  # the learner's own draft activity, with evidence
    learner_item: int
    moved_plan: int  # Thu Hà's, in TOA after it moved under OTHER
    moved_activity: int
    moved_evidence: str
    merged_plan: int  # a member of GOP, merged into OWN
    merged_activity: int
    merged_evidence: str
    outsider_plan: int  # in OTHER, which OWN's head headed until yesterday
    outsider_activity: int
    outsider_evidence: str
    lesson: str
    media_sha256: str
    certificate: int
    assignment: int
    outsider_assignment: int  # in OTHER, out of the managers' reach
    rule: int
    points_set: int
    initiative: int
    nomination_list: int
    nomination_entry: int
    form: int
    token: int
    token_secret: str
    board: int
    word: str
    review_card: int  # the learner's
    speaker: int
    recording: int  # approved, published
    pending_recording: int
    honoured_person: int
    honoured_unit: int


@dataclass(frozen=True)
class Case:
    """Who may use a route on the world's records, and what each role gets.

    A role in `allowed` gets `expect` (a status, or a status by role) on a GET, by default 200;
    on a POST without `expect`, any answer but 403, 404 or 5xx. A signed-in role outside
    `allowed` gets `others` (403, or 404 where the route shows only one's own records); an
    anonymous visitor outside it is sent to sign in.
    """

    endpoint: str
    allowed: frozenset[str]
    method: str = "GET"
    args: Callable[[World], dict] = lambda world: {}
    label: str = ""
    expect: int | Mapping[str, int] | None = None
    others: int = 403
    # What a citizen outside `allowed` gets, when not `others`: a staff-only rule refuses her
    # (403) before the view would say a record is not hers (404).
    citizen: int | None = None
    headers: Callable[[World], dict] = lambda world: {}

    @property
    def id(self) -> str:
        return f"{self.method} {self.endpoint}{'@' + self.label if self.label else ''}"

    def refused_with(self, role: str) -> int:
        """The status a signed-in role outside `allowed` gets."""
        if role == "citizen" and self.citizen is not None:
            return self.citizen
        return self.others

    def expected(self, role: str) -> int | None:
        if isinstance(self.expect, Mapping):
            return self.expect.get(role, self.expect.get("*"))
        if self.expect is None and self.method == "GET":
            return 200
        return self.expect


def _plan_cases(label: str, readers: frozenset[str], deciders: frozenset[str], whose: str):
    """The pages and actions on one person's plan, activity and evidence (world.<whose>plan...)."""

    def record(name: str) -> Callable[[World], dict]:
        key = {"plan": "plan_id", "activity": "activity_id", "evidence": "token"}[name]
        return lambda w: {key: getattr(w, whose + name)}

    return [
        Case("plans.show", readers, args=record("plan"), label=label),
        Case("plans.decide", deciders, "POST", args=record("plan"), label=label),
        Case("plans.assess", deciders, "POST", args=record("plan"), label=label),
        Case("plans.verify_activity", deciders, "POST", args=record("activity"), label=label),
        Case("plans.evidence", readers, args=record("evidence"), label=label),
    ]


def _board(endpoint: str, **more) -> Case:
    return Case(endpoint, AWARDS, "POST", args=lambda w: {"board_id": w.board}, **more)


CASES = [
    Case("home.index", EVERYONE),
    Case("favicon", EVERYONE),
    Case("auth.login", EVERYONE, expect={"anonymous": 200, "*": 302}),  # signed in: home page
    Case("auth.login", EVERYONE, "POST"),
    Case("auth.logout", SIGNED_IN, "POST"),
    Case("auth.change_password", SIGNED_IN),
    Case("auth.change_password", SIGNED_IN, "POST"),
    Case("i18n.set_language", EVERYONE, "POST"),
    Case("audit.events", ADMIN),
    Case("org.units", ADMIN),
    Case("agency.profile", ADMIN),
    Case("agency.save", ADMIN, "POST"),
    Case("storage.overview", ADMIN),
    Case("org.unit_members", MANAGERS, args=lambda w: {"unit_id": w.own_unit}, label="own"),
    Case("org.unit_members", MANAGERS, args=lambda w: {"unit_id": w.sub_unit}, label="sub"),
    Case("org.unit_members", ADMIN, args=lambda w: {"unit_id": w.other_unit}, label="other"),
    Case("org.unit_members", ADMIN, args=lambda w: {"unit_id": w.toa_unit}, label="moved"),
    Case("org.unit_members", ADMIN, args=lambda w: {"unit_id": w.merged_unit}, label="merged"),
    Case("org.new_unit", ADMIN),
    Case("org.create_unit", ADMIN, "POST"),
    Case("org.unit", ADMIN, args=lambda w: {"unit_id": w.own_unit}),
    Case("org.rename", ADMIN, "POST", args=lambda w: {"unit_id": w.own_unit}),
    Case("org.move", ADMIN, "POST", args=lambda w: {"unit_id": w.own_unit}),
    Case("org.merge", ADMIN, "POST", args=lambda w: {"unit_id": w.own_unit}),
    Case("org.close", ADMIN, "POST", args=lambda w: {"unit_id": w.own_unit}),
    Case("org.add_member", ADMIN, "POST", args=lambda w: {"unit_id": w.own_unit}),
    Case(
        "org.end_membership",
        ADMIN,
        "POST",
        args=lambda w: {"unit_id": w.sub_unit, "membership_id": w.membership},
    ),
    Case("accounts.people", ADMIN),
    Case("accounts.create", ADMIN),
    Case("accounts.create", ADMIN, "POST"),
    Case("accounts.person", ADMIN, args=lambda w: {"person_id": w.member}),
    Case("accounts.edit", ADMIN, args=lambda w: {"person_id": w.member}),
    Case("accounts.edit", ADMIN, "POST", args=lambda w: {"person_id": w.member}),
    Case("accounts.deactivate", ADMIN, "POST", args=lambda w: {"person_id": w.member}),
    Case("accounts.reactivate", ADMIN, "POST", args=lambda w: {"person_id": w.member}),
    Case("accounts.delete", ADMIN, "POST", args=lambda w: {"person_id": w.member}),
    Case("accounts.reset_password", ADMIN, "POST", args=lambda w: {"person_id": w.member}),
    Case("accounts.grant_role", ADMIN, "POST", args=lambda w: {"person_id": w.member}),
    Case("accounts.assign_unit", ADMIN, "POST", args=lambda w: {"person_id": w.member}),
    Case("accounts.change_position", ADMIN, "POST", args=lambda w: {"person_id": w.member}),
    Case("accounts.correct_position", ADMIN, "POST", args=lambda w: {"person_id": w.member}),
    Case(
        "accounts.revoke_role",
        ADMIN,
        "POST",
        args=lambda w: {"person_id": w.outsider, "grant_id": w.grant},
    ),
    Case("staff.upload", ADMIN),
    Case("staff.upload", ADMIN, "POST"),
    Case("staff.template", ADMIN),
    # The newcomer of OWN (no password yet) is listed, then gets a code on the printed sheet.
    Case("invites.issue_form", ADMIN, args=lambda w: {"unit_id": w.own_unit}),
    Case("invites.issue", ADMIN, "POST", args=lambda w: {"unit_id": w.own_unit}),
    Case("invites.redeem", EVERYONE),
    Case("invites.redeem", EVERYONE, "POST"),
    Case("courses.manage", EDITORS),
    Case("course_editor.new", EDITORS),
    Case("course_editor.new", EDITORS, "POST"),
    *[
        Case(endpoint, EDITORS, method, args=lambda w: {"slug": COURSE_SLUG})
        for endpoint, method in (
            ("course_editor.edit", "GET"),
            ("course_editor.edit", "POST"),
            ("course_editor.preview", "POST"),
            ("course_editor.versions", "GET"),
        )
    ],
    *[
        Case(endpoint, EDITORS, method, args=lambda w: {"slug": COURSE_SLUG, "number": 1})
        for endpoint, method in (
            ("course_editor.compare", "GET"),
            ("course_editor.revert", "POST"),
            ("course_editor.export", "GET"),
        )
    ],
    Case("courses.upload", EDITORS, "POST"),
    Case("courses.course", EDITORS, args=lambda w: {"slug": COURSE_SLUG}),
    Case("courses.lesson", EDITORS, args=lambda w: {"slug": COURSE_SLUG, "lesson_slug": w.lesson}),
    Case(
        "courses.media",
        STAFF,
        args=lambda w: {"course_slug": COURSE_SLUG, "sha256": w.media_sha256, "extension": "ogg"},
        others=404,
    ),
    Case(
        "courses.media",
        EVERYONE,
        args=lambda w: {"course_slug": OPEN_SLUG, "sha256": w.media_sha256, "extension": "ogg"},
        label="open",
    ),
    Case("plans.mine", STAFF, expect=302),  # to this year's plan
    Case("plans.year", STAFF, args=lambda w: {"year": YEAR}),
    Case("plans.add_course", STAFF, "POST", args=lambda w: {"year": YEAR}),
    Case("plans.add_external", STAFF, "POST", args=lambda w: {"year": YEAR}),
    # Only one's own activity: anyone else's is not found.
    Case(
        "plans.attach_evidence",
        frozenset({"learner"}),
        "POST",
        args=lambda w: {"activity_id": w.learner_activity},
        others=404,
        citizen=403,
    ),
    Case(
        "plans.remove_item",
        STAFF,
        "POST",
        args=lambda w: {"year": YEAR, "item_id": w.learner_item},
    ),
    Case("plans.save_note", STAFF, "POST", args=lambda w: {"year": YEAR}),
    Case("plans.submit", STAFF, "POST", args=lambda w: {"year": YEAR}),
    Case("plans.revise", STAFF, "POST", args=lambda w: {"year": YEAR}),
    Case("plans.copy_last_year", STAFF, "POST", args=lambda w: {"year": YEAR}),
    Case("plans.self_assess", STAFF, "POST", args=lambda w: {"year": YEAR}),
    # The member of SUB, under OWN: OWN's head reads and decides; HCTH reads; a colleague not.
    *_plan_cases("", READERS, MANAGERS, ""),
    # Thu Hà joined TOA after it moved from OWN to OTHER: OWN's head never reached her.
    *_plan_cases("moved", AWARDS, ADMIN, "moved_"),
    # A member of GOP, merged into OWN on 1/3: OWN's head reaches her from that day.
    *_plan_cases("merged", READERS, MANAGERS, "merged_"),
    # OTHER's former head (OWN's head, grant ended yesterday) no longer reaches its people.
    *_plan_cases("former-head", AWARDS, ADMIN, "outsider_"),
    Case("plans.units", READERS, expect={"manager": 302, "*": 200}),  # a head: to their unit
    Case(
        "plans.dashboard",
        READERS,
        args=lambda w: {"unit_id": w.own_unit, "year": YEAR},
        label="own",
    ),
    Case(
        "plans.dashboard",
        READERS,
        args=lambda w: {"unit_id": w.sub_unit, "year": YEAR},
        label="sub",
    ),
    Case(
        "plans.dashboard",
        AWARDS,
        args=lambda w: {"unit_id": w.other_unit, "year": YEAR},
        label="former-head",
    ),
    Case(
        "plans.dashboard",
        AWARDS,
        args=lambda w: {"unit_id": w.toa_unit, "year": YEAR},
        label="moved",
    ),
    Case(
        "plans.dashboard",
        AWARDS,
        args=lambda w: {"unit_id": w.merged_unit, "year": YEAR},
        label="merged",
    ),
    Case(
        "plans.nudge",
        MANAGERS,
        "POST",
        args=lambda w: {"unit_id": w.own_unit, "year": YEAR},
        label="own",
    ),
    Case(
        "plans.nudge",
        ADMIN,
        "POST",
        args=lambda w: {"unit_id": w.other_unit, "year": YEAR},
        label="former-head",
    ),
    Case(
        "plans.bulk_decide",
        MANAGERS,
        "POST",
        args=lambda w: {"unit_id": w.own_unit, "year": YEAR},
        label="own",
    ),
    Case(
        "plans.bulk_decide",
        ADMIN,
        "POST",
        args=lambda w: {"unit_id": w.other_unit, "year": YEAR},
        label="former-head",
    ),
    Case(
        "plans.assignments",
        MANAGERS,
        args=lambda w: {"unit_id": w.own_unit, "year": YEAR},
        label="own",
    ),
    Case(
        "plans.assignments",
        ADMIN,
        args=lambda w: {"unit_id": w.other_unit, "year": YEAR},
        label="former-head",
    ),
    Case(
        "plans.create_assignment",
        MANAGERS,
        "POST",
        args=lambda w: {"unit_id": w.sub_unit, "year": YEAR},
        label="sub",
    ),
    Case(
        "plans.create_assignment",
        ADMIN,
        "POST",
        args=lambda w: {"unit_id": w.other_unit, "year": YEAR},
        label="former-head",
    ),
    Case(
        "plans.withdraw_assignment",
        MANAGERS,
        "POST",
        args=lambda w: {"assignment_id": w.assignment},
    ),
    Case(
        "plans.withdraw_assignment",
        ADMIN,
        "POST",
        args=lambda w: {"assignment_id": w.outsider_assignment},
        label="former-head",
    ),
    Case("plans.rules", ADMIN),
    Case("plans.save_rule", ADMIN, "POST"),
    Case("plans.correct_rule", ADMIN, "POST", args=lambda w: {"rule_id": w.rule}),
    Case("plans.notifications", SIGNED_IN),
    Case("plans.mark_read", SIGNED_IN, "POST"),
    Case("learning.healthz", EVERYONE),
    # The installable app: its manifest, service worker and offline page are for everyone.
    Case("shell.manifest", EVERYONE),
    Case("shell.service_worker", EVERYONE),
    Case("shell.offline", EVERYONE),
    Case(
        "learning.offline_package", STAFF, args=lambda w: {"course_slug": COURSE_SLUG}, others=404
    ),
    Case(
        "learning.offline_package",
        EVERYONE,
        args=lambda w: {"course_slug": OPEN_SLUG},
        label="open",
    ),
    # Visitors see the courses open to everyone; staff courses send them to sign in.
    Case("learning.catalogue", EVERYONE),
    # A citizen learns nothing of staff courses: not found.
    Case("learning.course", STAFF, args=lambda w: {"course_slug": COURSE_SLUG}, others=404),
    Case("learning.course", EVERYONE, args=lambda w: {"course_slug": OPEN_SLUG}, label="open"),
    Case(
        "learning.lesson",
        STAFF,
        args=lambda w: {"course_slug": COURSE_SLUG, "lesson_slug": w.lesson},
        others=404,
    ),
    Case(
        "learning.lesson",
        EVERYONE,
        args=lambda w: {"course_slug": OPEN_SLUG, "lesson_slug": w.lesson},
        label="open",
    ),
    Case(
        "learning.complete_lesson",
        STAFF,
        "POST",
        args=lambda w: {"course_slug": COURSE_SLUG, "lesson_slug": w.lesson},
        others=404,
    ),
    Case(
        "learning.submit_quiz",
        STAFF,
        "POST",
        args=lambda w: {"course_slug": COURSE_SLUG, "lesson_slug": w.lesson},
        others=404,
    ),
    Case(
        "learning.complete_course",
        STAFF,
        "POST",
        args=lambda w: {"course_slug": COURSE_SLUG},
        others=404,
    ),
    Case("learning.record_event", SIGNED_IN, "POST"),
    Case("learning.rule", ADMIN),
    Case("learning.save_rule", ADMIN, "POST"),
    # Only the holder sees their certificate; to anyone else it does not exist.
    Case(
        "learning.certificate",
        frozenset({"learner"}),
        args=lambda w: {"certificate_id": w.certificate},
        others=404,
    ),
    Case("learning.verify", EVERYONE),
    Case("learning.verify", EVERYONE, args=lambda w: {"code": CERTIFICATE_CODE}, label="code"),
    # Open Badges: the holder downloads; the key set, status list and file check are public.
    *[
        Case(
            endpoint,
            frozenset({"learner"}),
            args=lambda w: {"certificate_id": w.certificate},
            others=404,
        )
        for endpoint in ("credentials.badge_json", "credentials.badge_png")
    ],
    Case("credentials.did_document", EVERYONE),
    Case("credentials.status_list", EVERYONE, args=lambda w: {"number": 1}),
    # Sent without a file: refused with its message (400), for everyone alike.
    Case("credentials.verify_file", EVERYONE, "POST", expect=400),
    Case("credentials.admin_list", ADMIN),
    Case(
        "credentials.revoke",
        ADMIN,
        "POST",
        args=lambda w: {"certificate_id": w.certificate},
        expect=302,
    ),
    Case("reports.roster", AWARDS),
    Case("reports.unit_roster", MANAGERS, args=lambda w: {"unit_id": w.own_unit}, label="own"),
    Case("reports.unit_roster", MANAGERS, args=lambda w: {"unit_id": w.sub_unit}, label="sub"),
    Case(
        "reports.unit_roster",
        ADMIN,
        args=lambda w: {"unit_id": w.other_unit},
        label="former-head",
    ),
    Case("reports.unit_roster", ADMIN, args=lambda w: {"unit_id": w.toa_unit}, label="moved"),
    Case("reports.print_stylesheet", EVERYONE),
    # -- awards --
    Case("awards.sets", AWARDS),
    Case("awards.new_set", AWARDS),
    Case("awards.create_set", AWARDS, "POST"),
    Case("awards.edit_set", AWARDS, args=lambda w: {"set_id": w.points_set}),
    Case("awards.update_set", AWARDS, "POST", args=lambda w: {"set_id": w.points_set}),
    Case("awards.delete_set", AWARDS, "POST", args=lambda w: {"set_id": w.points_set}),
    Case("awards.preview", AWARDS, args=lambda w: {"set_id": w.points_set}, expect=302),  # moved
    Case("reports.criteria_preview", AWARDS, args=lambda w: {"set_id": w.points_set}),
    Case("awards.points", READERS, args=lambda w: {"set_id": w.points_set}),
    Case("awards.save_points", READERS, "POST", args=lambda w: {"set_id": w.points_set}),
    Case("awards.initiatives", STAFF),
    Case("awards.new_initiative", READERS),
    Case("awards.create_initiative", READERS, "POST"),
    # The member's initiative, recorded for OWN.
    Case("awards.initiative", READERS, args=lambda w: {"initiative_id": w.initiative}),
    Case("awards.edit_initiative", READERS, args=lambda w: {"initiative_id": w.initiative}),
    Case(
        "awards.update_initiative",
        READERS,
        "POST",
        args=lambda w: {"initiative_id": w.initiative},
    ),
    Case(
        "awards.decide_initiative",
        READERS,
        "POST",
        args=lambda w: {"initiative_id": w.initiative},
    ),
    # -- nominations --
    Case("nominations.lists", AWARDS),
    Case("nominations.create", AWARDS, "POST"),
    Case("nominations.show", AWARDS, args=lambda w: {"list_id": w.nomination_list}),
    *[
        Case(endpoint, AWARDS, "POST", args=lambda w: {"list_id": w.nomination_list})
        for endpoint in ("nominations.refresh", "nominations.freeze")
    ],
    *[
        Case(endpoint, AWARDS, args=lambda w: {"list_id": w.nomination_list})
        for endpoint in ("nominations.changes", "nominations.export", "nominations.print_list")
    ],
    Case(
        "nominations.entry",
        AWARDS,
        args=lambda w: {"list_id": w.nomination_list, "entry_id": w.nomination_entry},
    ),
    *[
        Case(
            endpoint,
            AWARDS,
            "POST",
            args=lambda w: {"list_id": w.nomination_list, "entry_id": w.nomination_entry},
        )
        for endpoint in (
            "nominations.update_entry",
            "nominations.remove_entry",
            "nominations.restore_entry",
        )
    ],
    Case("nominations.forms", AWARDS),
    Case("nominations.add_form", AWARDS, "POST"),
    Case("nominations.change_form", AWARDS, "POST", args=lambda w: {"form_id": w.form}),
    # -- honours and api --
    # The API answers to its token, whoever else is signed in; without one, 401 for everyone.
    *[
        Case(
            endpoint,
            EVERYONE,
            headers=lambda w: {"Authorization": f"Bearer {w.token_secret}"},
            label="token",
        )
        for endpoint in ("api.roster", "api.summary")
    ],
    Case("api.roster", EVERYONE, expect=401, label="no-token"),
    Case("api.summary", EVERYONE, expect=401, label="no-token"),
    Case("api.openapi", EVERYONE),
    Case("api.tokens", AWARDS),
    Case("api.create_token", AWARDS, "POST"),
    Case("api.revoke_token", AWARDS, "POST", args=lambda w: {"token_id": w.token}),
    Case("honours.index", EVERYONE),
    Case("dictionary.index", EVERYONE),
    Case("dictionary.language", EVERYONE, args=lambda w: {"language": "tyz"}),
    Case("dictionary.entry", EVERYONE, args=lambda w: {"language": "tyz", "key": w.word}),
    Case("review.session", SIGNED_IN),
    # Only one's own cards: anyone else's is not found.
    Case(
        "review.answer",
        frozenset({"learner"}),
        "POST",
        args=lambda w: {"card_id": w.review_card},
        others=404,
    ),
    Case(
        "review.add_lesson",
        STAFF,
        "POST",
        args=lambda w: {"course_slug": COURSE_SLUG, "lesson_slug": w.lesson},
        others=404,
    ),
    Case("review.add_entry", SIGNED_IN, "POST", args=lambda w: {"language": "tyz", "key": w.word}),
    # Recording: editors and admins hold RECORD_AUDIO (contributors too, outside the matrix).
    Case("recordings.mine", EDITORS),
    Case("recordings.new_speaker", EDITORS),
    Case("recordings.new_speaker", EDITORS, "POST"),
    Case("recordings.record", EDITORS, args=lambda w: {"language": "tyz", "key": w.word}),
    Case("recordings.record", EDITORS, "POST", args=lambda w: {"language": "tyz", "key": w.word}),
    Case("recordings.queue", EDITORS),
    Case(
        "recordings.review",
        EDITORS,
        "POST",
        args=lambda w: {"recording_id": w.pending_recording},
    ),
    Case("recordings.pending_audio", EDITORS, args=lambda w: {"recording_id": w.pending_recording}),
    Case("recordings.withdraw", EDITORS, "POST", args=lambda w: {"speaker_id": w.speaker}),
    Case(
        "recordings.audio",
        EVERYONE,
        args=lambda w: {"recording_id": w.recording, "extension": "ogg"},
    ),
    Case("dictionary_editor.index", EDITORS),
    Case("dictionary_editor.index", EDITORS, "POST"),
    Case("dictionary_editor.entries", EDITORS, args=lambda w: {"language": "tyz"}),
    *[
        Case(
            "dictionary_editor.export",
            EDITORS,
            args=lambda w, kind=kind: {"language": "tyz", "kind": kind},
            label=kind,
        )
        for kind in ("csv", "xlsx")
    ],
    Case("dictionary_editor.new", EDITORS, args=lambda w: {"language": "tyz"}),
    Case("dictionary_editor.new", EDITORS, "POST", args=lambda w: {"language": "tyz"}),
    Case("dictionary_editor.edit", EDITORS, args=lambda w: {"language": "tyz", "key": w.word}),
    Case(
        "dictionary_editor.edit", EDITORS, "POST", args=lambda w: {"language": "tyz", "key": w.word}
    ),
    Case("honours.show", EVERYONE, args=lambda w: {"board_id": w.board}),
    Case("honours.consent", STAFF),
    Case("honours.set_consent", STAFF, "POST"),
    Case("honours.boards", AWARDS),
    Case("honours.create_board", AWARDS, "POST"),
    Case("honours.manage", AWARDS, args=lambda w: {"board_id": w.board}),
    *[
        _board(endpoint)
        for endpoint in (
            "honours.update_board",
            "honours.delete_board",
            "honours.publish",
            "honours.unpublish",
            "honours.add_person",
            "honours.add_passing",
            "honours.add_from_list",
            "honours.add_unit",
            "honours.add_top_units",
        )
    ],
    *[
        Case(
            endpoint,
            AWARDS,
            "POST",
            args=lambda w: {"board_id": w.board, "entry_id": w.honoured_person},
        )
        for endpoint in ("honours.update_person", "honours.remove_person")
    ],
    *[
        Case(
            endpoint,
            AWARDS,
            "POST",
            args=lambda w: {"board_id": w.board, "entry_id": w.honoured_unit},
        )
        for endpoint in ("honours.update_unit", "honours.remove_unit")
    ],
    # -- reports summary --
    Case("reports.summary", AWARDS),
    # -- privacy --
    Case("privacy.mine", SIGNED_IN),
    Case("privacy.my_data", SIGNED_IN),
    Case("privacy.access_log", ADMIN),
    # -- citizens --
    Case("citizens.notice", EVERYONE),
    Case("citizens.register", EVERYONE, expect={"anonymous": 200, "*": 302}),  # home if in
    Case("citizens.register", EVERYONE, "POST"),
    Case("citizens.verify", EVERYONE, args=lambda w: {"token": "x"}, expect=302),
    Case("citizens.recover", EVERYONE),
    Case("citizens.recover", EVERYONE, "POST"),
    # Only a citizen has such an account page; to anyone else it does not exist.
    Case("citizens.account", frozenset({"citizen"}), others=404),
    Case("citizens.new_codes", frozenset({"citizen"}), "POST", others=404),
    Case("citizens.resend_verification", frozenset({"citizen"}), "POST", others=404),
    Case("citizens.figures", AWARDS),
    # -- a missing record: those who may look get 404 (records found before access: everyone) --
    *[
        Case(
            endpoint,
            STAFF if endpoint.startswith("plans.") else SIGNED_IN,
            method,
            args=args,
            label="missing",
            expect=404,
            citizen=403,  # staff-only routes refuse her before looking
        )
        for endpoint, method, args in (
            ("plans.show", "GET", lambda w: {"plan_id": MISSING}),
            ("plans.decide", "POST", lambda w: {"plan_id": MISSING}),
            ("plans.assess", "POST", lambda w: {"plan_id": MISSING}),
            ("plans.verify_activity", "POST", lambda w: {"activity_id": MISSING}),
            ("plans.attach_evidence", "POST", lambda w: {"activity_id": MISSING}),
            ("plans.evidence", "GET", lambda w: {"token": "x" * 43}),
            ("review.answer", "POST", lambda w: {"card_id": MISSING}),
            (
                "review.add_lesson",
                "POST",
                lambda w: {"course_slug": COURSE_SLUG, "lesson_slug": "khong-co"},
            ),
            ("review.add_entry", "POST", lambda w: {"language": "tyz", "key": "khong-co"}),
            ("learning.course", "GET", lambda w: {"course_slug": "khong-co"}),
            ("learning.offline_package", "GET", lambda w: {"course_slug": "khong-co"}),
            (
                "learning.lesson",
                "GET",
                lambda w: {"course_slug": COURSE_SLUG, "lesson_slug": "khong-co"},
            ),
            ("learning.certificate", "GET", lambda w: {"certificate_id": MISSING}),
            ("credentials.badge_json", "GET", lambda w: {"certificate_id": MISSING}),
            (
                "courses.media",
                "GET",
                lambda w: {"course_slug": COURSE_SLUG, "sha256": "0" * 64, "extension": "ogg"},
            ),
        )
    ],
    Case(
        "learning.verify",
        EVERYONE,
        args=lambda w: {"code": "ZZZZ-ZZZZ-ZZZZ"},
        label="missing",
        expect=404,
    ),
    *[
        Case(endpoint, allowed, method, args=args, label="missing", expect=404)
        for endpoint, allowed, method, args in (
            ("org.unit", ADMIN, "GET", lambda w: {"unit_id": MISSING}),
            ("org.unit_members", ADMIN, "GET", lambda w: {"unit_id": MISSING}),
            ("accounts.person", ADMIN, "GET", lambda w: {"person_id": MISSING}),
            ("courses.course", EDITORS, "GET", lambda w: {"slug": "khong-co"}),
            ("course_editor.edit", EDITORS, "GET", lambda w: {"slug": "khong-co"}),
            (
                "course_editor.compare",
                EDITORS,
                "GET",
                lambda w: {"slug": COURSE_SLUG, "number": MISSING},
            ),
            (
                "course_editor.revert",
                EDITORS,
                "POST",
                lambda w: {"slug": COURSE_SLUG, "number": MISSING},
            ),
            ("plans.withdraw_assignment", MANAGERS, "POST", lambda w: {"assignment_id": MISSING}),
            ("plans.correct_rule", ADMIN, "POST", lambda w: {"rule_id": MISSING}),
            ("awards.edit_set", AWARDS, "GET", lambda w: {"set_id": MISSING}),
            ("awards.points", READERS, "GET", lambda w: {"set_id": MISSING}),
            ("awards.initiative", STAFF, "GET", lambda w: {"initiative_id": MISSING}),
            ("awards.edit_initiative", READERS, "GET", lambda w: {"initiative_id": MISSING}),
            ("nominations.show", AWARDS, "GET", lambda w: {"list_id": MISSING}),
            (
                "nominations.entry",
                AWARDS,
                "GET",
                lambda w: {"list_id": w.nomination_list, "entry_id": MISSING},
            ),
            ("nominations.change_form", AWARDS, "POST", lambda w: {"form_id": MISSING}),
            ("api.revoke_token", AWARDS, "POST", lambda w: {"token_id": MISSING}),
            ("honours.show", EVERYONE, "GET", lambda w: {"board_id": MISSING}),
            ("dictionary.language", EVERYONE, "GET", lambda w: {"language": "xx"}),
            ("dictionary.entry", EVERYONE, "GET", lambda w: {"language": "tyz", "key": "khong-co"}),
            ("dictionary_editor.entries", EDITORS, "GET", lambda w: {"language": "xx"}),
            (
                "recordings.record",
                EDITORS,
                "GET",
                lambda w: {"language": "tyz", "key": "khong-co"},
            ),
            ("recordings.review", EDITORS, "POST", lambda w: {"recording_id": MISSING}),
            ("recordings.withdraw", EDITORS, "POST", lambda w: {"speaker_id": MISSING}),
            (
                "recordings.audio",
                EVERYONE,
                "GET",
                lambda w: {"recording_id": w.pending_recording, "extension": "ogg"},
            ),
            (
                "dictionary_editor.edit",
                EDITORS,
                "GET",
                lambda w: {"language": "tyz", "key": "khong-co"},
            ),
            (
                "dictionary_editor.export",
                EDITORS,
                "GET",
                lambda w: {"language": "tyz", "kind": "pdf"},
            ),
            ("honours.manage", AWARDS, "GET", lambda w: {"board_id": MISSING}),
            (
                "honours.remove_person",
                AWARDS,
                "POST",
                lambda w: {"board_id": w.board, "entry_id": MISSING},
            ),
        )
    ],
]


# -- the world -----------------------------------------------------------------------------------


@cache
def _checked_course() -> checker.CheckReport:
    """The Tày course for staff and a course open to everyone, checked once per run from memory
    (no folder on disk); imported per test."""
    media = (Path(__file__).parent / "learning" / "fixtures" / "slam.ogg").read_bytes()

    def source(slug: str, audience: str) -> checker.SourceCourse:
        files = {
            "course.md": course_md(
                "Tiếng Tày giao tiếp cơ bản",
                category="ethnic-language",
                language="tyz",
                summary="Chào hỏi và số đếm.",
                hours="1,5",
                audience=audience,
            ).encode(),
            "01-chao-hoi.md": CHAO_HOI.encode(),
            "02-so-dem.md": SO_DEM.encode(),
            "media/slam.ogg": media,
        }
        return checker.SourceCourse(
            slug=slug,
            display=slug,
            files={
                name: checker.FileRef(len(data), lambda data=data: data)
                for name, data in files.items()
            },
        )

    report = checker.check_courses([source(COURSE_SLUG, ""), source(OPEN_SLUG, "public")])
    assert report.errors == [], [str(problem) for problem in report.errors]
    return report


def _plan_with_activity(person: Person, *, submit: bool) -> tuple[StudyPlan, ExternalActivity]:
    """Person's plan for YEAR with an activity outside the platform and its evidence (pending)."""
    plan = workflow.plan_for(person, YEAR)
    item = workflow.add_external(
        plan,
        kind="refresher",
        title="Bồi dưỡng kỹ năng số",
        organiser="Trường Chính trị tỉnh",
        starts_on=date(YEAR, 8, 1),
        ends_on=date(YEAR, 8, 3),
        hours="16",
        evidence=Upload("chung-nhan.pdf", PDF),
    )
    if submit:
        workflow.submit(plan, actor=person)
    db.session.flush()
    return plan, item.activity


def _sets(member: Person) -> tuple[int, int]:
    """A set with a manual indicator (for points) and one the member meets (for a list)."""
    first, last = date(YEAR - 1, 1, 1), date(YEAR - 1, 12, 31)
    scoring = awards.save_set(
        None,
        CriteriaSpec(
            None,
            f"Chấm điểm {YEAR - 1}",
            first,
            last,
            (
                CriterionSpec(
                    "points",
                    threshold=Decimal(5),
                    indicators=(
                        IndicatorSpec(None, "Ý thức, thái độ", Decimal(10), Decimal(0), "manual"),
                    ),
                ),
            ),
        ),
    )
    approved = awards.save_set(
        None,
        CriteriaSpec(
            None, f"Khen thưởng {YEAR - 1}", first, last, (CriterionSpec("plan_approved"),)
        ),
    )
    approve_plan(member, YEAR - 1, datetime(YEAR - 1, 2, 15, 3, 0, tzinfo=UTC))
    return scoring.id, approved.id


# The world is built once per run through the real services, its rows kept, and put back
# before each later test in one INSERT per table: the same records and ids, at a fraction of
# the cost of building them again for each of the matrix's (case, role) pairs.
_built: dict[str, object] = {}


@pytest.fixture
def world(app) -> World:
    if "world" in _built:
        _restore(_built["rows"])
    else:
        with app.test_request_context():
            _built["world"] = _build_world()
        _built["rows"] = _rows()
    return _built["world"]


def _rows() -> list[tuple[Table, list[dict]]]:
    """Every row of every table, column by column; but the reference stamp, which the restore
    sets anew as it writes the reference tables (lms.reference)."""
    kept = []
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            if table.name == "reference_stamp":
                continue
            keys = table.columns.keys()
            rows = connection.execute(table.select())
            kept.append((table, [dict(zip(keys, row, strict=True)) for row in rows]))
    return kept


def _restore(rows: list[tuple[Table, list[dict]]]) -> None:
    """Put the kept rows back, ids and all; on PostgreSQL, move each id sequence past them."""
    with db.engine.begin() as connection:
        for table, records in rows:
            if records:
                connection.execute(table.insert(), records)
        if connection.dialect.name != "postgresql":
            return
        for table, records in rows:
            key = table.columns.get("id")
            if records and key is not None and isinstance(key.type, Integer):
                connection.execute(
                    text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :last)"),
                    {"table": f'"{table.name}"', "last": max(record["id"] for record in records)},
                )


def _build_world() -> World:
    root = make_unit("ROOT", "Sở Dân tộc và Tôn giáo")
    own = make_unit("OWN", "Phòng Chính sách dân tộc", parent=root)
    sub = make_unit("SUB", "Tổ công tác", parent=own)
    other = make_unit("OTHER", "Phòng Hành chính - Tổng hợp", parent=root)
    merged = make_unit("GOP", "Phòng Tuyên truyền", parent=root)
    toa = make_unit("TOA", "Tổ A", parent=own, valid_from=date(YEAR, 1, 1))
    org.move_unit(toa, other, date(YEAR, 6, 1))
    member = make_person("thanhvien", "Hà Văn Thành", unit=sub)
    outsider = make_person("ngoai", "Lâm Thị Hoa", unit=other)
    moved = make_person("thuha", MOVED_NAME, unit=toa, since=date(YEAR, 7, 1))
    joined = make_person("gop", "Vàng Thị Gộp", unit=merged, since=date(YEAR - 1, 1, 1))
    make_person("truonggop", "Sầm Văn Cũ", unit=merged, manages=merged)
    learner = make_person("learner", "Ma Văn Học", unit=own)
    make_person("moi", "Đinh Văn Mới", unit=own, password=None)  # imported, no password yet
    manager = make_person("manager", "Nông Văn Quản", unit=own, manages=own)
    hcth = make_person("hcth", "Lương Thị Hợp", unit=other, roles=(Role.HCTH,))
    make_person("editor", "Vi Văn Biên", unit=other, roles=(Role.EDITOR,))
    make_person("admin", "Triệu Thị Trị", unit=other, roles=(Role.ADMIN,))
    former = make_person("former_head", "Hoàng Thị Cũ", unit=own)
    people.grant_role(former, Role.MANAGER, own, valid_from=START, valid_until=date(YEAR, 5, 31))
    # OWN's head also headed OTHER, until yesterday.
    people.revoke_role(manager, people.grant_role(manager, Role.MANAGER, other, valid_from=START))
    org.merge_unit(merged, own, date(YEAR, 3, 1))
    grant = people.grant_role(outsider, Role.EDITOR)
    make_citizen("citizen", "Lò Thị Dân")

    rules.seed_default_rules()
    importer.import_courses(_checked_course())
    course = db.session.scalar(db.select(Course).where(Course.slug == COURSE_SLUG))
    complete_course(learner, course, datetime(YEAR, 3, 1, 3, 0, tzinfo=UTC), CERTIFICATE_CODE)
    plan, activity = _plan_with_activity(member, submit=True)
    learner_plan, learner_activity = _plan_with_activity(learner, submit=False)
    moved_plan, moved_activity = _plan_with_activity(moved, submit=True)
    merged_plan, merged_activity = _plan_with_activity(joined, submit=True)
    outsider_plan, outsider_activity = _plan_with_activity(outsider, submit=True)
    assignment = assignments.assign_course(
        unit=own,
        course_id=course.id,
        year=YEAR,
        kind="required",
        due_on=date(YEAR, 12, 31),
        include_subunits=True,
        actor_id=manager.id,
    )
    outsider_assignment = assignments.assign_course(
        unit=other,
        course_id=course.id,
        year=YEAR,
        kind="required",
        due_on=date(YEAR, 12, 31),
        include_subunits=False,
        actor_id=manager.id,
    )
    points_set, approved_set = _sets(member)
    initiative = awards.record_initiative(
        InitiativeInput(
            title="Số hóa hồ sơ chính sách",
            author_ids=(str(member.id),),
            unit_id=str(own.id),
            year=str(YEAR),
        ),
        latest_year=YEAR + 1,
        allowed_units=None,
        actor_id=manager.id,
    )
    nominations.seed_default_forms()
    nomination = nominations.create_list(
        name=f"Đề nghị khen thưởng {YEAR - 1}",
        criteria_set=str(approved_set),
        unit="",
        created_by=hcth,
        today=local_today(),
    )
    token, secret = api.issue_token(hcth, "Phần mềm thống kê")
    honours.set_consent(member, True)
    board = honours.create_board(
        title=f"Vinh danh năm {YEAR - 1}",
        first=f"01/01/{YEAR - 1}",
        last=f"31/12/{YEAR - 1}",
        created_by=hcth,
    )
    honoured_person = honours.add_person(board, str(member.id), "Hoàn thành xuất sắc kế hoạch.")
    honoured_unit = honours.add_unit(board, str(own.id), "Đơn vị học tập tiêu biểu.")
    honours.publish(board)
    word = "kin"
    dictionary.import_file("tyz.csv", dictionary_csv(entry_line(word, "kin", "ăn")))
    db.session.flush()
    review_lesson = db.session.scalars(
        db.select(Lesson).where(Lesson.course_id == course.id)
    ).first()
    review.add_items(learner, [review.Item("slam", "ba")], language="tyz", lesson=review_lesson)
    db.session.commit()
    review_card = db.session.scalar(db.select(ReviewCard.id))
    entry = db.session.scalar(db.select(DictionaryEntry))
    speaker = recordings.add_speaker(
        full_name="Hoàng Văn Slao",
        locality="Tràng Định",
        birth_year=None,
        contact="",
        consented=True,
        consent_on=date(YEAR, 1, 5),
        document=None,
        witness="Trưởng thôn",
        added_by=hcth.id,
    )
    approved, pending = (
        recordings.submit(
            entry,
            part="headword",
            speaker=speaker,
            licence="cc-by-4.0",
            locality="",
            recorded_on=date(YEAR, 1, 6),
            data=ogg_opus(1000),
            contributor=hcth.id,
        )
        for _ in range(2)
    )
    recordings.review(approved, approve=True, comment="", reviewer=hcth.id)
    db.session.commit()
    if not signing_keys.all_keys():
        signing_keys.create_key(first=True)
    # Its Open Badges credential, so that the status list exists.
    badges.issue(db.session.scalars(db.select(Certificate)).one())
    db.session.commit()
    return World(
        own_unit=own.id,
        sub_unit=sub.id,
        other_unit=other.id,
        toa_unit=toa.id,
        merged_unit=merged.id,
        member=member.id,
        outsider=outsider.id,
        membership=member.memberships[0].id,
        grant=grant.id,
        plan=plan.id,
        activity=activity.id,
        evidence=activity.evidence.token,
        learner_activity=learner_activity.id,
        learner_item=learner_plan.latest.items[0].id,
        moved_plan=moved_plan.id,
        moved_activity=moved_activity.id,
        moved_evidence=moved_activity.evidence.token,
        merged_plan=merged_plan.id,
        merged_activity=merged_activity.id,
        merged_evidence=merged_activity.evidence.token,
        outsider_plan=outsider_plan.id,
        outsider_activity=outsider_activity.id,
        outsider_evidence=outsider_activity.evidence.token,
        lesson=course.lessons[0].slug,
        media_sha256=course.media[0].sha256,
        certificate=db.session.scalar(db.select(Certificate.id)),
        assignment=assignment.id,
        outsider_assignment=outsider_assignment.id,
        rule=plan_queries.rule_history()[0].id,
        points_set=points_set,
        initiative=initiative.id,
        nomination_list=nomination.id,
        nomination_entry=nomination.entries[0].id,
        form=min(form.id for form in nomination_queries.forms()),
        token=token.id,
        token_secret=secret,
        board=board.id,
        honoured_person=honoured_person.id,
        honoured_unit=honoured_unit.id,
        word=word,
        review_card=review_card,
        speaker=speaker.id,
        recording=approved.id,
        pending_recording=pending.id,
    )


# -- the tests -----------------------------------------------------------------------------------


def test_every_route_has_expectations(app):
    covered = {(case.endpoint, case.method) for case in CASES}
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes - covered == set(), "routes without access expectations"
    assert covered - routes == set(), "expectations for routes that no longer exist"


def test_case_ids_are_unique():
    ids = [case.id for case in CASES]
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


# About 40 s: in `make test`; `make test-fast` checks the declared rules (test_access_rules.py).
@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_route_answers_each_role_as_expected(app, client, login, world, case, role):
    if role != "anonymous":
        assert login(role).status_code == 302
    with app.test_request_context():
        url = url_for(case.endpoint, **case.args(world))
    response = client.open(url, method=case.method, headers=case.headers(world))
    status = response.status_code
    location = response.headers.get("Location", "").split("?")[0]
    redirected_to_login = status == 302 and location.endswith("/login")
    if role in case.allowed:
        expected = case.expected(role)
        if expected is not None:
            assert status == expected, f"{role} got {status}, not {expected} ({location})"
        else:
            assert status not in (403, 404) and status < 500, f"{role} got {status}"
        assert not redirected_to_login or case.endpoint == "auth.logout", f"{role} sent to sign in"
    elif role == "anonymous":
        assert redirected_to_login, f"anonymous got {status}"
    else:
        refused = case.refused_with(role)
        assert status == refused, f"{role} got {status}, not {refused}"


def test_her_unit_moved_away_before_she_joined_so_own_head_does_not_list_her(client, login, world):
    """Thu Hà is on no list of OWN's head; the member of SUB and the merged member are."""
    assert login("manager").status_code == 302
    dashboard = client.get(f"/plans/units/{world.own_unit}/{YEAR}")
    roster = client.get(f"/reports/units/{world.own_unit}/roster?period={YEAR}")
    for page in (dashboard, roster):
        assert page.status_code == 200
        assert MOVED_NAME not in page.text
        assert "Hà Văn Thành" in page.text and "Vàng Thị Gộp" in page.text


def test_the_merged_unit_s_head_lost_her_reach_with_the_merge(client, login, world):
    """GOP's head reached its member until the merge ended her grant: now she is refused."""
    assert login("truonggop").status_code == 302
    assert client.get(f"/plans/view/{world.merged_plan}").status_code == 403
    assert client.get(f"/plans/evidence/{world.merged_evidence}").status_code == 403
    assert client.get(f"/plans/units/{world.merged_unit}/{YEAR}").status_code == 403
    assert client.post(f"/plans/view/{world.merged_plan}/decide").status_code == 403
