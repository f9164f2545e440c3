"""The page shell: languages, security headers, settings, the audit log page."""

import os
import stat

from lms.accounts import services as people
from lms.config import from_environment
from lms.db import db
from lms.i18n import vn_long_date
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
