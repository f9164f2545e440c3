from tests.factories import make_person, make_unit


def test_home_welcomes_anonymous_visitors(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Đăng nhập" in response.get_data(as_text=True)


def test_signed_in_learner_sees_their_unit(app, client, login):
    unit = make_unit("PHCTH", "Phòng Hành chính - Tổng hợp")
    make_person("hocvien", "Lò Thị Mai", unit=unit)
    from lms.db import db

    db.session.commit()
    response = login("hocvien")
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Phòng Hành chính - Tổng hợp" in page
    assert "Xin chào, Mai" in page
