"""Recordings of dictionary entries: told by content and length, only with a speaker's
consent and a licence, published once an editor approves them, the default voice of the
entry in lessons; withdrawn at once with consent and deleted after the grace period."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from lms.db import db, utcnow
from lms.dictionary import queries, recordings
from lms.dictionary import services as dictionary
from lms.dictionary.audio import NotAudio, inspect
from lms.dictionary.models import DictionaryEntry, Recording, RecordingStatus, Speaker
from lms.dictionary.recordings import RecordingError
from lms.roles import Role
from tests.dictionary.audio_files import ogg_opus, webm_opus
from tests.dictionary.files import dictionary_csv, entry_line
from tests.factories import make_person

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def entry(app):
    dictionary.import_file(
        "tyz.csv",
        dictionary_csv(entry_line("kin", "kin", "ăn", examples="Kin khẩu", translations="Ăn cơm")),
    )
    db.session.commit()
    return db.session.scalars(select(DictionaryEntry)).one()


@pytest.fixture
def contributor(app):
    person = make_person("congtacvien", "Bàn Thị Mây", roles=(Role.CONTRIBUTOR,))
    db.session.commit()
    return person


def speaker(contributor, **more) -> Speaker:
    fields = {
        "full_name": "Hoàng Văn Slao",
        "locality": "Tràng Định, Lạng Sơn",
        "birth_year": 1958,
        "contact": "",
        "consented": True,
        "consent_on": date(2026, 11, 20),
        "document": PDF,
        "witness": "",
        "added_by": contributor.id,
    } | more
    found = recordings.add_speaker(**fields)
    db.session.commit()
    return found


def submit(entry, contributor, found_speaker, data=None, **more) -> Recording:
    fields = {
        "part": "headword",
        "speaker": found_speaker,
        "licence": "cc-by-4.0",
        "locality": "",
        "recorded_on": date(2026, 11, 21),
        "data": ogg_opus(1200) if data is None else data,
        "contributor": contributor.id,
    } | more
    recording = recordings.submit(entry, **fields)
    db.session.commit()
    return recording


def test_recordings_are_told_by_their_content_and_length():
    assert inspect(ogg_opus(1500)).content_type == "audio/ogg"
    assert inspect(ogg_opus(1500)).milliseconds == 1500
    assert inspect(webm_opus(2500)).content_type == "audio/webm"
    assert inspect(webm_opus(2500)).milliseconds == 2500
    for wrong in (b"ID3\x03mp3", PDF, webm_opus(codec=b"A_VORBIS"), ogg_opus()[:40]):
        with pytest.raises(NotAudio):
            inspect(wrong)


def test_a_speaker_needs_written_consent(app, contributor):
    with pytest.raises(RecordingError, match="đã đọc và ký giấy đồng ý"):
        speaker(contributor, consented=False)
    with pytest.raises(RecordingError, match="ảnh hoặc bản quét giấy đồng ý"):
        speaker(contributor, document=None)
    with pytest.raises(RecordingError, match="ảnh chụp \\(JPEG, PNG\\) hoặc bản quét PDF"):
        speaker(contributor, document=b"MZ\x90\x00 not a scan")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Speaker)) == 0
    witnessed = speaker(contributor, document=None, witness="Trưởng thôn Nà Lạn")
    assert witnessed.consent_version == recordings.CONSENT_VERSION


@pytest.mark.parametrize(
    ("more", "message"),
    [
        ({"data": b"ID3\x03 an mp3"}, "không phải bản ghi âm Opus"),
        ({"data": ogg_opus(31_000)}, "dài 31 giây, quá 30 giây"),
        ({"data": ogg_opus(100)}, "ngắn quá"),
        ({"data": b"OggS" + b"\x00" * 3_000_000}, "lớn quá 2048 KB"),
        ({"licence": "all-rights"}, "giấy phép"),
        ({"speaker": None}, "người nói đã ký giấy đồng ý"),
        ({"part": "example-2"}, "phần được ghi âm"),
    ],
)
def test_a_recording_that_is_not_one_we_take_changes_nothing(entry, contributor, more, message):
    found = speaker(contributor)
    with pytest.raises(RecordingError, match=message):
        submit(entry, contributor, found, **more)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Recording)) == 0


def test_approval_publishes_and_makes_it_the_entrys_voice(entry, contributor, client):
    found = speaker(contributor)
    pending = submit(entry, contributor, found, data=webm_opus(1500))
    assert queries.entry_texts("tyz", ["kin"])["kin"].audio_url is None
    assert client.get(f"/recordings/{pending.id}.webm").status_code == 404

    with pytest.raises(RecordingError, match="ghi nhận xét"):
        recordings.review(pending, approve=False, comment="", reviewer=contributor.id)
    recordings.review(pending, approve=True, comment="", reviewer=contributor.id)
    db.session.commit()

    shown = queries.entry_texts("tyz", ["kin"])["kin"]
    assert (shown.audio_url, shown.speaker) == (f"/recordings/{pending.id}.webm", "Hoàng Văn Slao")
    served = client.get(shown.audio_url)
    assert served.status_code == 200 and served.mimetype == "audio/webm"
    assert served.data == webm_opus(1500)
    page = client.get("/dictionary/tyz/kin").text
    assert shown.audio_url in page and "Hoàng Văn Slao đọc" in page and "CC BY 4.0" in page


def test_withdrawal_stops_at_once_and_purge_deletes_after_the_grace(
    app, entry, contributor, client, runner
):
    found = speaker(contributor)
    recording = submit(entry, contributor, found)
    recordings.review(recording, approve=True, comment="", reviewer=contributor.id)
    db.session.commit()
    url = recordings.audio_url(recording)
    assert client.get(url).status_code == 200

    assert recordings.withdraw(found, by=contributor.id) == 1
    db.session.commit()
    assert client.get(url).status_code == 410
    assert queries.entry_texts("tyz", ["kin"])["kin"].audio_url is None
    with pytest.raises(RecordingError, match="người nói đã ký"):
        submit(entry, contributor, found)
    db.session.rollback()

    early = runner.invoke(args=["dictionary", "purge-recordings"])
    assert "Đã xóa 0 bản ghi" in early.output
    assert db.session.scalar(select(func.count()).select_from(Recording)) == 1
    later = recordings.purge(utcnow() + timedelta(days=app.config["RECORDING_GRACE_DAYS"] + 1))
    db.session.commit()
    assert (later.recordings, later.speakers) == (1, 1)
    assert db.session.scalar(select(func.count()).select_from(Speaker)) == 0
    assert client.get(url).status_code == 404


# Pages ----------------------------------------------------------------------------------------


@pytest.fixture
def signed_in_contributor(client, login, contributor):
    login("congtacvien")
    return contributor


def test_a_contributor_adds_a_speaker_and_uploads_a_recording(client, entry, signed_in_contributor):
    refused = client.post(
        "/contribute/speakers/new",
        data={"full_name": "Hoàng Văn Slao", "consent_on": "2026-11-20"},
    )
    assert refused.status_code == 400
    assert "đã đọc và ký giấy đồng ý" in refused.text and "Hoàng Văn Slao" in refused.text
    added = client.post(
        "/contribute/speakers/new",
        data={
            "full_name": "Hoàng Văn Slao",
            "consented": "1",
            "consent_on": "2026-11-20",
            "document": (io.BytesIO(PDF), "giay-dong-y.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert added.status_code == 302
    found = db.session.scalars(select(Speaker)).one()

    form = {
        "part": "headword",
        "speaker": str(found.id),
        "licence": "cc-by-sa-4.0",
        "recorded_on": "2026-11-21",
    }
    not_audio = client.post(
        "/contribute/record/tyz/kin",
        data={**form, "audio": (io.BytesIO(PDF), "kin.ogg")},
        content_type="multipart/form-data",
    )
    assert not_audio.status_code == 400
    assert "không phải bản ghi âm Opus" in not_audio.text
    sent = client.post(
        "/contribute/record/tyz/kin",
        data={**form, "audio": (io.BytesIO(ogg_opus(1500)), "kin.ogg")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "chờ biên tập viên duyệt" in sent.text
    assert "Chờ duyệt" in sent.text
    recording = db.session.scalars(select(Recording)).one()
    assert (recording.licence, recording.status) == ("cc-by-sa-4.0", RecordingStatus.PENDING)


def test_an_editor_reviews_the_queue_and_returns_with_a_comment(client, login, entry, contributor):
    found = speaker(contributor)
    first = submit(entry, contributor, found)
    second = submit(entry, contributor, found, part="example-1")
    make_person("bientap", "Vi Văn Biên", roles=(Role.EDITOR,))
    db.session.commit()
    login("bientap")
    queue = client.get("/admin/recordings/").text
    assert queue.count('name="decision" value="approve"') == 2
    assert client.get(f"/admin/recordings/{first.id}/audio").status_code == 200
    client.post(f"/admin/recordings/{first.id}/review", data={"decision": "approve"})
    client.post(
        f"/admin/recordings/{second.id}/review",
        data={"decision": "return", "comment": "Tiếng ồn lớn, ghi lại giúp."},
    )
    db.session.expire_all()
    assert (first.status, second.status) == ("approved", "returned")
    login("congtacvien")
    mine = client.get("/contribute/").text
    assert "Tiếng ồn lớn, ghi lại giúp." in mine and "Bị trả lại" in mine


def test_learners_cannot_record_or_review(client, login, entry):
    make_person("hocvien")
    db.session.commit()
    login("hocvien")
    assert client.get("/contribute/record/tyz/kin").status_code == 403
    assert client.get("/admin/recordings/").status_code == 403


def test_the_review_queue_needs_the_same_queries_for_any_length(
    client, login, entry, contributor, count_queries
):
    found = speaker(contributor)
    submit(entry, contributor, found)
    make_person("bientap", "Vi Văn Biên", roles=(Role.EDITOR,))
    db.session.commit()
    login("bientap")
    person_id, speaker_id, entry_id = contributor.id, found.id, entry.id
    client.get("/admin/recordings/")  # the reference data, read once while unchanged
    one = count_queries(lambda: client.get("/admin/recordings/"))
    for _ in range(5):
        submit(
            db.session.get(DictionaryEntry, entry_id),
            db.session.get(type(contributor), person_id),
            db.session.get(Speaker, speaker_id),
        )
    client.get("/admin/recordings/")
    many = count_queries(lambda: client.get("/admin/recordings/"))
    assert one == many
