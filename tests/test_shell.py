"""The page shell: languages, security headers, settings, the audit log page."""

import os
import re
import stat

from sqlalchemy import text

from lms.accounts import services as people
from lms.config import from_environment
from lms.db import db
from lms.i18n import local_today, vn_long_date
from lms.org import services as org
from lms.org.models import UnitKind
from lms.roles import Role
from tests.agency.conftest import BAC_NINH
from tests.factories import make_person, make_unit


def test_interface_is_vietnamese_by_default_and_english_on_request(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert "Tên đăng nhập" in page
    client.post("/language", data={"lang": "en"})
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Username" in page
    assert "Tên đăng nhập" not in page


def test_unknown_language_keeps_vietnamese(client):
    client.post("/language", data={"lang": "xx"})
    assert '<html lang="vi">' in client.get("/login").get_data(as_text=True)


def test_every_page_carries_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_pages_load_no_asset_from_elsewhere(client):
    page = client.get("/login").get_data(as_text=True)
    assert "http://" not in page.replace("http://localhost", "")
    assert "https://" not in page


def test_secret_key_is_generated_once_and_private(tmp_path, monkeypatch):
    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    first = from_environment(tmp_path)["SECRET_KEY"]
    key_file = tmp_path / "secret_key"
    assert len(first) >= 64
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert from_environment(tmp_path)["SECRET_KEY"] == first


def test_secret_key_from_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_SECRET_KEY", "from-the-environment")
    assert from_environment(tmp_path)["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_long_dates_follow_decree_30():
    from datetime import date

    assert vn_long_date(date(2024, 4, 5)) == "ngày 05 tháng 4 năm 2024"
    assert vn_long_date(date(2024, 2, 15)) == "ngày 15 tháng 02 năm 2024"
    assert vn_long_date(date(2024, 12, 1)) == "ngày 01 tháng 12 năm 2024"


def test_audit_log_shows_changes_with_before_and_after(client, login):
    unit = make_unit("PCS", "Phòng Chính sách")
    make_person("admin", "Triệu Thị Trị", unit=unit, roles=("admin",))
    person = make_person("hoa", "Lâm Thị Hoa", unit=unit)
    db.session.commit()
    login("admin")
    people.update_person(person, position="Chuyên viên chính")
    db.session.commit()
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert "Sửa thông tin Lâm Thị Hoa" in page
    assert "Chuyên viên chính" in page
    filtered = client.get("/admin/audit/?entity_type=unit").get_data(as_text=True)
    assert "Tạo đơn vị PCS" in filtered
    assert "Sửa thông tin Lâm Thị Hoa" not in filtered


def _footer_of(page: str) -> str:
    return re.search(r'<footer class="site-footer">\s*<div class="wrap">(.*?)</div>', page).group(1)


def _footer(client, path="/login"):
    return _footer_of(client.get(path).get_data(as_text=True))


def test_the_footer_names_the_agency_as_its_data_says_today(client, login, sql_statements):
    """Never a constant: the agency's top unit as named today until its profile sets a name;
    a change shows on the very next page, signed in or not."""
    agency = make_unit("SDT", "Ban Dân tộc tỉnh Bắc Giang", kind=UnitKind.AGENCY)
    make_person("quantri", "Trần Quản Trị", unit=agency, roles=(Role.ADMIN,))
    db.session.commit()
    campaign = "Phong trào học tập suốt đời 2024–2030"
    assert _footer(client) == f"Ban Dân tộc tỉnh Bắc Giang · {campaign}"

    org.rename_unit(agency, "Sở Dân tộc và Tôn giáo tỉnh Bắc Ninh", local_today())
    db.session.commit()
    assert _footer(client) == f"Sở Dân tộc và Tôn giáo tỉnh Bắc Ninh · {campaign}"

    login("quantri")
    client.post("/admin/agency/", data={**BAC_NINH, "agency_name": "Sở <Dân tộc> & Tôn giáo"})
    assert _footer(client, "/") == f"Sở &lt;Dân tộc&gt; &amp; Tôn giáo · {campaign}"
    # Kept under the reference stamp, which the sign-in reads: no statement of its own.
    statements = sql_statements(lambda: client.get("/"))
    assert [s for s in statements if "agency_profile" in s and "user_session" not in s] == []
    client.post("/language", data={"lang": "en"})
    assert _footer(client, "/") == (
        "Sở &lt;Dân tộc&gt; &amp; Tôn giáo · Lifelong Learning Movement 2024–2030"
    )


def test_before_any_unit_or_profile_the_footer_names_the_campaign_alone(client):
    assert _footer(client) == "Phong trào học tập suốt đời 2024–2030"


def test_the_error_page_of_a_failed_statement_still_shows(app, client, monkeypatch, caplog):
    """PostgreSQL refuses every statement after a failed one in its transaction: the error
    page names no agency then, rather than failing itself."""
    make_unit("SDT", "Sở Dân tộc và Tôn giáo", kind=UnitKind.AGENCY)
    db.session.commit()
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken(*_args, **_kwargs):
        db.session.execute(text("SELECT nothing FROM no_such_table"))

    monkeypatch.setattr("lms.learning.views.queries.catalogue", broken)
    monkeypatch.setattr("lms.org.queries.read", broken)  # as PostgreSQL would; SQLite reads on
    response = client.get("/courses/")
    assert response.status_code == 500
    assert "Lỗi hệ thống" in response.get_data(as_text=True)
    assert _footer_of(response.text) == "Phong trào học tập suốt đời 2024–2030"
    assert "footer without the agency's name" in caplog.text


def test_a_visitor_s_page_reads_the_stamp_and_the_name_once_per_stamp(client, sql_statements):
    make_unit("SDT", "Sở Dân tộc và Tôn giáo", kind=UnitKind.AGENCY)
    db.session.commit()
    first = sql_statements(lambda: client.get("/login"))
    again = sql_statements(lambda: client.get("/login"))
    assert len(first) == 2 and "agency_profile" in first[1]
    assert len(again) == 1 and "reference_stamp" in again[0]


def test_the_offline_page_kept_by_the_phone_names_no_agency(client):
    """The service worker keeps /offline from its install until the static files change: a
    name there could outlive a rename."""
    make_unit("SDT", "Sở Dân tộc và Tôn giáo", kind=UnitKind.AGENCY)
    db.session.commit()
    assert _footer(client, "/offline") == "Phong trào học tập suốt đời 2024–2030"
    assert _footer(client).startswith("Sở Dân tộc và Tôn giáo · ")


def test_the_privacy_notice_names_the_agency_as_the_footer_does(client):
    """Citizens are told who keeps their data: the agency as named today, by the same rule."""
    make_unit("SDT", "Sở Dân tộc và Tôn giáo tỉnh Bắc Ninh", kind=UnitKind.AGENCY)
    db.session.commit()
    page = client.get("/privacy-notice").get_data(as_text=True)
    assert "Sở Dân tộc và Tôn giáo tỉnh Bắc Ninh" in page.split('<footer class="site-footer">')[0]
