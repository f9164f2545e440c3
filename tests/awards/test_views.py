"""The awards pages through the client: who may do what, and what each page shows."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text

from lms.accounts.models import Person
from lms.awards import queries, services
from lms.awards.criteria import CriteriaSpec, CriterionSpec
from lms.awards.models import CriteriaSet, Initiative, InitiativeStatus, PointsEntry
from lms.db import db
from lms.i18n import local_today
from lms.org.models import Unit
from lms.roles import Role
from tests.awards.conftest import citizen_spec, manual_indicator
from tests.factories import make_person, make_unit


@dataclass
class Org:
    own: object
    sub: object
    other: object
    member: object
    outsider: object
    manager: object


@pytest.fixture
def org(app) -> Org:
    root = make_unit("ROOT", "Sở Dân tộc và Tôn giáo")
    own = make_unit("OWN", "Phòng Chính sách", parent=root)
    sub = make_unit("SUB", "Tổ công tác", parent=own)
    other = make_unit("OTHER", "Phòng Hành chính - Tổng hợp", parent=root)
    member = make_person("thanhvien", "Hà Văn Thành", unit=sub)
    outsider = make_person("ngoai", "Lâm Thị Hoa", unit=other)
    make_person("learner", "Ma Văn Học", unit=own)
    manager = make_person("manager", "Nông Văn Quản", unit=own, manages=own)
    make_person("boss2", "Triệu Văn Khác", unit=other, manages=other)
    make_person("hcth", "Lương Thị Hợp", unit=other, roles=(Role.HCTH,))
    db.session.commit()
    # Plain ids: the client's requests end the session these records were loaded in.
    refs = [SimpleNamespace(id=x.id) for x in (own, sub, other, member, outsider, manager)]
    return Org(*refs)


def set_form(**changes) -> dict:
    form = {
        "name": "Công dân học tập 2025",
        "description": "Theo QĐ 677/QĐ-TTg",
        "preset": "",
        "first": "01/01/2025",
        "last": "31/12/2025",
        "c-0-kind": "plan_approved",
        "c-1-kind": "points",
        "c-1-threshold": "80",
        "c-2-kind": "",
        "i-0-name": "Tự học",
        "i-0-max": "60",
        "i-0-min": "5",
        "i-0-source": "hours",
        "i-1-name": "Ý thức, thái độ",
        "i-1-max": "30",
        "i-1-min": "2,5",
        "i-1-source": "manual",
        "i-2-name": "Sáng kiến",
        "i-2-max": "10",
        "i-2-source": "initiatives",
        "i-2-target": "1",
    }
    form.update(changes)
    return form


def confirmed(client, url: str, data: dict):
    """Send a set form, confirming its warning when it has one (nobody passes these sets)."""
    response = client.post(url, data=data)
    key = re.search(r'name="confirmed" value="([0-9a-f]+)"', response.get_data(as_text=True))
    if response.status_code == 200 and key:
        response = client.post(url, data={**data, "confirmed": key[1]})
    return response


def test_hcth_defines_a_set_and_previews_it(org, client, login):
    login("hcth")
    # Nobody passes it yet: the form says so and saves only once that is confirmed.
    warned = client.post("/awards/sets/new", data=set_form())
    assert warned.status_code == 200
    said = warned.get_data(as_text=True)
    assert "không ai trong 6 người của danh sách kỳ 01/01/2025 – 31/12/2025 đạt" in said
    assert 'value="Công dân học tập 2025"' in said  # what was typed is kept
    assert db.session.scalar(select(func.count(CriteriaSet.id))) == 0
    response = confirmed(client, "/awards/sets/new", set_form())
    assert response.status_code == 302
    saved = db.session.scalar(select(CriteriaSet))
    spec = queries.spec(saved.id)
    assert [c.kind for c in spec.criteria] == ["plan_approved", "points"]
    assert spec.criteria[1].indicators[1].min_points == Decimal("2.5")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Công dân học tập 2025" in page
    assert "Đạt: 0 / 6 người" in page
    assert "Hà Văn Thành" in page
    assert "chưa chấm: Ý thức, thái độ" in page


def test_the_set_form_shows_every_problem_and_saves_nothing(org, client, login):
    login("hcth")
    response = client.post(
        "/awards/sets/new",
        data=set_form(
            first="32/01/2025",
            **{
                "c-1-threshold": "120",
                "c-2-kind": "plan_approved",
                "i-1-min": "40",
                "i-0-max": "x",
            },
        ),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Ngày bắt đầu “32/01/2025” không đúng dạng dd/mm/yyyy." in page
    assert "Chỉ số 1: điểm tối đa “x” không phải là số" in page
    assert "Tiêu chí 3: trùng với một tiêu chí cùng loại ở trên." in page
    assert "chỉ số 2: điểm tối thiểu phải từ 0 đến điểm tối đa." in page
    assert 'value="Công dân học tập 2025"' in page  # typed values come back
    assert db.session.scalar(select(func.count(CriteriaSet.id))) == 0


def test_a_refused_row_field_is_marked_and_keeps_what_was_typed(org, client, login):
    login("hcth")
    response = client.post(
        "/awards/sets/new", data=set_form(**{"i-0-max": "bảy", "c-1-threshold": "80"})
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Chỉ số 1: điểm tối đa “bảy” không phải là số (ví dụ 7,5)." in page
    marked = re.search(r'<input name="i-0-max" value="([^"]*)"([^>]*)>', page)
    assert marked and marked.group(1) == "bảy"
    assert 'aria-invalid="true"' in marked.group(2)
    # A field that was fine is not marked.
    assert 'name="c-1-threshold" value="80" size' in page


def test_rows_are_reordered_by_their_order_boxes(org, client, login):
    login("hcth")
    confirmed(
        client,
        "/awards/sets/new",
        set_form(**{"c-0-order": "2", "c-1-order": "1", "i-0-order": "9", "preset": "gd1"}),
    )
    spec = queries.spec(db.session.scalar(select(CriteriaSet.id)))
    assert [c.kind for c in spec.criteria] == ["points", "plan_approved"]
    assert [i.name for i in spec.criteria[0].indicators] == [
        "Ý thức, thái độ",
        "Sáng kiến",
        "Tự học",
    ]
    assert (spec.first.isoformat(), spec.last.isoformat()) == ("2024-01-01", "2025-12-31")


def test_add_rows_button_offers_more_rows_without_saving(org, client, login):
    login("hcth")
    page = client.post("/awards/sets/new", data=set_form(add_rows="1")).get_data(as_text=True)
    assert 'name="c-5-kind"' in page and 'name="i-5-name"' in page
    assert db.session.scalar(select(func.count(CriteriaSet.id))) == 0


def test_edit_page_shows_the_stored_set_and_saves_changes(org, client, login, make_set):
    saved = make_set()
    login("hcth")
    page = client.get(f"/awards/sets/{saved.id}/edit").get_data(as_text=True)
    assert 'value="Ý thức, thái độ"' in page
    form = set_form(name="Đổi tên")
    manual = manual_indicator(saved)
    form["i-1-id"] = str(manual.id)
    assert confirmed(client, f"/awards/sets/{saved.id}/edit", form).status_code == 302
    db.session.expire_all()
    assert db.session.get(CriteriaSet, saved.id).name == "Đổi tên"
    assert manual_indicator(db.session.get(CriteriaSet, saved.id)).id == manual.id


def test_delete_is_refused_while_a_nomination_list_uses_the_set(org, client, login, make_set):
    used, unused = make_set(), make_set(citizen_spec("Bộ khác"))
    now = datetime.now(UTC).replace(tzinfo=None)
    db.session.execute(
        text(
            "INSERT INTO nomination_list (name, criteria_set_id, status, created_at, refreshed_at)"
            " VALUES ('Đề nghị 2025', :set_id, 'draft', :now, :now)"
        ),
        {"set_id": used.id, "now": now},
    )
    db.session.commit()
    login("hcth")
    response = client.post(f"/awards/sets/{used.id}/delete", follow_redirects=True)
    assert "Không thể xóa bộ tiêu chí" in response.get_data(as_text=True)
    assert client.post(f"/awards/sets/{unused.id}/delete").status_code == 302
    assert [s.id for s in queries.criteria_sets()] == [used.id]


@pytest.mark.parametrize("role", ["learner", "manager"])
def test_only_hcth_and_admins_define_or_preview(org, client, login, make_set, role):
    saved = make_set()
    login(role)
    assert client.get("/awards/").status_code == 403
    assert client.get(f"/awards/sets/{saved.id}").status_code == 403
    assert client.post("/awards/sets/new", data=set_form()).status_code == 403
    assert client.post(f"/awards/sets/{saved.id}/delete").status_code == 403


def test_preview_filters_passing_people_by_unit(org, client, login, make_set):
    saved = make_set(
        CriteriaSpec(
            None,
            "Sáng kiến 2025",
            citizen_spec().first,
            citizen_spec().last,
            (CriterionSpec("initiatives", count=1),),
        )
    )
    _approved_initiative(org.own, [org.member])
    login("hcth")
    page = client.get(f"/awards/sets/{saved.id}?passing=1", follow_redirects=True).get_data(
        as_text=True
    )
    assert "Đạt: 1 / 6 người" in page
    assert "Hà Văn Thành" in page and "Lâm Thị Hoa" not in page
    assert "1 sáng kiến" in page
    page = client.get(
        f"/awards/sets/{saved.id}?unit={org.other.id}", follow_redirects=True
    ).get_data(as_text=True)
    assert "Đạt: 0 / 3 người" in page


def test_preview_queries_do_not_grow_with_people(org, app, client, login, make_set, count_queries):
    saved = make_set()
    login("hcth")
    url = f"/reports/criteria/{saved.id}"
    # Someone has an initiative already: its years are read when anyone has one.
    _approved_initiative(org.sub, [make_person(unit=db.session.get(Unit, org.sub.id))])
    db.session.commit()
    client.get(url)  # warm up: sign-in lookups, template compilation
    few = count_queries(lambda: client.get(url))
    for n in range(12):
        person = make_person(unit=db.session.get(Unit, org.sub.id if n % 2 else org.other.id))
        _approved_initiative(org.sub, [person])
    db.session.commit()
    many = count_queries(lambda: client.get(url))
    assert many == few


def _approved_initiative(unit, authors, title="Số hóa hồ sơ"):
    data = services.InitiativeInput(
        title=title,
        author_ids=tuple(str(a.id) for a in authors),
        unit_id=str(unit.id),
        year="2025",
    )
    found = services.record_initiative(data, latest_year=2026, allowed_units=None, actor_id=None)
    found.status = InitiativeStatus.APPROVED
    db.session.commit()
    return found


# Points -------------------------------------------------------------------------------------


def test_manager_enters_points_for_people_of_their_units_only(org, client, login, make_set):
    saved = make_set()
    manual = manual_indicator(saved)
    login("manager")
    page = client.get(f"/awards/sets/{saved.id}/points").get_data(as_text=True)
    assert "Hà Văn Thành" in page  # a member of a sub-unit
    assert "Lâm Thị Hoa" not in page  # another unit
    assert client.get(f"/awards/sets/{saved.id}/points?unit={org.other.id}").status_code == 403

    response = client.post(
        f"/awards/sets/{saved.id}/points",
        data={
            f"pt-{org.member.id}-{manual.id}": "7,5",
            f"pt-{org.outsider.id}-{manual.id}": "9",
        },
    )
    assert response.status_code == 400
    assert "không thuộc danh sách được chấm" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PointsEntry.id))) == 0

    response = client.post(
        f"/awards/sets/{saved.id}/points",
        data={f"pt-{org.member.id}-{manual.id}": "7,5", f"pt-{org.manager.id}-{manual.id}": "99"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nông Văn Quản, chỉ số “Ý thức, thái độ”: 99 ngoài khoảng 0 đến 30." in page
    assert 'value="99"' in page
    assert db.session.scalar(select(func.count(PointsEntry.id))) == 0

    response = client.post(
        f"/awards/sets/{saved.id}/points", data={f"pt-{org.member.id}-{manual.id}": "7,5"}
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="7,5"' in page


def test_hcth_scores_anyone_and_learners_nobody(org, client, login, make_set):
    saved = make_set()
    manual = manual_indicator(saved)
    login("learner")
    assert client.get(f"/awards/sets/{saved.id}/points").status_code == 403
    client.post("/logout")
    login("hcth")
    page = client.get(f"/awards/sets/{saved.id}/points").get_data(as_text=True)
    assert "Lâm Thị Hoa" in page and "Hà Văn Thành" in page
    response = client.post(
        f"/awards/sets/{saved.id}/points", data={f"pt-{org.outsider.id}-{manual.id}": "30"}
    )
    assert response.status_code == 302


# Initiatives --------------------------------------------------------------------------------


def initiative_form(unit, *authors, **changes) -> dict:
    form = {
        "title": "Ứng dụng tiếng Tày trong tuyên truyền",
        "authors": [str(a.id) for a in authors],
        "unit": str(unit.id),
        "year": "2025",
        "summary": "",
        "evidence": "QĐ số 12/QĐ-SDTTG ngày 05/04/2025",
        "level": "agency",
        "recognised_on": "05/04/2025",
    }
    form.update(changes)
    return form


def test_manager_records_for_own_unit_and_others_cannot_decide(org, client, login):
    login("manager")
    refused = client.post("/awards/initiatives/new", data=initiative_form(org.other, org.outsider))
    assert refused.status_code == 400
    assert "đơn vị mình quản lý" in refused.get_data(as_text=True)
    response = client.post("/awards/initiatives/new", data=initiative_form(org.sub, org.member))
    assert response.status_code == 302
    initiative = db.session.scalar(select(Initiative))
    client.post("/logout")

    login("boss2")  # manages another unit
    assert client.get(f"/awards/initiatives/{initiative.id}").status_code == 403
    decide = f"/awards/initiatives/{initiative.id}/decide"
    assert client.post(decide, data={"decision": "approve"}).status_code == 403
    client.post("/logout")

    login("manager")
    assert client.post(decide, data={"decision": "approve"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Initiative, initiative.id).status == InitiativeStatus.APPROVED


def test_a_manager_names_only_people_in_their_reach_as_authors(org, client, login):
    """The auditor's case: a manager named an HCTH officer author of their unit's initiative,
    approved it, and the roster credited her."""
    hcth = db.session.scalar(select(Person).where(Person.username == "hcth"))
    login("manager")
    refused = client.post("/awards/initiatives/new", data=initiative_form(org.own, hcth))
    assert refused.status_code == 400
    assert "Lương Thị Hợp không thuộc đơn vị bạn quản lý trong năm 2025" in refused.text
    mixed = client.post(
        "/awards/initiatives/new", data=initiative_form(org.own, org.member, org.outsider)
    )
    assert mixed.status_code == 400 and "Lâm Thị Hoa không thuộc" in mixed.text
    assert db.session.scalar(select(func.count(Initiative.id))) == 0

    # Editing is held to the same rule.
    initiative = _approved_initiative(org.own, [org.member])
    initiative.status = InitiativeStatus.PENDING
    db.session.commit()
    edit = client.post(
        f"/awards/initiatives/{initiative.id}/edit",
        data=initiative_form(org.own, org.member, hcth),
    )
    assert edit.status_code == 400
    db.session.expire_all()
    assert [a.person_id for a in db.session.get(Initiative, initiative.id).authors] == [
        org.member.id
    ]


def test_the_author_picker_searches_within_reach_and_shows_no_usernames(org, client, login):
    login("manager")
    form = client.get("/awards/initiatives/new").text
    assert "Lâm Thị Hoa" not in form and "thanhvien" not in form  # no list of everyone

    found = client.post(
        "/awards/initiatives/new",
        data={**initiative_form(org.own), "author_q": "ha", "find": "1"},
    )
    assert found.status_code == 200
    assert "Hà Văn Thành" in found.text and "Tổ công tác" in found.text
    assert "Lâm Thị Hoa" not in found.text  # another unit: outside the manager's reach
    assert "thanhvien" not in found.text
    assert db.session.scalar(select(func.count(Initiative.id))) == 0  # a search saves nothing

    client.post("/logout")
    login("hcth")
    everyone = client.post(
        "/awards/initiatives/new",
        data={**initiative_form(org.own), "author_q": "lam thi", "find": "1"},
    )
    assert "Lâm Thị Hoa" in everyone.text
    created = client.post("/awards/initiatives/new", data=initiative_form(org.own, org.outsider))
    assert created.status_code == 302  # HCTH may name anyone


def test_hcth_rejects_with_a_reason_and_the_author_sees_it(org, client, login):
    initiative = _approved_initiative(org.other, [org.outsider])
    initiative.status = InitiativeStatus.PENDING
    db.session.commit()
    login("hcth")
    decide = f"/awards/initiatives/{initiative.id}/decide"
    page = client.post(decide, data={"decision": "reject"}, follow_redirects=True)
    assert "cần ghi rõ lý do" in page.get_data(as_text=True)
    client.post(decide, data={"decision": "reject", "note": "Chưa có minh chứng"})
    client.post("/logout")
    login("ngoai")
    page = client.get(f"/awards/initiatives/{initiative.id}").get_data(as_text=True)
    assert "Không công nhận" in page and "Chưa có minh chứng" in page
    assert "Số hóa hồ sơ" in client.get("/awards/initiatives").get_data(as_text=True)


def test_a_refused_decision_keeps_the_note_by_its_field(org, client, login):
    initiative = _approved_initiative(org.other, [org.outsider])
    initiative.status = InitiativeStatus.PENDING
    db.session.commit()
    login("hcth")
    decide = f"/awards/initiatives/{initiative.id}/decide"
    answer = client.post(decide, data={"decision": "reject", "note": "x" * 2001})
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert 'id="f-note" name="note" rows="2" aria-invalid="true"' in page
    assert 'id="f-note-error">Ghi chú dài tối đa 2000 ký tự.</p>' in page
    assert "x" * 2001 in page
    db.session.expire_all()
    assert initiative.status == InitiativeStatus.PENDING


def test_learners_see_only_their_own_initiatives_and_cannot_record(org, client, login):
    _approved_initiative(org.own, [org.member], title="Của người khác")
    login("learner")
    assert "Của người khác" not in client.get("/awards/initiatives").get_data(as_text=True)
    assert client.get("/awards/initiatives/new").status_code == 403
    assert client.post("/awards/initiatives/new", data={}).status_code == 403


def test_list_filters_and_folded_search(org, client, login):
    _approved_initiative(org.own, [org.member], title="Ứng dụng tiếng Tày")
    _approved_initiative(org.other, [org.outsider], title="Sổ tay nghiệp vụ")
    login("hcth")
    page = client.get("/awards/initiatives?q=TIENG+TAY").get_data(as_text=True)
    assert "Ứng dụng tiếng Tày" in page and "Sổ tay nghiệp vụ" not in page
    page = client.get(f"/awards/initiatives?unit={org.other.id}&status=approved&year=2025")
    assert "Sổ tay nghiệp vụ" in page.get_data(as_text=True)
    assert "Ứng dụng" not in page.get_data(as_text=True)


def test_hostile_text_is_stored_as_typed_and_escaped(org, client, login):
    login("hcth")
    title = "<script>alert(1)</script> Sáng kiến"
    summary = '<img src=x onerror="alert(2)"> tóm tắt'
    response = client.post(
        "/awards/initiatives/new",
        data=initiative_form(org.own, org.member, title=title, summary=summary),
    )
    assert response.status_code == 302
    stored = db.session.scalar(select(Initiative))
    assert stored.title == title and stored.summary == summary
    for url in (response.headers["Location"], "/awards/initiatives"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        assert "&lt;script&gt;" in page
    too_long = client.post(
        "/awards/initiatives/new", data=initiative_form(org.own, org.member, title="x" * 5000)
    )
    assert too_long.status_code == 400
    assert "tối đa 500" in too_long.get_data(as_text=True)


def test_the_sets_page_does_not_query_per_set(org, app, client, login, make_set, count_queries):
    make_set()
    login("hcth")
    client.get("/awards/")
    few = count_queries(lambda: client.get("/awards/"))
    for year in (2026, 2027, 2028):
        spec = citizen_spec(f"Công dân học tập {year}")
        make_set(replace(spec, first=date(year, 1, 1), last=date(year, 12, 31)))
    assert count_queries(lambda: client.get("/awards/")) == few


def test_a_set_someone_passes_or_of_a_later_period_saves_without_asking(org, client, login):
    login("hcth")
    # Nothing is assigned: everyone has done all they had to.
    everyone = {
        "name": "Hoàn thành nội dung bắt buộc 2025",
        "first": "01/01/2025",
        "last": "31/12/2025",
        "c-0-kind": "required_done",
    }
    assert client.post("/awards/sets/new", data=everyone).status_code == 302
    later = local_today().year + 1
    future = set_form(name="Sau này", first=f"01/01/{later}", last=f"31/12/{later}")
    assert client.post("/awards/sets/new", data=future).status_code == 302
    assert db.session.scalar(select(func.count(CriteriaSet.id))) == 2


def test_a_new_set_is_for_this_year_unless_changed(org, client, login):
    login("hcth")
    page = client.get("/awards/sets/new").get_data(as_text=True)
    year = local_today().year
    assert f'id="f-first" name="first" value="01/01/{year}"' in page
    assert f'id="f-last" name="last" value="31/12/{year}"' in page
