"""A nomination list's files: the agency profile's letterhead and signers in the XLSX and the
print, frozen with the list; and lists frozen before (schema 1) still print as they were."""

from __future__ import annotations

import io
import json

from openpyxl import load_workbook

from lms.agency.services import save_profile
from lms.db import db
from lms.nominations import document, queries
from lms.roles import Role
from tests.agency.conftest import BAC_NINH
from tests.factories import make_person
from tests.nominations.test_views import create, page_people, table


def set_profile(**changes) -> None:
    admin = make_person(roles=(Role.ADMIN,))
    db.session.flush()
    save_profile({**BAC_NINH, **changes}, actor_id=admin.id)
    db.session.commit()


def sheets(client, list_id: int) -> dict[str, list[list]]:
    response = client.get(f"/nominations/{list_id}/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.get_data()))
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book}


def filled(row: list) -> list:
    return [value for value in row if value]


def test_profile_heads_and_signs_both_sheets_and_the_print(agency, client, login):
    set_profile()
    login("tonghop")
    list_id = create(client, agency.criteria.id)

    for rows in sheets(client, list_id).values():
        assert rows[0][0] == "UBND TỈNH BẮC NINH" and rows[1][0] == "SỞ DÂN TỘC VÀ TÔN GIÁO"
        assert filled(rows[2])[0].startswith("Bắc Ninh, ngày ")
        assert filled(rows[-7]) == ["NGƯỜI LẬP BIỂU", "GIÁM ĐỐC"]
        assert filled(rows[-1]) == ["Lê Thị Hoa", "Nguyễn Văn Thắng"]

    printed = client.get(f"/nominations/{list_id}/print.html")
    assert printed.status_code == 200
    assert printed.headers["Content-Type"] == "text/html; charset=utf-8"
    assert f"de-nghi-khen-thuong_{list_id}_all_" in printed.headers["Content-Disposition"]
    html = printed.text
    assert "UBND TỈNH BẮC NINH<br><strong>SỞ DÂN TỘC VÀ TÔN GIÁO</strong>" in html
    assert 'class="place-and-date">Bắc Ninh, ngày ' in html
    assert html.index("DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG") < html.index("TỔNG HỢP KẾT QUẢ THEO ĐƠN VỊ")
    assert html.index("TỔNG HỢP KẾT QUẢ THEO ĐƠN VỊ") < html.index('class="signers"')
    assert "Lê Thị Hoa" in html and "Nguyễn Văn Thắng" in html
    # The print shows the page's text: dates and shares as people write them.
    assert ">05/02/1990<" in html and ">100%<" in html  # HCTH: both its people pass
    assert page_people(client, list_id)[1][2] == "05/02/1990"


def test_a_frozen_list_keeps_the_letterhead_and_signers_it_was_frozen_with(agency, client, login):
    set_profile()
    login("tonghop")
    list_id = create(client, agency.criteria.id)
    client.post(f"/nominations/{list_id}/freeze")
    frozen = sheets(client, list_id)

    set_profile(place="Hà Nội", head_name="Người Khác")
    assert sheets(client, list_id) == frozen
    html = client.get(f"/nominations/{list_id}/print.html").text
    assert "Người Khác" not in html and "Bắc Ninh, ngày " in html
    assert "Toàn vẹn: khớp" in client.get(f"/nominations/{list_id}").text


def test_a_list_frozen_before_cells_had_kinds_prints_as_it_was(agency, client, login):
    set_profile()
    login("tonghop")
    list_id = create(client, agency.criteria.id)
    client.post(f"/nominations/{list_id}/freeze")
    # Rewrite the snapshot as the first version of freezing wrote it: text cells, no kinds,
    # parent, notes or signers.
    snapshot = queries.nomination_list(list_id).snapshot
    data = json.loads(snapshot.data)
    data["schema"] = 1
    for part in ("people", "units"):
        for key in ("kinds", "parent", "notes", "signers"):
            del data[part][key]
    data["people"]["rows"][1][2] = "05/02/1990"
    data["units"]["rows"][0][4] = "33%"
    snapshot.data = document.canonical(data)
    snapshot.checksum = document.checksum(data)
    db.session.commit()

    page = client.get(f"/nominations/{list_id}")
    assert "Toàn vẹn: khớp" in page.text
    assert page_people(client, list_id)[1][2] == "05/02/1990"
    assert table(page.text, "nomination-units")[0][4] == "33%"
    rows = sheets(client, list_id)["Danh sach de nghi"]
    assert rows[7][2] == "05/02/1990"  # text, as it was frozen
    assert filled(rows[-1]) == ["Lê Thị Hoa", "Nguyễn Văn Thắng"]  # signed by today's signers
    html = client.get(f"/nominations/{list_id}/print.html").text
    assert ">05/02/1990<" in html and "Lê Thị Hoa" in html
