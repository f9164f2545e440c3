"""The XSS corpus in Chromium: every payload in every field a person can write, every page.

The records are built through the services (the forms would take minutes). One record per
payload where a list page shows many at once; for text only a detail page shows, a record holds a
batch of payloads. The test fails on any dialog, any call of alert/confirm/prompt/print, any
Content-Security-Policy violation (a blocked inline script still means markup got through) and
any element carrying an on* attribute, a script URL, or a tag that only markup could have made.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from lms.accounts import services as accounts
from lms.accounts.models import Person
from lms.api import services as api
from lms.awards import services as awards
from lms.awards.criteria import CriteriaSpec, CriterionSpec, IndicatorSpec
from lms.awards.services import InitiativeInput
from lms.courses import checker
from lms.courses.models import Course
from lms.db import db
from lms.honours import services as honours
from lms.i18n import local_today
from lms.nominations import services as nominations
from lms.org import services as org
from lms.plans import rules, values, workflow
from lms.plans.models import ActivityKind
from lms.roles import Role
from lms.security import CONTENT_SECURITY_POLICY
from tests.browser.conftest import CHROMIUM, TIMEOUT_MS, sign_in
from tests.factories import make_person, make_unit
from tests.learning.content import import_folder, write_course
from tests.reports.conftest import complete, make_course

pytestmark = pytest.mark.browser

PAYLOADS = [
    line
    for line in Path(__file__).with_name("xss_payloads.txt").read_text("utf-8").splitlines()
    if line and not line.startswith("# ")
]
BATCH = 12  # payloads per record where one record holds many
YEAR = 2024
COURSE = "xss-khoa-hoc"

# Recorded in every frame before any of the page's own scripts run.
WATCH = """(() => {
    const report = (kind, detail) => {
        try { window.__xssReport(kind, String(detail), location.href); } catch (error) {}
    };
    for (const name of ["alert", "confirm", "prompt", "print"]) {
        window[name] = (...args) => { report(name, args.join(" ")); return null; };
    }
    document.addEventListener("securitypolicyviolation", (event) => {
        report("csp", `${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
    }, true);
})();"""

# Markup only a payload could have made: the pages themselves never carry an inline handler,
# an inline script or style, a frame, an object, or a URL that runs script.
DOM_CHECK = """() => {
    const found = [];
    const scriptUrl = /^(javascript|vbscript|data:text\\/html|data:image\\/svg)/i;
    const urlAttributes = ["href", "src", "action", "formaction", "xlink:href", "background",
                           "poster", "data", "srcdoc", "ping", "content"];
    const describe = (element) => element.outerHTML.slice(0, 160);
    for (const element of document.querySelectorAll("*")) {
        const tag = element.localName;
        if (["iframe", "frame", "object", "embed", "base", "applet", "isindex", "keygen",
             "marquee", "xmp", "dialog"].includes(tag)) {
            found.push(`<${tag}>: ${describe(element)}`);
        }
        if (tag === "script" && !element.src) found.push(`inline script: ${describe(element)}`);
        if (tag === "style") found.push(`inline style: ${describe(element)}`);
        if (tag === "meta" && element.httpEquiv) found.push(`meta: ${describe(element)}`);
        for (const attribute of element.attributes) {
            const name = attribute.name.toLowerCase();
            const value = attribute.value.replace(/[\\u0000-\\u0020]+/g, "");
            if (name.startsWith("on")) found.push(`${name}: ${describe(element)}`);
            if (name === "style") found.push(`style attribute: ${describe(element)}`);
            if (urlAttributes.includes(name) && scriptUrl.test(value)) {
                found.push(`${name}=${attribute.value}: ${describe(element)}`);
            }
        }
    }
    return found;
}"""


def batches(limit: int | None = None) -> list[str]:
    """The payloads joined into BATCH-sized texts, one per line (cut to limit if given)."""
    joined = [
        "\n".join(PAYLOADS[start : start + BATCH]) for start in range(0, len(PAYLOADS), BATCH)
    ]
    return [text[:limit] for text in joined] if limit else joined


@dataclass
class World:
    """The records holding payloads, and how many each field took (refusing is fine)."""

    urls: list[str] = field(default_factory=list)
    learner_urls: list[str] = field(default_factory=list)
    stored: dict[str, int] = field(default_factory=dict)
    template_person: int = 0

    def keep(self, what: str, write) -> object | None:
        """Run write(); count it as stored unless the service refuses the input."""
        try:
            result = write()
        except (
            accounts.PersonError,
            api.TokenError,
            awards.AwardError,
            honours.HonourError,
            nominations.NominationError,
            org.OrgError,
            values.PlanError,
        ):
            return None
        self.stored[what] = self.stored.get(what, 0) + 1
        return result


def yaml_text(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # JSON strings are YAML double-quoted strings


def write_payload_course(root: Path) -> int:
    """A course whose titles, text, links, images and quiz questions are payloads.

    The course checker refuses links and images that leave the course, and Markdown whose
    shape would make rendering costly (it names the first such line of a file), so the lines it
    refuses are dropped until it accepts the rest; return how many payload lines went in.
    """
    lessons: dict[str, list[str]] = {}
    for number, start in enumerate(range(0, len(PAYLOADS), BATCH), start=1):
        group = PAYLOADS[start : start + BATCH]
        questions = [
            line
            for index, p in enumerate(group)
            for line in (
                f"  - id: c{index}",
                "    type: single",
                f"    prompt: {yaml_text(p)}",
                f"    choices: [{yaml_text(p)}, {yaml_text(f'Đúng {index}')}]",
                f"    answer: {yaml_text(f'Đúng {index}')}",
                f"    feedback: {yaml_text(p)}",
            )
        ]
        body = [
            *group,
            *(f"[{p}](https://example.org/?q={quote(p)})" for p in group),
            *(f"[{p}](<{p}>)" for p in group),
            *(f"![{p}](media/a.png)" for p in group),
            *(f"![ảnh]({p})" for p in group),
            *(f"`{p}`" for p in group),
            *(f"> {p}" for p in group),
            *(f"- {p}" for p in group),
        ]
        lines = ["---", f"title: {yaml_text(group[1])}", "minutes: 5", "---", "", f"## {group[2]}"]
        for line in body:
            lines += ["", line]
        lines += ["", "```quiz", f"id: q{number}", f"title: {yaml_text(group[0])}"]
        lines += ["pass_mark: 50", "questions:", *questions, "```", ""]
        lessons[f"{number:02d}-bai-{number}.md"] = lines
    media = {"a.png": bytes.fromhex("89504e470d0a1a0a")}
    folder = root / COURSE
    for _attempt in range(sum(len(lines) for lines in lessons.values())):
        folder = write_course(
            root,
            COURSE,
            yaml_text(PAYLOADS[0]),
            {name: "\n".join(lines) for name, lines in lessons.items()},
            summary=yaml_text(PAYLOADS[1]),
            hours="2",
            media=media,
        )
        sources, is_collection = checker.load_folder(folder)
        report = checker.check_courses(sources, is_collection=is_collection)
        if not report.errors:
            break
        for problem in report.errors:
            refused = lessons[Path(problem.path).name]
            refused[problem.line - 1] = ""
    import_folder(folder)
    return sum(1 for lines in lessons.values() for line in lines[6:] if line.strip())


@pytest.fixture
def world(app, tmp_path) -> World:
    """Everything a person can write, written with payloads."""
    world = World()
    rules.seed_default_rules()
    nominations.seed_default_forms()
    root = make_unit("SDT", "Sở Dân tộc và Tôn giáo")
    admin = make_person("quantri", "Quản Trị Viên", roles=(Role.ADMIN,), manages=root)
    hcth = make_person("tonghop", "Lương Thị Hợp", roles=(Role.HCTH,))
    course = make_course("digital-skills", "12")
    texts = batches()
    today = local_today()
    people: list[Person] = []
    units = []
    with app.test_request_context():
        for index, payload in enumerate(PAYLOADS):
            unit = make_unit(f"U{index:03d}", f"Phòng {index}", parent=root)
            world.keep(
                "unit name", lambda u=unit, p=payload: org.rename_unit(u, p, date(2021, 1, 1))
            )
            person = world.keep(
                "full name",
                lambda i=index, p=payload, u=unit: make_person(
                    f"xss{i:03d}", p, position=PAYLOADS[-1 - i], unit=u, since=date(2022, 1, 1)
                ),
            ) or make_person(f"xss{index:03d}", f"Người {index}", unit=unit)
            if payload == "{{7*7}}":
                world.template_person = person.id
            complete(person, course, datetime(YEAR, 3, 1, 3, 0, tzinfo=UTC))
            people.append(person)
            units.append(unit)
        db.session.flush()

        # Plans: notes, external activities, comments and assessments, a batch per plan.
        plan_ids = []
        for index, text in enumerate(texts):
            person = people[index]
            plan = workflow.plan_for(person, YEAR)
            world.keep("plan note", lambda pl=plan, t=text: workflow.save_note(pl, t))
            for payload in PAYLOADS[index * BATCH : (index + 1) * BATCH]:
                world.keep(
                    "activity title/provider",
                    lambda pl=plan, p=payload: workflow.add_external(
                        pl,
                        kind=ActivityKind.TRAINING,
                        title=p,
                        organiser=p,
                        starts_on=f"02/03/{YEAR}",
                        ends_on=f"02/03/{YEAR}",
                        hours="2",
                    ),
                )
            workflow.submit(plan, actor=person)
            world.keep(
                "decision comment",
                lambda pl=plan, t=text: workflow.decide(
                    pl,
                    actor=admin,
                    approve=False,
                    version_number=pl.latest.number,
                    revision=pl.revision,
                    comment=t,
                ),
            )
            world.keep(
                "self-assessment",
                lambda pl=plan, t=text, p=person: workflow.self_assess(pl, t, actor=p),
            )
            world.keep(
                "manager assessment",
                lambda pl=plan, t=text: workflow.manager_assess(pl, t, actor=admin),
            )
            plan_ids.append(plan.id)
        db.session.flush()

        # Initiatives: a title each; the first ones hold batches in summary, evidence, note.
        initiative_ids = []
        for index, payload in enumerate(PAYLOADS):
            long = texts[index] if index < len(texts) else payload
            initiative = world.keep(
                "initiative",
                lambda i=index, p=payload, t=long: awards.record_initiative(
                    InitiativeInput(
                        title=p,
                        author_ids=(str(people[i].id),),
                        unit_id=str(units[i].id),
                        year=str(YEAR),
                        summary=t,
                        evidence=t,
                        recognition_level="agency",
                        recognised_on=f"20/11/{YEAR}",
                    ),
                    latest_year=today.year + 1,
                    allowed_units=None,
                    actor_id=hcth.id,
                ),
            )
            if initiative is not None:
                world.keep(
                    "initiative decision",
                    lambda it=initiative, t=long: awards.decide_initiative(
                        it, approve=True, note=t[: awards.MAX_NOTE], actor_id=hcth.id
                    ),
                )
                initiative_ids.append(initiative.id)

        # Criteria sets: a name and description each; the first ones with payload indicators.
        set_ids = []
        for index, payload in enumerate(PAYLOADS):
            group = PAYLOADS[index * BATCH : (index + 1) * BATCH] if index < len(texts) else []
            criteria = [CriterionSpec("hours", percent=25), CriterionSpec("initiatives", count=1)]
            if group:
                indicators = tuple(
                    IndicatorSpec(None, p, Decimal(10), Decimal(0), "manual") for p in group
                )
                criteria.append(
                    CriterionSpec("points", threshold=Decimal(1), indicators=indicators)
                )
            spec = CriteriaSpec(
                None, payload, date(YEAR, 1, 1), date(YEAR, 12, 31), tuple(criteria)
            )
            saved = world.keep(
                "criteria set",
                lambda s=spec, p=payload: awards.save_set(None, s, description=p, actor_id=hcth.id),
            )
            if saved is not None:
                set_ids.append(saved.id)
            elif group:
                raise AssertionError(f"the set with indicators {index} was refused")
        plain = awards.save_set(
            None,
            CriteriaSpec(
                None,
                "Học tập 2024",
                date(YEAR, 1, 1),
                date(YEAR, 12, 31),
                (CriterionSpec("hours", percent=25),),
            ),
        )

        # Nomination lists: one per unit named by a payload; entries edited and removed.
        list_ids = []
        for index, payload in enumerate(PAYLOADS):
            nomination = world.keep(
                "nomination list",
                lambda i=index, p=payload: nominations.create_list(
                    name=p,
                    criteria_set=str(plain.id),
                    unit=str(units[i].id),
                    created_by=hcth,
                    today=today,
                ),
            )
            if nomination is None or index >= len(texts) or not nomination.entries:
                continue
            entry = nomination.entries[0]
            world.keep(
                "entry summary/note",
                lambda e=entry, t=texts[index]: nominations.update_entry(
                    e, form=str(e.form_id), summary=t, note=t[: nominations.REASON_LIMIT]
                ),
            )
            if index % 2:
                world.keep(
                    "removal reason",
                    lambda e=entry, t=texts[index]: nominations.remove_entry(
                        e, t[: nominations.REASON_LIMIT], hcth
                    ),
                )
            list_ids.append(nomination.id)
        whole = nominations.create_list(
            name="Toàn cơ quan 2024",
            criteria_set=str(plain.id),
            unit="",
            created_by=hcth,
            today=today,
        )
        for payload in PAYLOADS:
            world.keep("commendation form", lambda p=payload: nominations.add_form(p))

        # API tokens, revoked at once so that the limit on active tokens never bites.
        for payload in PAYLOADS:
            token = world.keep("token name", lambda p=payload: api.issue_token(admin, p)[0])
            if token is not None:
                api.revoke_token(admin, token.id)

        # Honour boards: a title each, and citations of people and units.
        board_ids = []
        for index in range(len(texts)):
            board = world.keep(
                "honour board",
                lambda p=PAYLOADS[index]: honours.create_board(
                    title=p, first=f"01/01/{YEAR}", last=f"31/12/{YEAR}", created_by=hcth
                ),
            )
            if board is None:
                continue
            for offset, payload in enumerate(PAYLOADS[index * BATCH : (index + 1) * BATCH]):
                number = index * BATCH + offset
                honours.set_consent(people[number], True)
                world.keep(
                    "honour citation",
                    lambda b=board, n=number, p=payload: honours.add_person(
                        b, str(people[n].id), p
                    ),
                )
                world.keep(
                    "honour unit citation",
                    lambda b=board, n=number, p=payload: honours.add_unit(b, str(units[n].id), p),
                )
            world.keep("honour publish", lambda b=board: honours.publish(b))
            board_ids.append(board.id)
    db.session.commit()
    with app.test_request_context():
        world.stored["course lines"] = write_payload_course(tmp_path / "courses")
    lessons = db.session.scalar(db.select(Course).where(Course.slug == COURSE)).lessons

    pages = -(-len(PAYLOADS) // 50)
    detail = range(len(texts))
    world.urls = [
        "/",
        *(f"/admin/people/?page={n}" for n in range(1, pages + 1)),
        *(f"/admin/people/{people[i].id}" for i in detail),
        *(f"/admin/people/{people[i].id}/edit" for i in detail),
        "/admin/units/",
        *(f"/admin/units/{units[i].id}" for i in detail),
        f"/admin/units/{root.id}/members",
        *(f"/reports/roster?period={YEAR}&criteria=none&page={n}" for n in range(1, pages + 1)),
        f"/reports/roster?period={YEAR}&criteria={set_ids[-1]}",
        f"/reports/roster?period={YEAR}&criteria={set_ids[0]}&format=html",
        f"/reports/summary?period={YEAR}",
        f"/reports/summary?period={YEAR}&format=html",
        "/plans/units",
        f"/plans/units/{root.id}/{YEAR}",
        *(f"/plans/view/{plan_id}" for plan_id in plan_ids),
        "/awards/",
        *(f"/awards/sets/{set_id}" for set_id in set_ids[: len(texts)]),
        *(f"/awards/sets/{set_id}/edit" for set_id in set_ids[: len(texts)]),
        *(f"/awards/sets/{set_id}/points" for set_id in set_ids[: len(texts)]),
        *(f"/awards/initiatives?page={n}" for n in range(1, pages + 1)),
        *(f"/awards/initiatives/{i}" for i in initiative_ids[: len(texts)]),
        *(f"/awards/initiatives/{i}/edit" for i in initiative_ids[: len(texts)]),
        "/awards/initiatives/new",
        "/nominations/",
        "/nominations/forms",
        f"/nominations/{whole.id}",
        f"/nominations/{whole.id}/changes",
        *(f"/nominations/{i}" for i in list_ids),
        *(f"/nominations/{whole.id}/entries/{entry.id}" for entry in whole.entries[: len(texts)]),
        "/account/api-tokens",
        "/courses/",
        f"/courses/{COURSE}",
        *(f"/courses/{COURSE}/{lesson.slug}" for lesson in lessons),
        "/admin/courses/",
        f"/admin/courses/{COURSE}/",
        *(f"/admin/courses/{COURSE}/{lesson.slug}" for lesson in lessons),
        "/honours/",
        *(f"/honours/{i}" for i in board_ids),
        "/honours/boards",
        *(f"/honours/boards/{i}" for i in board_ids),
        *(f"/admin/audit/?page={n}" for n in range(1, 6)),
        # Last: the views above are what the access log lists.
        *(f"/privacy/access-log?page={n}" for n in range(1, 4)),
    ]
    world.learner_urls = [
        "/",
        "/privacy/",
        f"/plans/{YEAR}",
        "/plans/notifications",
        "/honours/consent",
        f"/courses/{COURSE}",
        *(f"/courses/{COURSE}/{lesson.slug}" for lesson in lessons),
    ]
    return world


@dataclass
class Watch:
    """What the pages of one browser context did that they never should."""

    events: list[str] = field(default_factory=list)

    def attach(self, context) -> None:
        context.expose_binding(
            "__xssReport",
            lambda source, kind, detail, url: self.events.append(f"{url}: {kind} {detail}"),
        )
        context.add_init_script(WATCH)
        # Downloads of the printable exports are shown as pages, with their own headers.
        context.route("**/*format=html*", self._inline)

    @staticmethod
    def _inline(route) -> None:
        response = route.fetch()
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-disposition"}
        route.fulfill(response=response, headers=headers)


def visit_all(
    browser, base_url: str, username: str, urls: list[str], tabs: int = 3, fakes=None
) -> list[str]:
    """Open every url in a few tabs of one context; return every problem seen.

    fakes maps a path to a (body, headers) page served instead of the app's (to test the test).
    """
    context = browser.new_context(base_url=base_url, locale="vi-VN")
    context.set_default_timeout(TIMEOUT_MS)
    watch = Watch()
    watch.attach(context)
    for path, (body, headers) in (fakes or {}).items():
        context.route(base_url + path, _serve(body, headers))
    problems: list[str] = []
    try:
        context.on(
            "response",
            lambda r: (
                r.request.is_navigation_request()
                and r.status >= 400
                and problems.append(f"{r.url}: HTTP {r.status}")
            ),
        )
        first = context.new_page()
        first.on(
            "dialog", lambda dialog: (problems.append(f"dialog {dialog.message}"), dialog.dismiss())
        )
        sign_in(first, username)
        pages = [first] + [context.new_page() for _ in range(tabs - 1)]
        for page in pages[1:]:
            page.on("dialog", lambda d: (problems.append(f"dialog {d.message}"), d.dismiss()))
        for number, url in enumerate(urls):
            page = pages[number % tabs]
            page.goto(url)
            for found in page.evaluate(DOM_CHECK):
                problems.append(f"{url}: {found}")
        for page in pages:
            page.wait_for_timeout(50)  # late error events of broken images
    finally:
        context.close()
    return problems + watch.events


def _serve(body: str, headers: dict):
    def fulfil(route) -> None:
        route.fulfill(body=body, headers=headers, content_type="text/html; charset=utf-8")

    return fulfil


def test_no_payload_runs_anywhere(browser, live_server, world: World):
    if not CHROMIUM.exists():
        pytest.skip("no Chromium")
    assert len(PAYLOADS) >= 100
    # Most fields take every payload: the test must not pass because the data never got in.
    for what, count in world.stored.items():
        assert count >= BATCH // 2, f"{what}: only {count} stored ({world.stored})"
    problems = visit_all(browser, live_server, "quantri", world.urls)
    problems += visit_all(browser, live_server, "xss000", world.learner_urls, tabs=2)
    assert not problems, "\n".join(problems[:60])


def test_template_syntax_is_shown_as_typed(page: Page, world: World):
    sign_in(page, "quantri")
    page.goto(f"/admin/people/{world.template_person}")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("{{7*7}}")
    expect(heading).not_to_contain_text("49")


def test_the_watch_sees_what_gets_through(app, browser, live_server):
    """Markup that escaped would be caught: run, blocked by the CSP, or merely present."""
    make_person("quantri", "Quản Trị Viên", roles=(Role.ADMIN,))
    db.session.commit()
    strict = {"Content-Security-Policy": CONTENT_SECURITY_POLICY}
    fakes = {
        "/fake/runs": ("<p>a</p><script>alert(1)</script>", {}),
        "/fake/blocked": ("<p>b</p><script>confirm(2)</script>", strict),
        "/fake/present": ('<a href=" javascript:x()">c</a><b onclick="x()">d</b>', strict),
    }
    problems = visit_all(browser, live_server, "quantri", list(fakes), fakes=fakes)
    text = "\n".join(problems)
    assert "/fake/runs: alert 1" in text
    assert "/fake/blocked: csp script-src" in text
    assert "/fake/blocked: inline script" in text
    assert "/fake/present: href= javascript:x()" in text
    assert "/fake/present: onclick" in text
