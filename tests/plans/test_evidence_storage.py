"""Evidence storage: replaced and released files are deleted, a quota per person, `flask files
prune` for old orphans, and the administrator's storage page."""

from __future__ import annotations

import io
import threading
import time
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from lms.accounts.models import Person
from lms.db import db, utcnow
from lms.plans import evidence, values
from lms.plans.evidence import Upload
from lms.plans.models import EvidenceFile, ExternalActivity, PlanItem
from lms.uploads.models import PendingUpload
from tests.plans.conftest import YEAR, plan_rows

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
KB = 1024


def pdf_of(size: int) -> bytes:
    """A harmless PDF of about size bytes."""
    return PDF + b"%" + b"0" * max(size - len(PDF) - 1, 0)


def add_activity(client, data: bytes = PDF, name: str = "chung-chi.pdf"):
    form = {
        "kind": "refresher",
        "title": "Bồi dưỡng kiến thức quốc phòng",
        "organiser": "Trường Chính trị tỉnh",
        "starts_on": f"{YEAR}-04-01",
        "ends_on": f"{YEAR}-04-03",
        "hours": "24",
        "planned": "q2",
        "evidence": (io.BytesIO(data), name),
    }
    return client.post(f"/plans/{YEAR}/activities", data=form, follow_redirects=True)


def attach(client, activity_id: int, data: bytes, name: str = "ban-moi.pdf"):
    return client.post(
        f"/plans/activities/{activity_id}/evidence",
        data={"evidence": (io.BytesIO(data), name)},
        follow_redirects=True,
    )


def files() -> list[EvidenceFile]:
    db.session.expire_all()
    return list(db.session.scalars(select(EvidenceFile).order_by(EvidenceFile.id)))


def stored_bytes() -> int:
    return db.session.scalar(select(func.coalesce(func.sum(EvidenceFile.size), 0)))


def the_activity() -> ExternalActivity:
    db.session.expire_all()
    return db.session.scalars(select(ExternalActivity)).one()


# Replacing and removing ------------------------------------------------------------------------


def test_five_replacements_keep_one_file(client, login, division):
    login("mai")
    add_activity(client, pdf_of(50 * KB))
    activity = the_activity()
    first_token = files()[0].token
    for n in range(5):
        page = attach(client, activity.id, pdf_of(50 * KB + n))
        assert "Đã lưu minh chứng." in page.text
    [kept] = files()
    assert the_activity().evidence_id == kept.id
    assert kept.size == 50 * KB + 4
    assert stored_bytes() == 50 * KB + 4
    assert client.get(f"/plans/evidence/{first_token}").status_code == 404


def test_a_replaced_file_another_activity_still_shows_is_kept(client, login, division):
    login("mai")
    add_activity(client)
    add_activity(client)
    first, second = db.session.scalars(select(ExternalActivity).order_by(ExternalActivity.id))
    # Both activities show the same certificate (a course of two sessions, one paper).
    shared = first.evidence
    orphaned_by_this = second.evidence
    second.evidence = shared
    db.session.commit()
    db.session.delete(orphaned_by_this)
    db.session.commit()
    attach(client, first.id, pdf_of(2 * KB))
    assert [file.id for file in files()][0] == shared.id
    assert len(files()) == 2
    assert the_activity_of(second.id).evidence_id == shared.id
    # Once the second activity moves on too, nothing shows the shared file: it goes.
    attach(client, second.id, pdf_of(3 * KB))
    assert sorted(file.size for file in files()) == [2 * KB, 3 * KB]


def the_activity_of(activity_id: int) -> ExternalActivity:
    db.session.expire_all()
    return db.session.get(ExternalActivity, activity_id)


def test_removing_a_draft_activity_deletes_its_file(client, login, division):
    login("mai")
    add_activity(client)
    item = db.session.scalars(select(PlanItem)).one()
    token = files()[0].token
    page = client.post(f"/plans/{YEAR}/items/{item.id}/remove", follow_redirects=True)
    assert page.status_code == 200
    assert files() == []
    assert the_activity().evidence_id is None
    assert client.get(f"/plans/evidence/{token}").status_code == 404


def test_an_activity_an_approved_version_holds_keeps_its_file(client, login, division):
    login("mai")
    add_activity(client)
    plan_id = db.session.scalars(select(PlanItem)).one().version.plan_id
    client.post(f"/plans/{YEAR}/submit")
    client.post("/logout")
    login("truongphong")
    client.post(
        f"/plans/view/{plan_id}/decide",
        data={"decision": "approve", "version": "1", "revision": _revision(plan_id)},
    )
    client.post("/logout")
    login("mai")
    client.post(f"/plans/{YEAR}/revise")
    db.session.expire_all()
    items = list(db.session.scalars(select(PlanItem).order_by(PlanItem.id)))
    assert len(items) == 2, "the approved version and its revision"
    client.post(f"/plans/{YEAR}/items/{items[1].id}/remove")
    assert len(files()) == 1
    assert the_activity().evidence_id == files()[0].id
    # Still the learner's activity: a new certificate replaces the old one, which goes.
    attach(client, the_activity().id, pdf_of(2 * KB))
    assert [file.size for file in files()] == [2 * KB]


def _revision(plan_id: int) -> str:
    from lms.plans.models import StudyPlan

    db.session.expire_all()
    return str(db.session.get(StudyPlan, plan_id).revision)


# The quota -------------------------------------------------------------------------------------


def test_the_quota_refuses_an_upload_saying_what_is_used_and_the_limit(
    app, client, login, division
):
    app.config["EVIDENCE_QUOTA_MB"] = 1
    login("mai")
    add_activity(client, pdf_of(400 * KB))
    add_activity(client, pdf_of(400 * KB))
    before = plan_rows()
    page = add_activity(client, pdf_of(400 * KB))
    assert "hạn mức" in page.text
    assert "đã dùng 800,0 KB" in page.text
    assert "1,0 MB" in page.text
    assert plan_rows() == before
    activity = db.session.scalars(select(ExternalActivity).order_by(ExternalActivity.id)).first()
    page = attach(client, activity.id, pdf_of(700 * KB))
    assert "hạn mức" in page.text
    assert plan_rows() == before


def refuse_with_file(client, data: bytes, name: str):
    """An outside activity refused for its missing title, sent with a file."""
    return client.post(
        f"/plans/{YEAR}/activities", data={"title": "", "evidence": (io.BytesIO(data), name)}
    )


# Bodies stay under 500 KB, past which the test client spools them to a file it leaves open.
def test_a_pending_upload_counts_in_the_quota_until_it_is_used_or_expires(
    app, client, login, division
):
    app.config["EVIDENCE_QUOTA_MB"] = 0.5
    login("mai")
    add_activity(client, pdf_of(100 * KB))
    # A refused send keeps its 300 KB file a day: 400 KB of the 512 KB are now in use.
    refused = refuse_with_file(client, pdf_of(300 * KB), "cho.pdf")
    assert refused.status_code == 400
    assert "Đã đính kèm: cho.pdf" in refused.text
    activity = the_activity()
    page = attach(client, activity.id, pdf_of(250 * KB))  # 300 + 250 > 512 KB
    assert "hạn mức" in page.text
    # Past its day it no longer counts.
    db.session.execute(update(PendingUpload).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    page = attach(client, activity.id, pdf_of(250 * KB))
    assert "Đã lưu minh chứng." in page.text


def test_a_file_over_the_quota_is_not_kept_and_the_page_says_so(app, client, login, division):
    app.config["EVIDENCE_QUOTA_MB"] = 0.5
    login("mai")
    add_activity(client, pdf_of(350 * KB))
    refused = refuse_with_file(client, pdf_of(200 * KB), "lon.pdf")
    assert refused.status_code == 400
    assert "Đã đính kèm" not in refused.text
    assert "hạn mức" in refused.text
    assert db.session.scalars(select(PendingUpload)).all() == []


def test_the_quota_counts_only_live_files(app, client, login, division):
    app.config["EVIDENCE_QUOTA_MB"] = 1
    login("mai")
    add_activity(client, pdf_of(600 * KB))
    activity = the_activity()
    # Replacing frees the old file: 600 KB then 700 KB never both count.
    page = attach(client, activity.id, pdf_of(700 * KB))
    assert "Đã lưu minh chứng." in page.text
    # An orphan from before this fix does not count against its owner.
    db.session.add(
        EvidenceFile(
            token="o" * 43,
            owner_id=division.learner.id,
            content_type="application/pdf",
            size=900 * KB,
            sha256="0" * 64,
            original_name="cu.pdf",
            data=b"%PDF-",
        )
    )
    db.session.commit()
    page = attach(client, activity.id, pdf_of(800 * KB))
    assert "Đã lưu minh chứng." in page.text
    # Someone else's files do not count either.
    client.post("/logout")
    login("hoa")
    page = add_activity(client, pdf_of(900 * KB))
    assert "Đã thêm hoạt động ngoài nền tảng" in page.text
    page = add_activity(client, pdf_of(200 * KB))
    assert "đã dùng 900,0 KB" in page.text


# flask files prune -----------------------------------------------------------------------------


def _orphan(owner_id: int, size: int, age: timedelta, token: str) -> None:
    db.session.add(
        EvidenceFile(
            token=token,
            owner_id=owner_id,
            content_type="application/pdf",
            size=size,
            sha256="0" * 64,
            original_name="cu.pdf",
            data=b"%PDF-" + b"0" * (size - 5),
            created_at=utcnow() - age,
        )
    )


def test_prune_removes_old_orphans_only_and_says_what_it_freed(client, login, division, runner):
    login("mai")
    add_activity(client)
    _orphan(division.learner.id, 2048, timedelta(days=3), "a" * 43)
    _orphan(division.colleague.id, 1024, timedelta(days=2), "b" * 43)
    _orphan(division.learner.id, 4096, timedelta(hours=1), "c" * 43)  # an upload in flight
    db.session.commit()
    result = runner.invoke(args=["files", "prune"])
    assert result.exit_code == 0, result.output
    assert "2 tệp" in result.output
    assert "3,0 KB" in result.output
    assert "a" * 43 in result.output and "b" * 43 in result.output
    left = {file.token for file in files()}
    assert "c" * 43 in left and "a" * 43 not in left and "b" * 43 not in left
    assert the_activity().evidence_id in {file.id for file in files()}


def test_prune_with_a_shorter_grace_and_nothing_to_do(division, runner):
    _orphan(division.learner.id, 2048, timedelta(hours=3), "a" * 43)
    db.session.commit()
    result = runner.invoke(args=["files", "prune"])
    assert result.exit_code == 0
    assert "Không có tệp minh chứng mồ côi" in result.output
    result = runner.invoke(args=["files", "prune", "--older-than-hours", "2"])
    assert "1 tệp" in result.output and "2,0 KB" in result.output
    assert files() == []


# The administrator's storage page --------------------------------------------------------------


def test_the_storage_page_shows_totals_top_users_and_orphans(client, login, division):
    login("mai")
    add_activity(client, pdf_of(300 * KB))
    add_activity(client, pdf_of(200 * KB))
    client.post("/logout")
    login("hoa")
    add_activity(client, pdf_of(100 * KB))
    _orphan(division.colleague.id, 50 * KB, timedelta(days=3), "a" * 43)
    db.session.commit()
    client.post("/logout")
    login("quantri")
    page = client.get("/admin/storage/")
    assert page.status_code == 200
    text = page.text
    assert "650,0 KB" in text  # every evidence file
    assert "4 tệp" in text
    assert text.index("Lò Thị Mai") < text.index("Hoàng Thị Hoa")
    assert "500,0 KB" in text and "150,0 KB" in text  # orphans are still their owner's bytes
    assert "1 tệp mồ côi" in text and "50,0 KB" in text
    assert "flask files prune" in text


def test_two_uploads_at_once_cannot_both_pass_the_quota(app, client, login, division):
    app.config["EVIDENCE_QUOTA_MB"] = 1
    login("mai")
    add_activity(client, PDF)
    add_activity(client, PDF)
    first_id, second_id = db.session.scalars(select(ExternalActivity.id).order_by("id"))
    owner_id = division.learner.id
    db.session.commit()
    first_holds = threading.Event()
    outcomes: dict[str, str] = {}

    def upload(activity_id: int, name: str) -> None:
        with app.app_context():
            activity = db.session.get(ExternalActivity, activity_id)
            owner = db.session.get(Person, owner_id)
            try:
                evidence.attach_evidence(activity, owner, Upload(f"{name}.pdf", pdf_of(600 * KB)))
                if name == "first":
                    first_holds.set()
                    time.sleep(0.5)  # the second upload is now checking its quota
                db.session.commit()
                outcomes[name] = "kept"
            except values.PlanError:
                outcomes[name] = "refused"
            except OperationalError:
                outcomes[name] = "database busy"  # SQLite: one writer at a time
            finally:
                first_holds.set()
                db.session.rollback()

    first = threading.Thread(target=upload, args=(first_id, "first"))
    first.start()
    first_holds.wait(10)
    second = threading.Thread(target=upload, args=(second_id, "second"))
    second.start()
    first.join(30)
    second.join(30)
    assert outcomes["first"] == "kept"
    assert outcomes["second"] in ("refused", "database busy")
    assert stored_bytes() <= 1024 * KB
