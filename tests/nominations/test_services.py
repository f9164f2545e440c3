"""Building, editing, refreshing and freezing a nomination list, against hand-computed figures."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import update

from lms.accounts import services as people
from lms.db import db
from lms.nominations import queries, services
from lms.nominations.models import NominationSnapshot
from lms.nominations.services import NominationError
from lms.plans.models import PlanStatus, PlanVersion, StudyPlan
from tests.factories import correct_target
from tests.nominations.conftest import complete, make_course

TODAY = date(2025, 1, 10)
FORM = "Giấy khen của Giám đốc Sở"
MAI_SUMMARY = (
    "Hoàn thành 42/40 tiết (105%); 3 khóa học hoàn thành (Năng lực số 2, Tiếng dân tộc 1); "
    "1 sáng kiến được công nhận; kế hoạch được duyệt 1/1 năm"
)
BINH_SUMMARY = (
    "Hoàn thành 40/40 tiết (100%); 1 khóa học hoàn thành (Ngoại ngữ 1); kế hoạch được duyệt 1/1 năm"
)
# Each person counted once, under the unit of their last day: CSDT has An and Học, HCTH has
# Mai (from July) and Bình, so the units add up to the total.
EXPECTED_UNITS = [
    [1, "Phòng Chính sách dân tộc", 2, 0, 0, 0],
    [2, "Phòng Hành chính - Tổng hợp", 2, 2, 100, 2],
    ["", "Tổng cộng", 4, 2, 50, 2],
]


def correct_2024_target(amount: str) -> None:
    """Correct the 2024 rule's amount (a typo found later): it changes 2024's figures."""
    correct_target("CBCCVC-2018", TODAY, amount=amount)


def build(agency, **kwargs):
    return services.create_list(
        name=kwargs.get("name", "Đề nghị khen thưởng 2024"),
        criteria_set=str(agency.criteria.id),
        unit=kwargs.get("unit", ""),
        created_by=agency.hcth,
        today=TODAY,
    )


def data(nomination):
    db.session.commit()
    db.session.expire_all()
    return queries.data_of(queries.nomination_list(nomination.id), TODAY)


def mai_evidence(agency) -> str:
    return (
        "Chứng nhận AAAA-BBBB-CCCC ({a}, 01/03/2024); Chứng nhận DDDD-EEEE-FFFF ({b}, 01/09/2024); "
        "Sáng kiến “Số hóa từ điển Tày - Việt” (cấp cơ sở (Sở), 20/11/2024); "
        "Kế hoạch năm 2024 duyệt ngày 15/02/2024"
    )


def expected_people(evidence_mai: str) -> list[list]:
    return [
        [1, "Hoàng Văn Bình", None, "", "Trưởng phòng", "Phòng Hành chính - Tổng hợp", FORM,
         BINH_SUMMARY, "Kế hoạch năm 2024 đã duyệt", ""],
        [2, "Lò Thị Mai", "1990-02-05", "Tày", "", "Phòng Hành chính - Tổng hợp", FORM,
         MAI_SUMMARY, evidence_mai, ""],
    ]  # fmt: skip


def certificate_titles():
    from lms.learning.models import Certificate

    rows = db.session.scalars(db.select(Certificate).order_by(Certificate.code)).all()
    return [row.course_title for row in rows]


def test_build_lists_each_passing_person_once_under_the_last_unit(agency):
    nomination = build(agency)
    result = data(nomination)
    a, b = certificate_titles()
    evidence_mai = mai_evidence(agency).format(a=a, b=b)
    assert result["people"]["rows"] == expected_people(evidence_mai)
    assert result["units"]["rows"] == EXPECTED_UNITS
    assert result["people"]["title"] == "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG"
    assert result["people"]["agency"] == "SỞ DÂN TỘC VÀ TÔN GIÁO"
    mai = next(e for e in nomination.entries if e.person_id == agency.mai.id)
    assert mai.unit_id == agency.office.id
    assert ["Đã đạt / chỉ tiêu", "42 / 40 tiết"] in mai.facts["columns"]


def test_unit_scope_counts_only_that_subtree(agency):
    nomination = build(agency, unit=str(agency.policy.id))
    result = data(nomination)
    # Mai passes in CSDT too; within CSDT's roster her last unit there is CSDT.
    assert [row[1] for row in result["people"]["rows"]] == ["Lò Thị Mai"]
    assert result["units"]["rows"][0] == [1, "Phòng Chính sách dân tộc", 3, 1, 33, 1]


def test_bad_input_changes_nothing(agency):
    with pytest.raises(NominationError, match="Tên danh sách"):
        build(agency, name="  ")
    with pytest.raises(NominationError, match="Đơn vị"):
        build(agency, unit="999999")
    with pytest.raises(NominationError, match="bộ tiêu chí"):
        services.create_list(
            name="X", criteria_set="abc", unit="", created_by=agency.hcth, today=TODAY
        )
    assert queries.list_summaries() == []


def test_refresh_adds_new_passers_flags_dropped_and_keeps_edited_summaries(agency):
    nomination = build(agency)
    mai = next(e for e in nomination.entries if e.person_id == agency.mai.id)
    services.update_entry(mai, form=str(mai.form_id), summary="Điển hình tự học", note="")
    # An reaches 41 tiết; the 2024 target is corrected to 41: Bình's 40 no longer pass.
    complete(agency.an, make_course("foreign-language", "21"), datetime(2024, 8, 1, tzinfo=UTC))
    correct_2024_target("41")
    db.session.flush()
    result = services.refresh_list(nomination, TODAY)
    assert (result.added, result.dropped) == (1, 1)
    by_person = {e.person_id: e for e in nomination.entries}
    assert by_person[agency.an.id].is_passing
    assert not by_person[agency.binh.id].is_passing
    assert by_person[agency.mai.id].summary == "Điển hình tự học"
    rows = data(nomination)["people"]["rows"]
    binh = next(row for row in rows if row[1] == "Hoàng Văn Bình")
    assert binh[-1] == "Không còn đạt tiêu chí"


def test_a_plan_being_revised_still_counts_as_approved(agency):
    nomination = build(agency)
    plan = db.session.scalar(db.select(StudyPlan).where(StudyPlan.person_id == agency.binh.id))
    db.session.add(PlanVersion(plan_id=plan.id, number=2, status=PlanStatus.SUBMITTED))
    db.session.flush()
    assert services.refresh_list(nomination, TODAY).dropped == 0
    binh = next(e for e in nomination.entries if e.person_id == agency.binh.id)
    assert binh.is_passing


def test_remove_needs_a_reason_and_is_kept(agency):
    nomination = build(agency)
    binh = next(e for e in nomination.entries if e.person_id == agency.binh.id)
    with pytest.raises(NominationError, match="lý do"):
        services.remove_entry(binh, "  ", agency.hcth)
    services.remove_entry(binh, "Đã được khen năm trước", agency.hcth)
    result = data(nomination)
    assert [row[1] for row in result["people"]["rows"]] == ["Lò Thị Mai"]
    assert result["removed"][0]["full_name"] == "Hoàng Văn Bình"
    assert result["removed"][0]["reason"] == "Đã được khen năm trước"
    assert result["units"]["rows"][-1][-1] == 1
    # A refresh does not bring a removed person back.
    assert services.refresh_list(nomination, TODAY).added == 0


def test_freeze_refuses_an_out_of_date_list(agency):
    nomination = build(agency)
    correct_2024_target("41")
    db.session.flush()
    with pytest.raises(NominationError, match="1 người không còn đạt"):
        services.freeze_list(nomination, agency.hcth, TODAY)
    services.refresh_list(nomination, TODAY)
    binh = next(e for e in nomination.entries if e.person_id == agency.binh.id)
    services.remove_entry(binh, "Chưa đạt chỉ tiêu đã đính chính", agency.hcth)
    snapshot = services.freeze_list(nomination, agency.hcth, TODAY)
    assert nomination.is_frozen
    assert json.loads(snapshot.data)["removed"][0]["reason"] == "Chưa đạt chỉ tiêu đã đính chính"


def change_live_data(agency) -> None:
    """Everything a frozen list must not follow: hours, a corrected target (43 tiết: Mai's 42
    no longer pass), a plan under revision, initiatives, a name."""
    complete(agency.binh, make_course("digital-skills", "30"), datetime(2024, 10, 1, tzinfo=UTC))
    correct_2024_target("43")
    plan = db.session.scalar(db.select(StudyPlan).where(StudyPlan.person_id == agency.mai.id))
    db.session.add(PlanVersion(plan_id=plan.id, number=2, status=PlanStatus.SUBMITTED))
    db.session.execute(db.delete(db.metadata.tables["initiative_author"]))
    people.update_person(agency.mai, full_name="Lò Thị Mai Anh")
    db.session.commit()


def test_frozen_list_keeps_its_data_and_refuses_edits(agency):
    nomination = build(agency)
    services.freeze_list(nomination, agency.hcth, TODAY)
    before = data(nomination)
    assert before["frozen_by"] == {"id": agency.hcth.id, "name": "Lương Thị Hợp"}
    assert before["criteria"]["name"] == "Khen thưởng năm 2024"
    change_live_data(agency)
    agency.criteria.name = "Đã đổi tên"
    db.session.commit()
    after = data(nomination)
    assert after == before
    fresh = queries.nomination_list(nomination.id)
    assert queries.integrity(fresh.snapshot)
    entry = fresh.entries[0]
    for attempt in (
        lambda: services.update_entry(entry, form=str(entry.form_id), summary="x", note=""),
        lambda: services.remove_entry(entry, "lý do", agency.hcth),
        lambda: services.refresh_list(fresh, TODAY),
        lambda: services.freeze_list(fresh, agency.hcth, TODAY),
    ):
        with pytest.raises(NominationError, match="đã chốt"):
            attempt()


def test_checksum_is_of_the_canonical_json_and_detects_tampering(agency):
    nomination = build(agency)
    snapshot = services.freeze_list(nomination, agency.hcth, TODAY)
    db.session.commit()
    parsed = json.loads(snapshot.data)
    assert snapshot.data == json.dumps(
        parsed, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    import hashlib

    assert snapshot.checksum == hashlib.sha256(snapshot.data.encode("utf-8")).hexdigest()
    # Spacing is not content: a re-indented text still verifies.
    db.session.execute(
        update(NominationSnapshot).values(data=json.dumps(parsed, indent=2, ensure_ascii=False))
    )
    db.session.commit()
    db.session.expire_all()
    assert queries.integrity(queries.nomination_list(nomination.id).snapshot)
    db.session.execute(
        update(NominationSnapshot).values(data=snapshot.data.replace("Lò Thị Mai", "Lò Thị Mây"))
    )
    db.session.commit()
    db.session.expire_all()
    assert not queries.integrity(queries.nomination_list(nomination.id).snapshot)


def test_differences_between_a_frozen_list_and_today(agency):
    nomination = build(agency)
    services.freeze_list(nomination, agency.hcth, TODAY)
    complete(agency.an, make_course("foreign-language", "23"), datetime(2024, 8, 1, tzinfo=UTC))
    change_live_data(agency)
    frozen = data(nomination)
    found = queries.differences(
        frozen, queries.live(queries.frozen_spec(frozen), nomination.unit_id, TODAY)
    )
    assert found.added == [(agency.an.id, "Nông Văn An", "Phòng Chính sách dân tộc")]
    assert found.dropped == [(agency.mai.id, "Lò Thị Mai")]
    assert [change.full_name for change in found.changed] == ["Hoàng Văn Bình"]
    columns = {label: (old, new) for label, old, new in found.changed[0].columns}
    assert columns["Đã đạt / chỉ tiêu"] == ("40 / 40 tiết", "70 / 43 tiết")
    assert columns["Năng lực số"] == ("0", "1")
    assert columns["Tiêu chí: Đạt chỉ tiêu giờ học"] == ("✓ 40/40 tiết", "✓ 70/43 tiết")
    assert "Họ và tên" not in columns


def test_forms_add_rename_deactivate_and_reorder(agency):
    extra = services.add_form("Chiến sĩ thi đua cơ sở")
    with pytest.raises(NominationError, match="Đã có"):
        services.add_form("  biểu   DƯƠNG ")
    with pytest.raises(NominationError, match="không được để trống"):
        services.rename_form(extra, " ")
    services.rename_form(extra, "Lao động tiên tiến")
    services.move_form(extra, "up")
    assert [f.name for f in queries.forms()] == [
        "Giấy khen của Giám đốc Sở",
        "Bằng khen của Chủ tịch UBND tỉnh",
        "Lao động tiên tiến",
        "Biểu dương",
    ]
    first = queries.forms()[0]
    services.set_form_active(first, False)
    assert queries.default_form().name == "Bằng khen của Chủ tịch UBND tỉnh"
    nomination = build(agency)
    assert {e.form.name for e in nomination.entries} == {"Bằng khen của Chủ tịch UBND tỉnh"}
    entry = nomination.entries[0]
    with pytest.raises(NominationError, match="đang dùng"):
        services.update_entry(entry, form=str(first.id), summary="x", note="")
    for form in queries.forms()[1:-1]:
        services.set_form_active(form, False)
    with pytest.raises(NominationError, match="ít nhất một"):
        services.set_form_active(queries.forms()[-1], False)


def test_the_list_prints_the_position_held_at_the_end_of_its_period(agency):
    from lms.accounts import services as accounts

    accounts.change_position(agency.binh, "Phó Giám đốc Sở", date(2026, 1, 1))
    nomination = build(agency)
    rows = data(nomination)["people"]["rows"]
    binh = next(row for row in rows if row[1] == "Hoàng Văn Bình")
    assert binh[4] == "Trưởng phòng"  # the 2026 promotion is not 2024's
