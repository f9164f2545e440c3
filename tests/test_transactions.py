"""A request's writes stand or fall together, savepoints included, on every database."""

from __future__ import annotations

from sqlalchemy import func, select

from lms import create_app
from lms.auth.access import public
from lms.auth.services import AuthError
from lms.db import db
from lms.org.models import Unit
from lms.org.services import OrgError
from lms.plans.services import PlanError
from lms.web import saving
from tests.factories import make_unit


def count_units() -> int:
    return db.session.scalar(select(func.count(Unit.id)))


def test_a_savepoint_taken_first_does_not_commit_on_its_own(app):
    before = count_units()
    with db.session.begin_nested():
        make_unit("SP1", "Đơn vị trong savepoint")
    make_unit("SP2", "Đơn vị sau savepoint")
    # The worker dies before the request commits: nothing of it may remain.
    db.session.rollback()
    db.session.remove()
    assert count_units() == before


# The request boundary (lms.web.saving and the app's backstop for UserError) -----------------


def _flashed(app) -> list[tuple[str, str]]:
    from flask import get_flashed_messages

    return get_flashed_messages(with_categories=True)


def test_saving_commits_the_work_and_says_so(app):
    before = count_units()
    with app.test_request_context("/", method="POST"):
        with saving("Đã lưu.") as saved:
            make_unit("OK1", "Đơn vị được lưu")
        assert saved.ok and saved.error is None
        assert _flashed(app) == [("success", "Đã lưu.")]
    db.session.remove()
    assert count_units() == before + 1


def test_a_refusal_mid_change_keeps_nothing_and_says_why(app):
    before = count_units()
    with app.test_request_context("/", method="POST"):
        with saving("Đã lưu.") as saved:
            make_unit("HALF", "Đơn vị làm dở")
            raise OrgError("Ngày giải thể phải sau ngày thành lập.", field="on")
        assert not saved
        assert saved.error.field == "on"
        assert _flashed(app) == [("error", "Ngày giải thể phải sau ngày thành lập.")]
    db.session.remove()
    assert count_units() == before


def test_a_refusal_can_be_left_for_the_form_to_show_by_its_field(app):
    with app.test_request_context("/", method="POST"):
        with saving("Đã lưu.", show=False) as saved:
            raise PlanError("Số giờ phải lớn hơn 0.", field="hours")
        assert saved.error.message == "Số giờ phải lớn hơn 0."
        assert _flashed(app) == []


def test_a_conflicting_commit_is_explained_when_the_view_expects_one(app):
    make_unit("DUP", "Đơn vị có sẵn")
    db.session.commit()
    before = count_units()
    with app.test_request_context("/", method="POST"):
        with saving("Đã lưu.", conflict="Người khác vừa thay đổi; hãy thử lại.") as saved:
            db.session.add(Unit(code="DUP"))
        assert not saved
        assert _flashed(app) == [("error", "Người khác vừa thay đổi; hãy thử lại.")]
    db.session.remove()
    assert count_units() == before


def test_a_user_error_no_view_caught_keeps_nothing_and_answers_400(test_settings):
    app = create_app(dict(test_settings))

    @app.post("/test-refused")
    @public
    def refused():
        make_unit("ESC", "Đơn vị của yêu cầu bị từ chối")
        raise AuthError("Mật khẩu hiện tại không đúng.")

    with app.app_context():
        before = count_units()
        response = app.test_client().post("/test-refused")
        assert response.status_code == 400
        assert "Mật khẩu hiện tại không đúng." in response.get_data(as_text=True)
        db.session.remove()
        assert count_units() == before
        db.engine.dispose()
