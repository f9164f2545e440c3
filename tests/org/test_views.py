"""The unit administration pages, through the test client, for each role."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from lms.db import db
from lms.i18n import local_today
from lms.org.models import Membership, Unit, UnitKind, UnitVersion
from lms.org.queries import unit_of_person_on
from lms.roles import Role
from tests.factories import make_person, make_unit
from tests.org.conftest import org_rows


@pytest.fixture
def tree(app):
    """A small organisation: the agency, one division with one person, a district office."""
    agency = make_unit("BDT", "Ban Dân tộc tỉnh Bắc Giang", kind=UnitKind.AGENCY)
    division = make_unit("HCTH", "Phòng Hành chính - Tổng hợp", parent=agency)
    office = make_unit(
        "PDT-SD", "Phòng Dân tộc huyện Sơn Động", parent=agency, kind=UnitKind.DISTRICT_OFFICE
    )
    make_person("lanh", "Lê Ánh", unit=division, position="Chuyên viên", password=None)
    db.session.commit()
    return {"agency": agency, "division": division, "office": office}


def page_text(response) -> str:
    return response.get_data(as_text=True)


def unit_by(code: str) -> Unit:
    return db.session.scalars(select(Unit).where(Unit.code == code)).one()


# --- the tree and the lookup -------------------------------------------------------------------


def test_units_page_shows_the_tree_with_names_of_the_chosen_day(client, admin, tree):
    response = client.post(
        f"/admin/units/{tree['division'].id}/rename",
        data={"name": "Văn phòng Sở", "on": "2025-07-01"},
        follow_redirects=True,  # so the success message is not shown again below
    )
    assert response.status_code == 200

    before = page_text(client.get("/admin/units/?on=2024-11-10"))
    after = page_text(client.get("/admin/units/?on=2025-07-01"))

    assert "Phòng Hành chính - Tổng hợp" in before and "Văn phòng Sở" not in before
    assert "Văn phòng Sở" in after and "Phòng Hành chính - Tổng hợp" not in after
    assert "Phòng Dân tộc cấp huyện" in after  # the kind, in Vietnamese
    assert "1 người" in after
    # The division sits inside the agency's list.
    nested = re.search(r"Ban Dân tộc tỉnh Bắc Giang</a>.*?<ul>.*?Văn phòng Sở", after, re.S)
    assert nested


def test_closed_units_show_only_when_asked(client, admin, tree):
    client.post(
        f"/admin/units/{tree['office'].id}/close", data={"on": "2025-07-01"}, follow_redirects=True
    )

    hidden = page_text(client.get("/admin/units/?on=2025-08-01"))
    shown = page_text(client.get("/admin/units/?on=2025-08-01&closed=1"))

    assert "Phòng Dân tộc huyện Sơn Động" not in hidden
    assert "Phòng Dân tộc huyện Sơn Động" in shown
    assert "Đã kết thúc 30/06/2025" in shown


def test_units_page_with_a_bad_date_says_so_and_shows_today(client, admin, tree):
    response = client.get("/admin/units/?on=abc")
    assert response.status_code == 200
    text = page_text(response)
    assert "Ngày xem cơ cấu “abc” không hợp lệ" in text
    assert local_today().strftime("%d/%m/%Y") in text


def test_lookup_answers_with_the_name_the_unit_had_then(client, admin, tree):
    client.post(
        f"/admin/units/{tree['division'].id}/rename",
        data={"name": "Văn phòng Sở", "on": "2025-07-01"},
        follow_redirects=True,
    )

    then = page_text(client.get("/admin/units/?who=lanh&day=2024-11-10"))
    now = page_text(client.get("/admin/units/?who=lanh&day=2025-07-01"))

    assert "Ngày 10/11/2024, Lê Ánh thuộc Phòng Hành chính - Tổng hợp (HCTH)" in then
    assert "Ngày 01/07/2025, Lê Ánh thuộc Văn phòng Sở (HCTH)" in now


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("who=khongco&day=2024-11-10", "Không có người dùng với tên đăng nhập “khongco”"),
        ("who=lanh&day=10-11", "Ngày tra cứu “10-11” không hợp lệ"),
        ("who=lanh&day=", "Chưa nhập ngày tra cứu"),
        ("who=lanh&day=2019-01-01", "Ngày 01/01/2019, Lê Ánh không thuộc đơn vị nào."),
    ],
)
def test_lookup_explains_what_it_cannot_answer(client, admin, tree, query, message):
    response = client.get(f"/admin/units/?{query}")
    assert response.status_code == 200
    assert message in page_text(response)


def test_lookup_accepts_a_date_typed_the_vietnamese_way(client, admin, tree):
    text = page_text(client.get("/admin/units/?who=lanh&day=10/11/2024"))
    assert "Ngày 10/11/2024, Lê Ánh thuộc Phòng Hành chính - Tổng hợp (HCTH)" in text


# --- creating a unit ---------------------------------------------------------------------------


def test_admin_creates_a_unit(client, admin, tree):
    response = client.post(
        "/admin/units/new",
        data={
            "code": "XA-AC",
            "name": "Xã  An Châu ",
            "kind": "commune",
            "parent_id": str(tree["office"].id),
            "valid_from": "2024-01-01",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Đã tạo đơn vị XA-AC." in page_text(response)
    unit = unit_by("XA-AC")
    assert unit.kind == UnitKind.COMMUNE
    assert [(v.name, v.parent_id, v.valid_from) for v in unit.versions] == [
        ("Xã An Châu", tree["office"].id, date(2024, 1, 1))
    ]


def test_new_unit_form_lists_parents(client, admin, tree):
    text = page_text(client.get("/admin/units/new"))
    assert "Phòng Dân tộc huyện Sơn Động (PDT-SD)" in text
    assert 'name="csrf_token"' in text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": ""}, "Mã đơn vị “” không hợp lệ"),
        ({"code": "HCTH"}, "Mã đơn vị HCTH đã có."),
        ({"name": "  "}, "Tên đơn vị không được để trống."),
        ({"kind": "planet"}, "Loại đơn vị không hợp lệ."),
        ({"valid_from": "abc"}, "Ngày thành lập “abc” không hợp lệ"),
        ({"valid_from": ""}, "Chưa nhập ngày thành lập."),
        ({"parent_id": "99999"}, "Không tìm thấy đơn vị cấp trên đã chọn."),
        ({"parent_id": "x"}, "Không tìm thấy đơn vị cấp trên đã chọn."),
    ],
)
def test_bad_new_unit_changes_nothing_and_says_why(client, admin, tree, changes, message):
    before = org_rows()
    data = {"code": "MOI", "name": "Đơn vị mới", "kind": "division", "valid_from": "2024-01-01"}
    response = client.post("/admin/units/new", data={**data, **changes})
    assert response.status_code == 400
    text = page_text(response)
    assert message in text
    assert 'value="Đơn vị mới"' in text or changes.get("name")  # what was typed stays
    assert org_rows() == before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"code": "HCTH"}, "code", "Mã đơn vị HCTH đã có."),
        ({"name": "  "}, "name", "Tên đơn vị không được để trống."),
        ({"kind": "planet"}, "kind", "Loại đơn vị không hợp lệ."),
        ({"valid_from": "31/02/2024"}, "valid_from", "Ngày thành lập “31/02/2024” không hợp lệ"),
        ({"parent_id": "99999"}, "parent_id", "Không tìm thấy đơn vị cấp trên đã chọn."),
    ],
)
def test_a_refused_new_unit_shows_the_message_by_its_field_and_keeps_the_rest(
    client, admin, tree, changes, field, message
):
    data = {
        "code": "MOI",
        "name": "Đơn vị mới",
        "kind": "commune",
        "parent_id": str(tree["office"].id),
        "valid_from": "2024-01-01",
    }
    response = client.post("/admin/units/new", data={**data, **changes})
    assert response.status_code == 400
    html = response.text
    assert re.search(rf'id="f-{field}-error">{re.escape(message)}', html), html
    assert re.search(rf'aria-describedby="[^"]*f-{field}-error"', html)
    assert html.count('class="field-error"') == 1  # only the field it is about
    kept = {name: value for name, value in data.items() if name not in changes}
    for name in ("code", "name", "valid_from"):
        if name in kept:
            assert f'value="{kept[name]}"' in html
    if "kind" in kept:
        assert '<option value="commune" selected>' in html
    if "parent_id" in kept:
        assert f'<option value="{tree["office"].id}" selected>' in html


# --- changing a unit ---------------------------------------------------------------------------


def test_unit_page_shows_facts_history_and_members(client, admin, tree):
    division = tree["division"]
    client.post(
        f"/admin/units/{division.id}/rename", data={"name": "Văn phòng", "on": "2025-07-01"}
    )

    text = page_text(client.get(f"/admin/units/{division.id}"))

    assert "<h1>Văn phòng</h1>" in text
    assert "HCTH" in text and "Phòng, đơn vị thuộc cơ quan" in text
    assert "01/01/2020" in text and "30/06/2025" in text and "01/07/2025" in text
    assert "Phòng Hành chính - Tổng hợp" in text  # the old name, in the history
    assert "Ban Dân tộc tỉnh Bắc Giang" in text  # the parent
    assert "Lê Ánh" in text and "Chuyên viên" in text
    assert text.count('name="csrf_token"') >= 6


def test_admin_renames_a_unit(client, admin, tree):
    division = tree["division"]
    response = client.post(
        f"/admin/units/{division.id}/rename",
        data={"name": "Văn phòng Sở", "on": "2025-07-01"},
        follow_redirects=True,
    )
    assert "Đã đổi tên thành “Văn phòng Sở” từ ngày 01/07/2025." in page_text(response)
    names = db.session.scalars(
        select(UnitVersion.name).where(UnitVersion.unit_id == division.id).order_by(UnitVersion.id)
    ).all()
    assert names == ["Phòng Hành chính - Tổng hợp", "Văn phòng Sở"]


def test_admin_moves_a_unit(client, admin, tree):
    office, division = tree["office"], tree["division"]
    response = client.post(
        f"/admin/units/{office.id}/move",
        data={"parent_id": str(division.id), "on": "2025-07-01"},
        follow_redirects=True,
    )
    assert "Đã chuyển đơn vị từ ngày 01/07/2025." in page_text(response)
    parents = db.session.scalars(
        select(UnitVersion.parent_id)
        .where(UnitVersion.unit_id == office.id)
        .order_by(UnitVersion.id)
    ).all()
    assert parents == [tree["agency"].id, division.id]


def test_admin_moves_a_unit_to_the_top(client, admin, tree):
    office = tree["office"]
    client.post(f"/admin/units/{office.id}/move", data={"parent_id": "", "on": "2025-07-01"})
    assert unit_by("PDT-SD").latest_version.parent_id is None


def test_admin_merges_a_unit(client, admin, tree):
    division, office = tree["division"], tree["office"]
    asked = client.post(
        f"/admin/units/{division.id}/merge", data={"into_id": str(office.id), "on": "2025-07-01"}
    )
    assert "Xác nhận sáp nhập" in page_text(asked)
    assert unit_by("HCTH").valid_until is None  # nothing changes before the confirmation
    response = client.post(
        f"/admin/units/{division.id}/merge",
        data={"into_id": str(office.id), "on": "2025-07-01", "confirmed": "1"},
        follow_redirects=True,
    )
    text = page_text(response)
    assert "Đã sáp nhập vào PDT-SD từ ngày 01/07/2025." in text
    assert "Sáp nhập vào" in text and f'href="/admin/units/{office.id}"' in text
    merged = unit_by("HCTH")
    assert merged.successor_id == office.id and merged.valid_until == date(2025, 6, 30)
    person = db.session.scalars(select(Membership).where(Membership.unit_id == office.id)).one()
    assert unit_of_person_on(person.person_id, date(2024, 11, 10)).name == (
        "Phòng Hành chính - Tổng hợp"
    )
    successor_page = page_text(client.get(f"/admin/units/{office.id}"))
    assert "Đơn vị đã sáp nhập vào đây" in successor_page
    assert "Phòng Hành chính - Tổng hợp" in successor_page


def test_a_merge_into_the_agency_asks_before_widening_a_head_s_reach(client, admin, tree):
    agency, division = tree["agency"], tree["division"]
    head = make_person("truong", "Trưởng Phòng Tổng Hợp", unit=division, manages=division)
    db.session.commit()
    grant_id = head.role_grants[0].id
    form = {"into_id": str(agency.id), "on": "2025-07-01"}

    asked = page_text(client.post(f"/admin/units/{division.id}/merge", data=form))
    assert "Trưởng Phòng Tổng Hợp" in asked and "kết thúc ngày 30/06/2025" in asked
    box = re.search(rf'<input type="checkbox" id="carry-{grant_id}"[^>]*>', asked)
    assert box and "checked" not in box.group(0)  # no grant is widened by default

    client.post(f"/admin/units/{division.id}/merge", data={**form, "confirmed": "1"})
    db.session.expire_all()
    assert [(g.unit_id, g.valid_until) for g in head.role_grants] == [
        (division.id, date(2025, 6, 30))
    ]


def test_a_ticked_grant_is_carried_over_to_the_receiving_unit(client, admin, tree):
    division, office = tree["division"], tree["office"]
    head = make_person("truong", "Trưởng Phòng Tổng Hợp", unit=division, manages=division)
    db.session.commit()
    grant_id = head.role_grants[0].id

    client.post(
        f"/admin/units/{division.id}/merge",
        data={"into_id": str(office.id), "on": "2025-07-01", "confirmed": "1", "carry": grant_id},
    )
    db.session.expire_all()
    assert sorted((g.unit_id, g.valid_from) for g in head.role_grants) == sorted(
        [(division.id, date(2020, 1, 1)), (office.id, date(2025, 7, 1))]
    )


def test_admin_closes_an_empty_unit(client, admin, tree):
    office = tree["office"]
    response = client.post(
        f"/admin/units/{office.id}/close", data={"on": "2025-07-01"}, follow_redirects=True
    )
    assert "Đã giải thể đơn vị từ ngày 01/07/2025." in page_text(response)
    assert unit_by("PDT-SD").valid_until == date(2025, 6, 30)


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("close", {"on": "2025-07-01"}, "Đơn vị còn 1 người và 0 đơn vị con vào ngày 01/07/2025"),
        ("close", {"on": ""}, "Chưa nhập ngày giải thể."),
    ],
)
def test_bad_changes_leave_the_database_as_it_was(client, admin, tree, action, data, message):
    ids = {"AGENCY": str(tree["agency"].id), "OFFICE": str(tree["office"].id)}
    data = {key: ids.get(value, value) for key, value in data.items()}
    before = org_rows()

    response = client.post(f"/admin/units/{tree['division'].id}/{action}", data=data)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/units/{tree['division'].id}")
    assert message in page_text(client.get(response.headers["Location"]))
    assert org_rows() == before


@pytest.mark.parametrize(
    ("action", "data", "field", "message"),
    [
        (
            "merge",
            {"into_id": "", "on": "2025-07-01"},
            "into",
            "Chưa chọn đơn vị nhận sáp nhập.",
        ),
        ("merge", {"into_id": "OFFICE", "on": "1/1"}, "on", "Ngày sáp nhập “1/1” không hợp lệ"),
        ("merge", {"into_id": "OFFICE", "on": ""}, "on", "Chưa nhập ngày sáp nhập."),
        (
            "merge",
            {"into_id": "OFFICE", "on": "2019-12-31"},
            None,
            "không hoạt động vào ngày 31/12/2019",
        ),
        ("rename", {"name": "Tên mới", "on": "abc"}, "on", "Ngày đổi tên “abc” không hợp lệ"),
        ("rename", {"name": "Tên mới", "on": ""}, "on", "Chưa nhập ngày đổi tên."),
        (
            "rename",
            {"name": "Tên mới", "on": "2020-01-01"},
            "on",
            "Ngày hiệu lực phải sau ngày 01/01/2020",
        ),
        ("rename", {"name": "", "on": "2025-07-01"}, "name", "Tên đơn vị không được để trống."),
        (
            "rename",
            {"name": "Phòng Hành chính - Tổng hợp", "on": "2025-07-01"},
            "name",
            "Tên mới trùng tên hiện tại.",
        ),
        (
            "rename",
            {"name": "Tên mới", "on": "31/02/2025"},
            "on",
            "Ngày đổi tên “31/02/2025” không hợp lệ",
        ),
        ("move", {"parent_id": "AGENCY", "on": "zzz"}, "on", "Ngày chuyển “zzz” không hợp lệ"),
        (
            "move",
            {"parent_id": "AGENCY", "on": "2025-07-01"},
            "parent",
            "Đơn vị đã trực thuộc đơn vị cấp trên này.",
        ),
        ("members", {"username": "", "on": "2025-07-01"}, "username", "Chưa nhập tên đăng nhập"),
        (
            "members",
            {"username": "khongco", "on": "2025-07-01"},
            "username",
            "Không có người dùng với tên đăng nhập “khongco”",
        ),
        ("members", {"username": "lanh", "on": "2019-01-01"}, None, "không hoạt động vào ngày"),
        (
            "members",
            {"username": "lanh", "on": "năm ngoái"},
            "on",
            "Ngày bắt đầu công tác “năm ngoái” không hợp lệ",
        ),
    ],
)
def test_a_refused_change_is_shown_again_by_its_field(
    client, admin, tree, action, data, field, message
):
    ids = {"AGENCY": str(tree["agency"].id), "OFFICE": str(tree["office"].id)}
    data = {key: ids.get(value, value) for key, value in data.items()}
    before = org_rows()

    response = client.post(f"/admin/units/{tree['division'].id}/{action}", data=data)

    page = page_text(response)
    assert response.status_code == 400
    assert "<h1>Phòng Hành chính - Tổng hợp</h1>" in page
    prefix = {"merge": "merge", "members": "add", "rename": "rename", "move": "move"}[action]
    if field is None:
        assert message in page
    else:
        error = re.search(rf'id="{prefix}-{field}-error">([^<]*)<', page)
        assert error and message in error.group(1)
    assert org_rows() == before


def test_a_refused_merge_keeps_what_was_chosen_and_typed(client, admin, tree):
    office = tree["office"]
    page = page_text(
        client.post(
            f"/admin/units/{tree['division'].id}/merge",
            data={"into_id": str(office.id), "on": "1/1"},
        )
    )
    merge = page[page.index('id="merge-heading"') :]
    assert re.search(rf'<option value="{office.id}" selected>', merge)
    assert 'id="merge-on" name="on" type="date" value="1/1"' in merge
    # The other forms of the page start afresh.
    assert 'id="add-on" name="on" type="date" value="1/1"' not in page


def test_a_refused_rename_or_move_keeps_what_was_typed_and_chosen(client, admin, tree):
    division, office = tree["division"], tree["office"]
    page = page_text(
        client.post(f"/admin/units/{division.id}/rename", data={"name": "Văn phòng", "on": "1/1"})
    )
    assert 'id="rename-name" name="name" value="Văn phòng"' in page
    assert 'id="rename-on" name="on" type="date" value="1/1" required aria-invalid="true"' in page
    assert 'id="move-on" name="on" type="date" value="1/1"' not in page  # the others start afresh

    answer = client.post(
        f"/admin/units/{division.id}/move", data={"parent_id": str(office.id), "on": "2019-12-31"}
    )
    assert answer.status_code == 400
    page = page_text(answer)
    move = page[page.index('id="move-heading"') : page.index('id="merge-heading"')]
    assert re.search(rf'<option value="{office.id}" selected>', move)
    assert 'id="move-on" name="on" type="date" value="2019-12-31"' in move
    assert 'id="move-parent-error">Đơn vị cấp trên PDT-SD không hoạt động' in move


def test_a_refused_new_member_keeps_the_username(client, admin, tree):
    page = page_text(
        client.post(
            f"/admin/units/{tree['division'].id}/members",
            data={"username": "khongco", "on": "2025-07-01"},
        )
    )
    assert re.search(r'id="add-username" name="username" value="khongco"', page)
    assert 'id="add-on" name="on" type="date" value="2025-07-01"' in page


def test_a_merge_that_fails_halfway_leaves_nothing_behind(client, admin, tree):
    agency, division = tree["agency"], tree["division"]
    make_unit("TO1", "Tổ một", parent=division)
    second = make_unit("TO2", "Tổ hai", parent=division)
    db.session.commit()
    client.post(f"/admin/units/{second.id}/rename", data={"name": "Tổ 2", "on": "2025-07-01"})
    before = org_rows()

    # The first sub-unit moves; the second cannot (it changed that very day), so all is undone.
    response = client.post(
        f"/admin/units/{division.id}/merge",
        data={"into_id": str(agency.id), "on": "2025-07-01"},
        follow_redirects=True,
    )

    assert "Ngày hiệu lực phải sau ngày 01/07/2025" in page_text(response)
    assert org_rows() == before


def test_a_merge_refuses_a_member_who_starts_that_day(client, admin, tree):
    agency, division = tree["agency"], tree["division"]
    make_person("moi", "Người Mới", unit=division, since=date(2025, 7, 1), password=None)
    db.session.commit()
    before = org_rows()

    response = client.post(
        f"/admin/units/{division.id}/merge",
        data={"into_id": str(agency.id), "on": "2025-07-01"},
        follow_redirects=True,
    )

    assert "Người Mới bắt đầu công tác tại đơn vị từ ngày 01/07/2025" in page_text(response)
    assert org_rows() == before


def test_merging_a_unit_into_its_own_sub_unit_is_refused(client, admin, tree):
    agency, office = tree["agency"], tree["office"]
    before = org_rows()
    response = client.post(
        f"/admin/units/{agency.id}/merge",
        data={"into_id": str(office.id), "on": "2025-07-01"},
        follow_redirects=True,
    )
    assert "Không thể sáp nhập một đơn vị vào đơn vị con của nó." in page_text(response)
    assert org_rows() == before


def test_moving_a_unit_under_its_sub_unit_is_refused(client, admin, tree):
    agency, office = tree["agency"], tree["office"]
    before = org_rows()
    response = client.post(
        f"/admin/units/{agency.id}/move",
        data={"parent_id": str(office.id), "on": "2025-07-01"},
        follow_redirects=True,
    )
    assert "Không thể đặt một đơn vị dưới chính nó hoặc đơn vị con của nó." in page_text(response)
    assert org_rows() == before


def test_forms_are_refused_without_the_csrf_token(app, client, admin, tree):
    app.config["WTF_CSRF_ENABLED"] = True
    before = org_rows()
    response = client.post(
        f"/admin/units/{tree['division'].id}/rename", data={"name": "X", "on": "2025-07-01"}
    )
    assert response.status_code == 400
    assert org_rows() == before


# --- memberships -------------------------------------------------------------------------------


def test_admin_adds_a_person_who_leaves_their_old_unit_the_day_before(client, admin, tree):
    office = tree["office"]
    response = client.post(
        f"/admin/units/{office.id}/members",
        data={"username": "LANH ", "on": "2025-07-01"},
        follow_redirects=True,
    )
    assert "Lê Ánh công tác tại đơn vị từ ngày 01/07/2025." in page_text(response)
    spans = db.session.execute(
        select(Membership.unit_id, Membership.valid_from, Membership.valid_until).order_by(
            Membership.valid_from
        )
    ).all()
    assert [tuple(row) for row in spans] == [
        (tree["division"].id, date(2020, 1, 1), date(2025, 6, 30)),
        (office.id, date(2025, 7, 1), None),
    ]


def test_admin_ends_a_membership(client, admin, tree):
    division = tree["division"]
    membership = db.session.scalars(select(Membership)).one()
    response = client.post(
        f"/admin/units/{division.id}/memberships/{membership.id}/end",
        data={"on": "2025-07-01"},
        follow_redirects=True,
    )
    assert "Lê Ánh thôi công tác tại đơn vị từ ngày 01/07/2025." in page_text(response)
    assert db.session.get(Membership, membership.id).valid_until == date(2025, 6, 30)


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("abc", "Ngày thôi công tác “abc” không hợp lệ"),
        ("", "Chưa nhập ngày thôi công tác."),
        ("2020-01-01", "ngày kết thúc phải sau ngày đó"),
    ],
)
def test_bad_end_of_membership_changes_nothing(client, admin, tree, day, message):
    division = tree["division"]
    membership = db.session.scalars(select(Membership)).one()
    before = org_rows()
    response = client.post(
        f"/admin/units/{division.id}/memberships/{membership.id}/end",
        data={"on": day},
        follow_redirects=True,
    )
    assert message in page_text(response)
    assert org_rows() == before


def test_ending_a_membership_through_another_unit_is_not_found(client, admin, tree):
    membership = db.session.scalars(select(Membership)).one()
    response = client.post(
        f"/admin/units/{tree['office'].id}/memberships/{membership.id}/end",
        data={"on": "2025-07-01"},
    )
    assert response.status_code == 404


# --- who may see what --------------------------------------------------------------------------

ADMIN_PAGES = [
    ("get", "/admin/units/"),
    ("get", "/admin/units/new"),
    ("post", "/admin/units/new"),
    ("get", "/admin/units/{division}"),
    ("post", "/admin/units/{division}/rename"),
    ("post", "/admin/units/{division}/move"),
    ("post", "/admin/units/{division}/merge"),
    ("post", "/admin/units/{division}/close"),
    ("post", "/admin/units/{division}/members"),
    ("post", "/admin/units/{division}/memberships/1/end"),
]


@pytest.mark.parametrize(("method", "url"), ADMIN_PAGES)
@pytest.mark.parametrize("role", [Role.MANAGER, Role.HCTH, Role.EDITOR, Role.LEARNER])
def test_only_administrators_reach_the_admin_pages(client, login, tree, method, url, role):
    division = tree["division"]
    make_person(
        "nguoidung",
        roles=(role,) if role not in (Role.MANAGER, Role.LEARNER) else (),
        manages=division if role == Role.MANAGER else None,
    )
    db.session.commit()
    login("nguoidung")
    before = org_rows()

    response = getattr(client, method)(url.format(division=division.id), data={"on": "2025-07-01"})

    assert response.status_code == 403
    assert org_rows() == before


@pytest.mark.parametrize(
    ("method", "url"), [*ADMIN_PAGES, ("get", "/admin/units/{division}/members")]
)
def test_anonymous_visitors_are_sent_to_sign_in(client, tree, method, url):
    response = getattr(client, method)(url.format(division=tree["division"].id))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_unknown_unit_is_not_found(client, admin, tree):
    assert client.get("/admin/units/99999").status_code == 404
    assert client.get("/admin/units/99999/members").status_code == 404
    assert (
        client.post("/admin/units/99999/rename", data={"name": "X", "on": "2025-07-01"}).status_code
        == 404
    )


def test_a_manager_sees_members_of_their_unit_and_its_sub_units_only(client, login, tree):
    agency, division, office = tree["agency"], tree["division"], tree["office"]
    commune = make_unit("XA-AC", "Xã An Châu", parent=office, kind=UnitKind.COMMUNE)
    make_person("truongphong", "Vi Văn Thắng", unit=office, manages=office)
    db.session.commit()
    login("truongphong")

    assert client.get(f"/admin/units/{office.id}/members").status_code == 200
    assert client.get(f"/admin/units/{commune.id}/members").status_code == 200
    assert client.get(f"/admin/units/{division.id}/members").status_code == 403
    assert client.get(f"/admin/units/{agency.id}/members").status_code == 403
    assert client.get("/admin/units/").status_code == 403


def test_a_learner_cannot_see_a_members_page(client, login, tree):
    make_person("hocvien", unit=tree["division"])
    db.session.commit()
    login("hocvien")
    assert client.get(f"/admin/units/{tree['division'].id}/members").status_code == 403
