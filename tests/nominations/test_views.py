"""HCTH's nomination pages through the client: build, edit, freeze, compare, download."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

from openpyxl import load_workbook

from lms.db import db
from lms.nominations import queries
from lms.nominations.models import NominationList
from lms.org.models import Unit
from tests.factories import make_person
from tests.nominations.conftest import approve_plan, complete, make_course
from tests.nominations.test_services import (
    BINH_SUMMARY,
    EXPECTED_UNITS,
    MAI_SUMMARY,
    change_live_data,
)


def table(html: str, css_class: str) -> list[list[str]]:
    body = html.split(f'class="{css_class}"', 1)[1].split("</table>", 1)[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[1], re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([re.sub(r"<[^>]+>.*", "", cell, flags=re.S).strip() for cell in cells])
    return rows


def unescape(text: str) -> str:
    return text.replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&")


def create(client, set_id: int) -> int:
    response = client.post(
        "/nominations/", data={"name": "Khen thưởng 2024", "criteria_set": set_id, "unit": ""}
    )
    assert response.status_code == 302
    return db.session.scalar(db.select(db.func.max(NominationList.id)))


def xlsx_rows(response) -> dict[str, list[list]]:
    """Each sheet's rows as read back: numbers, percentages and dates as such, None if blank."""
    book = load_workbook(io.BytesIO(response.get_data()))
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book}


def as_cells(page_row: list[str]) -> list:
    """A row of the people table as the XLSX holds it: a number, a date, text, None if blank."""
    number, name, born, *rest = page_row
    day = datetime.strptime(born, "%d/%m/%Y") if born else None
    return [int(number), name, day, *[value or None for value in rest]]


def page_people(client, list_id: int) -> list[list[str]]:
    page = client.get(f"/nominations/{list_id}")
    assert page.status_code == 200
    return [[unescape(cell) for cell in row[:10]] for row in table(page.text, "nomination-people")]


def test_hcth_builds_edits_freezes_and_downloads(agency, client, login):
    login("tonghop")
    list_id = create(client, agency.criteria.id)
    people = page_people(client, list_id)
    assert [row[1] for row in people] == ["Hoàng Văn Bình", "Lò Thị Mai"]
    assert [row[7] for row in people] == [BINH_SUMMARY, MAI_SUMMARY]

    nomination = queries.nomination_list(list_id)
    binh = next(e for e in nomination.entries if e.person_id == agency.binh.id)
    second_form = queries.forms()[1]
    response = client.post(
        f"/nominations/{list_id}/entries/{binh.id}",
        data={"form": second_form.id, "summary": "Tự học vượt chỉ tiêu", "note": "Đề xuất"},
    )
    assert response.status_code == 302
    people = page_people(client, list_id)
    assert people[0][6:10] == [second_form.name, "Tự học vượt chỉ tiêu", people[0][8], "Đề xuất"]

    refused = client.post(
        f"/nominations/{list_id}/entries/{binh.id}/remove",
        data={"reason": " "},
        follow_redirects=True,
    )
    assert "Hãy ghi lý do" in refused.text
    assert len(page_people(client, list_id)) == 2

    assert client.post(f"/nominations/{list_id}/freeze").status_code == 302
    page = client.get(f"/nominations/{list_id}")
    assert "Toàn vẹn: khớp" in page.text
    frozen_people = page_people(client, list_id)

    # A frozen list refuses edits and says why.
    refused = client.post(
        f"/nominations/{list_id}/entries/{binh.id}",
        data={"form": second_form.id, "summary": "Khác", "note": ""},
        follow_redirects=True,
    )
    assert "đã chốt, không thể sửa" in refused.text
    refused = client.post(f"/nominations/{list_id}/refresh", follow_redirects=True)
    assert "đã chốt, không thể sửa" in refused.text

    download = client.get(f"/nominations/{list_id}/export.xlsx")
    assert download.status_code == 200
    assert f"de-nghi-khen-thuong_{list_id}_all_" in download.headers["Content-Disposition"]
    sheets = xlsx_rows(download)
    assert list(sheets) == ["Danh sach de nghi", "Tong hop don vi"]
    for values in sheets.values():
        assert values[0][0] == "SỞ DÂN TỘC VÀ TÔN GIÁO"  # no agency profile: the unit's name
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in values[0]
        assert "Độc lập - Tự do - Hạnh phúc" in values[1]
        assert any(str(v).startswith("Bắc Giang, ngày ") for v in values[2])
        assert values[4][0].startswith("Từ 01/01/2024 đến 31/12/2024")
    people_sheet = sheets["Danh sach de nghi"]
    assert people_sheet[3][0] == "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG"
    assert people_sheet[5][:2] == ["STT", "Họ và tên"]
    assert people_sheet[6:8] == [as_cells(row) for row in frozen_people]
    assert people_sheet[8] == [None] * 10  # then the signers
    unit_sheet = sheets["Tong hop don vi"]
    assert unit_sheet[6:9] == [
        [None if v == "" else v for v in row[:4]] + [row[4] / 100, row[5]] for row in EXPECTED_UNITS
    ]
    unit_page = table(page.text, "nomination-units")
    assert unit_page == [
        [str(v) for v in row[:4]] + [f"{row[4]}%", str(row[5])] for row in EXPECTED_UNITS
    ]

    # Live data moves on; the frozen list does not, and the comparison page says what moved.
    change_live_data(agency)
    again = xlsx_rows(client.get(f"/nominations/{list_id}/export.xlsx"))
    assert again == sheets
    assert page_people(client, list_id) == frozen_people
    changes = client.get(f"/nominations/{list_id}/changes")
    assert changes.status_code == 200
    dropped = changes.text.split('class="nomination-dropped"', 1)[1].split("</ul>", 1)[0]
    assert "Lò Thị Mai" in dropped
    changed = table(changes.text, "nomination-changed")
    assert ["Hoàng Văn Bình", "Đã đạt / chỉ tiêu", "40 / 40 tiết", "70 / 43 tiết"] in changed


def test_tampered_snapshot_shows_a_mismatch(agency, client, login):
    login("tonghop")
    list_id = create(client, agency.criteria.id)
    client.post(f"/nominations/{list_id}/freeze")
    nomination = queries.nomination_list(list_id)
    nomination.snapshot.data = nomination.snapshot.data.replace("Lò Thị Mai", "Lò Thị Mây")
    db.session.commit()
    page = client.get(f"/nominations/{list_id}")
    assert "Toàn vẹn: không khớp" in page.text


def test_forms_page(agency, client, login):
    login("tonghop")
    assert client.post("/nominations/forms", data={"name": "Lao động tiên tiến"}).status_code == 302
    page = client.get("/nominations/forms")
    assert "Lao động tiên tiến" in page.text
    duplicate = client.post(
        "/nominations/forms", data={"name": "biểu dương"}, follow_redirects=True
    )
    assert "Đã có hình thức" in duplicate.text
    last = queries.forms()[-1]
    client.post(f"/nominations/forms/{last.id}", data={"action": "up"})
    client.post(
        f"/nominations/forms/{last.id}", data={"action": "rename", "name": "Chiến sĩ thi đua"}
    )
    db.session.expire_all()
    assert [f.name for f in queries.forms()][2] == "Chiến sĩ thi đua"


def test_learner_and_manager_are_refused(agency, client, login):
    login("hocvien")
    assert client.get("/nominations/").status_code == 403
    assert client.post("/nominations/", data={"name": "x"}).status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(NominationList)) == 0


def test_pages_do_not_query_per_person_or_per_list(agency, client, login, count_queries):
    login("tonghop")
    list_id = create(client, agency.criteria.id)
    office_id, set_id = agency.office.id, agency.criteria.id

    def pages():
        assert client.get("/nominations/").status_code == 200
        assert client.get(f"/nominations/{list_id}").status_code == 200

    few = count_queries(pages)
    office = db.session.get(Unit, office_id)
    for _number in range(4):
        person = make_person(unit=office)
        complete(person, make_course("digital-skills", "40"), datetime(2024, 4, 1, tzinfo=UTC))
        approve_plan(person, 2024)
    db.session.commit()
    client.post(f"/nominations/{list_id}/refresh")
    create(client, set_id)
    assert len(queries.nomination_list(list_id).entries) == 6
    assert count_queries(pages) == few


def test_freezing_at_the_same_moment_as_someone_else_is_explained_not_a_500(
    agency, client, login, monkeypatch
):
    from lms.nominations import services
    from lms.nominations.models import NominationSnapshot

    login("tonghop")
    list_id = create(client, agency.criteria.id)
    freeze = services.freeze_list

    def frozen_meanwhile(nomination, person, today):
        # Another HCTH officer's freeze commits between our read and our write.
        db.session.add(NominationSnapshot(list_id=nomination.id, data="{}", checksum="0" * 64))
        return freeze(nomination, person, today)

    monkeypatch.setattr(services, "freeze_list", frozen_meanwhile)
    response = client.post(f"/nominations/{list_id}/freeze", follow_redirects=True)
    assert response.status_code == 200
    assert "vừa được người khác cập nhật hoặc chốt" in response.text


def test_a_refused_new_list_shows_the_message_by_its_field_and_keeps_the_rest(
    agency, client, login
):
    login("tonghop")
    before = db.session.scalar(db.select(db.func.count(NominationList.id)))
    set_id = agency.criteria.id
    unit = db.session.scalars(db.select(Unit).where(Unit.code == "HCTH")).one()
    data = {"name": "Khen thưởng 2024", "criteria_set": str(set_id), "unit": str(unit.id)}

    response = client.post("/nominations/", data={**data, "unit": "99999"})
    assert response.status_code == 400
    page = response.text
    assert 'id="f-unit-error">Đơn vị đã chọn không tồn tại.' in page
    assert 'value="Khen thưởng 2024"' in page
    assert f'<option value="{set_id}" selected>' in page

    response = client.post("/nominations/", data={**data, "name": " "})
    assert response.status_code == 400
    page = response.text
    assert 'id="f-name-error">Tên danh sách không được để trống.' in page
    assert page.count('class="field-error"') == 1
    assert f'<option value="{unit.id}" selected>' in page
    assert db.session.scalar(db.select(db.func.count(NominationList.id))) == before

    assert client.post("/nominations/", data=data).status_code == 302
    assert db.session.scalar(db.select(db.func.count(NominationList.id))) == before + 1


def test_a_refused_entry_edit_shows_the_message_by_its_field_and_keeps_what_was_typed(
    agency, client, login
):
    login("tonghop")
    list_id = create(client, agency.criteria.id)
    nomination = queries.nomination_list(list_id)
    binh = next(e for e in nomination.entries if e.person_id == agency.binh.id)
    second_form = queries.forms()[1]
    url = f"/nominations/{list_id}/entries/{binh.id}"

    response = client.post(url, data={"form": second_form.id, "summary": " ", "note": "Đề xuất"})
    assert response.status_code == 400
    page = response.text
    assert 'id="f-summary-error">Tóm tắt thành tích không được để trống.' in page
    assert page.count('class="field-error"') == 1
    assert ">Đề xuất</textarea>" in page
    assert f'<option value="{second_form.id}" selected>' in page

    response = client.post(url, data={"form": "99999", "summary": "Tự học", "note": ""})
    assert response.status_code == 400
    assert 'id="f-form-error">Hãy chọn một hình thức khen thưởng đang dùng.' in response.text
    assert ">Tự học</textarea>" in response.text
    assert page_people(client, list_id)[0][7] == BINH_SUMMARY
