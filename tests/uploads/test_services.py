"""Pending uploads: one per person and form, found only by its owner, gone once used or past
its day (`flask uploads prune`)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from lms.db import db, utcnow
from lms.uploads import services
from lms.uploads.models import PendingUpload
from tests.factories import make_person


def test_kept_found_by_its_owner_and_purpose_only(app):
    mai = make_person("mai", "Lò Thị Mai")
    hoa = make_person("hoa", "Hoàng Thị Hoa")
    db.session.commit()
    kept = services.keep(mai.id, "evidence", "C:\\\\giấy tờ\\\\chứng nhận.pdf", b"%PDF-1")
    db.session.commit()
    assert services.find(mai.id, "evidence", kept.token) == kept
    assert services.chosen(mai.id, "evidence", None, kept.token, 100) == (
        services.Upload(kept.filename, b"%PDF-1"),
        kept,
    )
    assert services.find(hoa.id, "evidence", kept.token) is None
    assert services.find(mai.id, "staff", kept.token) is None
    assert services.find(mai.id, "evidence", "x" * 500) is None
    assert services.find(mai.id, "evidence", None) is None
    assert services.pending_bytes(mai.id, "evidence") == 6
    assert services.pending_bytes(mai.id, "staff") == 0
    assert services.pending_bytes(hoa.id, "evidence") == 0


def test_a_new_keep_replaces_the_old_for_the_same_form(app):
    mai = make_person("mai", "Lò Thị Mai")
    db.session.commit()
    first = services.keep(mai.id, "evidence", "a.pdf", b"1" * 10)
    other = services.keep(mai.id, "staff", "nhan-su.xlsx", b"2" * 20)
    second = services.keep(mai.id, "evidence", "b.pdf", b"3" * 30)
    db.session.commit()
    assert services.find(mai.id, "evidence", first.token) is None
    assert services.find(mai.id, "evidence", second.token) == second
    assert services.find(mai.id, "staff", other.token) == other
    assert services.pending_bytes(mai.id, "evidence") == 30
    services.discard(second)
    db.session.commit()
    assert services.find(mai.id, "evidence", second.token) is None
    assert services.pending_bytes(mai.id, "evidence") == 0
    assert services.pending_bytes(mai.id, "staff") == 20


def test_past_its_day_an_upload_is_not_found_and_prune_deletes_it(app, runner):
    app.config["PENDING_UPLOAD_HOURS"] = 24
    mai = make_person("mai", "Lò Thị Mai")
    db.session.commit()
    old = services.keep(mai.id, "evidence", "cu.pdf", b"0" * 1024)
    young = services.keep(mai.id, "staff", "moi.xlsx", b"1" * 10)
    db.session.execute(
        update(PendingUpload)
        .where(PendingUpload.token == old.token)
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
    assert services.find(mai.id, "evidence", old.token) is None
    assert services.pending_bytes(mai.id, "evidence") == 0
    assert services.pending_bytes(mai.id, "staff") == 10
    result = runner.invoke(args=["uploads", "prune"])
    assert result.exit_code == 0, result.output
    assert "Đã xóa 1 tệp đính kèm quá hạn, giải phóng 1,0 KB." in result.output
    db.session.expire_all()
    assert db.session.scalars(select(PendingUpload.token)).all() == [young.token]


def test_a_staff_list_kept_does_not_count_as_evidence(app):
    from lms.plans import evidence

    mai = make_person("mai", "Lò Thị Mai")
    db.session.commit()
    services.keep(mai.id, "staff", "nhan-su.xlsx", b"1" * 1000)
    services.keep(mai.id, evidence.PENDING, "chung-nhan.pdf", b"2" * 10)
    assert evidence.live_bytes(mai.id) == 10


def test_a_person_with_a_kept_file_can_still_be_deleted(app):
    from lms.accounts import services as people

    mai = make_person("mai", "Lò Thị Mai")
    db.session.commit()
    services.keep(mai.id, "evidence", "a.pdf", b"1")
    db.session.commit()
    assert not people.has_records(mai)
    people.delete_person(mai)
    db.session.commit()
    assert db.session.scalars(select(PendingUpload)).all() == []


def test_a_second_keep_of_the_same_form_at_once_replaces_the_first(app):
    """Two sends of one form in parallel: whichever keeps last wins, neither fails."""
    import threading

    mai = make_person("mai", "Lò Thị Mai")
    db.session.commit()
    mai_id = mai.id
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def send(name: str) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                services.keep(mai_id, "evidence", name, name.encode())
                db.session.commit()
            except BaseException as error:  # pragma: no cover - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=send, args=(name,)) for name in ("a.pdf", "b.pdf")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    db.session.expire_all()
    assert len(db.session.scalars(select(PendingUpload.filename)).all()) == 1
