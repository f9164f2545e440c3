"""A demo account's browser session ends with demo mode, like its sign-in."""

from lms.db import db
from tests.factories import make_person


def test_a_demo_session_stops_working_outside_demo_mode(app, client, login):
    person = make_person("hcth", "Nguyễn Thị Lan Anh")
    person.is_demo = True
    app.config["DEMO_MODE"] = True
    db.session.commit()
    assert login("hcth").status_code == 302
    assert client.get("/account/password").status_code == 200
    app.config["DEMO_MODE"] = False  # the server restarted without LMS_DEMO
    refused = client.get("/account/password")
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]


def test_a_real_persons_session_is_untouched_by_demo_mode(app, client, login):
    make_person("tranvanthat", "Trần Văn Thật")
    db.session.commit()
    assert login("tranvanthat").status_code == 302
    app.config["DEMO_MODE"] = True
    assert client.get("/account/password").status_code == 200
