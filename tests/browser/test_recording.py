"""A contributor records a word in Chromium with a fake microphone, listens and submits; an
editor approves it; a learner hears it in a lesson and anyone in the dictionary. At phone and
desktop size, axe clean."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from lms.db import db
from lms.dictionary import recordings
from lms.dictionary import services as dictionary
from lms.dictionary.models import Recording
from lms.roles import Role
from tests.browser.conftest import DESKTOP, PHONE, accessible, fits_the_screen, sign_in, sign_out
from tests.dictionary.files import dictionary_csv, entry_line
from tests.factories import make_person
from tests.learning.content import FIXTURES, import_folder, write_course

pytestmark = pytest.mark.browser

LESSON = """---
title: Ăn uống
minutes: 5
---

```vocab
rows:
  - entry: kin
    audio: media/slam.ogg
```
"""


@pytest.fixture
def world(app, tmp_path):
    dictionary.import_file("tyz.csv", dictionary_csv(entry_line("kin", "kin", "ăn")))
    db.session.commit()
    import_folder(
        write_course(
            tmp_path / "courses",
            "an-uong",
            "Ăn uống tiếng Tày",
            {"01-an-uong.md": LESSON},
            media={"slam.ogg": (FIXTURES / "slam.ogg").read_bytes()},
            synthetic_audio=True,
        )
    )
    contributor = make_person("congtacvien", "Bàn Thị Mây", roles=(Role.CONTRIBUTOR,))
    make_person("bientap", "Vi Văn Biên", roles=(Role.EDITOR,))
    make_person("mai", "Lò Thị Mai")
    db.session.flush()
    recordings.add_speaker(
        full_name="Hoàng Văn Slao",
        locality="Tràng Định",
        birth_year=1958,
        contact="",
        consented=True,
        consent_on=date(2026, 11, 20),
        document=None,
        witness="Trưởng thôn Nà Lạn",
        added_by=contributor.id,
    )
    db.session.commit()


@pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=lambda screen: screen.name)
def test_a_word_recorded_in_the_browser_is_approved_and_heard(page: Page, world, axe):
    sign_in(page, "congtacvien")
    page.goto("/dictionary/tyz/kin")
    page.get_by_role("link", name="Ghi âm mục từ này").click()
    page.get_by_label("Người nói", exact=True).select_option(label="Hoàng Văn Slao")
    fits_the_screen(page)
    accessible(axe, page)
    page.get_by_role("button", name="Bắt đầu ghi").click()
    expect(page.get_by_text("Đang ghi…")).to_be_visible()
    page.wait_for_timeout(1500)
    page.get_by_role("button", name="Dừng").click()
    expect(page.get_by_text("Đã ghi xong: nghe lại, ghi lại, hoặc gửi.")).to_be_visible()
    expect(page.get_by_label("Nghe lại bản vừa ghi")).to_be_visible()
    page.get_by_role("button", name="Gửi bản ghi để duyệt").click()
    expect(page.get_by_text("chờ biên tập viên duyệt", exact=False)).to_be_visible()
    db.session.expire_all()
    recording = db.session.scalars(select(Recording)).one()
    assert recording.content_type in ("audio/webm", "audio/ogg")
    assert 500 <= recording.milliseconds <= 5000
    sign_out(page)

    sign_in(page, "bientap")
    page.goto("/admin/recordings/")
    fits_the_screen(page)
    accessible(axe, page)
    page.get_by_role("button", name="Duyệt và công bố kin").click()
    expect(page.get_by_text("Đã duyệt bản ghi")).to_be_visible()
    sign_out(page)

    sign_in(page, "mai")
    page.goto("/courses/an-uong/an-uong")
    row = page.locator('tr[data-entry="kin"]')
    expect(row.get_by_text("Giọng Hoàng Văn Slao")).to_be_visible()
    source = row.locator("audio").get_attribute("src")
    assert source == recordings.audio_url(recording)
    heard = page.request.get(source)
    assert heard.status == 200 and heard.headers["content-type"] == recording.content_type
    accessible(axe, page)
    sign_out(page)

    page.goto("/dictionary/tyz/kin")
    expect(page.get_by_text("Hoàng Văn Slao đọc", exact=False)).to_be_visible()
    assert page.locator(f'audio[src="{source}"]').count() == 1
    fits_the_screen(page)
    accessible(axe, page)
