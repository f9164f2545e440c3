"""Writes: criteria sets, points entry (all or nothing), initiatives and their decisions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.awards import queries, services
from lms.awards.criteria import CriterionSpec
from lms.awards.models import CriteriaSet, Indicator, InitiativeStatus, PointsEntry
from lms.awards.services import AwardError, InitiativeInput, Scorable
from lms.db import db
from tests.awards.conftest import citizen_spec, manual_indicator
from tests.factories import make_person, make_unit


def test_create_keeps_the_rules_in_order_and_is_audited(make_set):
    saved = make_set()
    stored = queries.spec(saved.id)
    assert [c.kind for c in stored.criteria] == ["plan_approved", "points"]
    assert [i.name for i in stored.criteria[1].indicators] == [
        "Tự học",
        "Ý thức, thái độ",
        "Sáng kiến",
    ]
    assert (
        db.session.scalar(select(AuditEvent.action).where(AuditEvent.entity_type == "criteria_set"))
        == "criteria_set.create"
    )


def test_a_contradictory_set_lists_every_problem_and_saves_nothing(app):
    spec = citizen_spec()
    points = spec.criteria[1]
    broken = replace(
        spec,
        criteria=(
            points,
            replace(points, threshold=Decimal(500)),
        ),
    )
    with pytest.raises(AwardError) as raised:
        services.save_set(None, broken, read_problems=["Ngày bắt đầu “x” không đúng dạng."])
    messages = raised.value.messages
    assert messages[0].startswith("Ngày bắt đầu")
    assert any("trùng" in m for m in messages)
    assert any("lớn hơn tổng điểm tối đa" in m for m in messages)
    db.session.rollback()
    assert db.session.scalar(select(func.count(CriteriaSet.id))) == 0


def test_two_sets_cannot_share_a_name(make_set):
    make_set()
    with pytest.raises(AwardError, match="Đã có bộ tiêu chí tên"):
        services.save_set(None, citizen_spec())


def test_edit_keeps_indicators_sent_back_and_their_points(make_set):
    saved = make_set()
    person = make_person()
    manual = manual_indicator(saved)
    services.enter_points(
        saved, [Scorable(person.id, person.full_name)], {(person.id, manual.id): "20"}
    )
    db.session.commit()
    spec = queries.spec(saved.id)
    scheme = spec.criteria[1]
    reordered = replace(
        scheme, threshold=Decimal(70), indicators=(scheme.indicators[1], scheme.indicators[0])
    )
    services.save_set(
        saved,
        replace(spec, criteria=(CriterionSpec("hours", percent=95), reordered)),
    )
    db.session.commit()
    stored = queries.spec(saved.id)
    assert [c.kind for c in stored.criteria] == ["hours", "points"]
    assert [i.name for i in stored.criteria[1].indicators] == ["Ý thức, thái độ", "Tự học"]
    assert stored.criteria[1].indicators[0].id == manual.id
    assert queries.manual_points(stored, [person.id])[person.id] == {manual.id: Decimal(20)}
    assert db.session.scalar(select(func.count(Indicator.id))) == 2


def test_an_indicator_with_points_cannot_be_dropped(make_set):
    saved = make_set()
    person = make_person()
    manual = manual_indicator(saved)
    services.enter_points(saved, [Scorable(person.id, "A")], {(person.id, manual.id): "20"})
    db.session.commit()
    spec = queries.spec(saved.id)
    without = replace(
        spec.criteria[1],
        indicators=tuple(i for i in spec.criteria[1].indicators if i.id != manual.id),
    )
    with pytest.raises(AwardError, match="đã chấm điểm cho 1 người"):
        services.save_set(saved, replace(spec, criteria=(spec.criteria[0], without)))


def test_delete_removes_the_set_and_its_points(make_set):
    saved = make_set()
    person = make_person()
    manual = manual_indicator(saved)
    services.enter_points(saved, [Scorable(person.id, "A")], {(person.id, manual.id): "7,5"})
    db.session.commit()
    services.delete_set(saved)
    db.session.commit()
    assert db.session.scalar(select(func.count(CriteriaSet.id))) == 0
    assert db.session.scalar(select(func.count(PointsEntry.id))) == 0


def test_points_entry_is_all_or_nothing_and_names_person_and_indicator(make_set):
    saved = make_set()
    an = make_person(full_name="Hoàng Thị An")
    binh = make_person(full_name="Vi Văn Bình")
    db.session.commit()
    manual = manual_indicator(saved)
    people = [Scorable(an.id, an.full_name), Scorable(binh.id, binh.full_name)]
    with pytest.raises(AwardError) as raised:
        services.enter_points(
            saved,
            people,
            {(an.id, manual.id): "7,5", (binh.id, manual.id): "31"},
        )
    assert raised.value.messages == [
        "Vi Văn Bình, chỉ số “Ý thức, thái độ”: 31 ngoài khoảng 0 đến 30."
    ]
    db.session.rollback()
    assert db.session.scalar(select(func.count(PointsEntry.id))) == 0

    with pytest.raises(AwardError, match="“abc” không phải là số"):
        services.enter_points(saved, people, {(an.id, manual.id): "abc"})
    db.session.rollback()

    assert services.enter_points(saved, people, {(an.id, manual.id): "7,5"}) == 1
    db.session.commit()
    points = queries.manual_points(queries.spec(saved.id), [an.id])
    assert points[an.id][manual.id] == Decimal("7.5")


def test_points_for_someone_outside_the_list_are_refused(make_set):
    saved = make_set()
    outsider = make_person()
    manual = manual_indicator(saved)
    with pytest.raises(AwardError, match="không thuộc danh sách"):
        services.enter_points(saved, [], {(outsider.id, manual.id): "5"})


def test_points_on_a_computed_indicator_are_refused(make_set):
    saved = make_set()
    person = make_person()
    computed = next(i for c in saved.criteria for i in c.indicators if i.source == "hours")
    with pytest.raises(AwardError):
        services.enter_points(saved, [Scorable(person.id, "A")], {(person.id, computed.id): "5"})


def _initiative(unit, authors, **changes):
    data = InitiativeInput(
        title=changes.pop("title", "Số hóa hồ sơ dân tộc"),
        author_ids=tuple(str(a.id) for a in authors),
        unit_id=str(unit.id),
        year="2025",
        **changes,
    )
    return services.record_initiative(data, latest_year=2026, allowed_units=None, actor_id=None)


def test_initiative_is_recorded_pending_and_searchable_without_diacritics(app):
    unit = make_unit()
    author = make_person(unit=unit)
    _initiative(unit, [author], title="Ứng dụng tiếng Tày trong tuyên truyền")
    db.session.commit()
    found = queries.initiatives_page(page=1, search="tieng tay")
    assert [i.title for i in found.items] == ["Ứng dụng tiếng Tày trong tuyên truyền"]
    assert found.items[0].status == InitiativeStatus.PENDING


def test_bad_initiative_lists_every_problem(app):
    unit = make_unit()
    data = InitiativeInput(
        title="x" * 501, unit_id=str(unit.id), year="1999", recognised_on="31/02/2025"
    )
    with pytest.raises(AwardError) as raised:
        services.record_initiative(data, latest_year=2026, allowed_units=None, actor_id=None)
    text = " ".join(raised.value.messages)
    assert "dài 501 ký tự; tối đa 500" in text
    assert "cần chọn ít nhất một người" in text
    assert "phải là năm từ 2000 đến 2026" in text
    assert "“31/02/2025” không đúng dạng dd/mm/yyyy" in text


def test_a_manager_records_only_for_their_units(app):
    own, other = make_unit(), make_unit()
    author = make_person(unit=other)
    data = InitiativeInput(
        title="Giải pháp", author_ids=(str(author.id),), unit_id=str(other.id), year="2025"
    )
    with pytest.raises(AwardError, match="đơn vị mình quản lý"):
        services.record_initiative(data, latest_year=2026, allowed_units={own.id}, actor_id=None)


def test_approved_initiatives_count_and_authors_never_decide_their_own(app):
    unit = make_unit()
    author = make_person(unit=unit)
    boss = make_person(unit=unit)
    initiative = _initiative(unit, [author])
    with pytest.raises(AwardError, match="tự duyệt"):
        services.decide_initiative(initiative, approve=True, note="", actor_id=author.id)
    with pytest.raises(AwardError, match="lý do"):
        services.decide_initiative(initiative, approve=False, note=" ", actor_id=boss.id)
    services.decide_initiative(initiative, approve=True, note="", actor_id=boss.id)
    db.session.commit()
    assert queries.approved_initiatives([author.id], 2025, 2025)[author.id] == [
        (2025, initiative.id)
    ]


def test_editing_a_decided_initiative_sends_it_back_for_a_decision(app):
    unit = make_unit()
    author = make_person(unit=unit)
    initiative = _initiative(unit, [author])
    services.decide_initiative(initiative, approve=True, note="", actor_id=make_person().id)
    changed = services.edit_initiative(
        initiative,
        InitiativeInput(
            title="Tên mới",
            author_ids=(str(author.id),),
            unit_id=str(unit.id),
            year="2025",
            recognition_level="agency",
            recognised_on="05/04/2025",
        ),
        latest_year=2026,
        allowed_units=None,
    )
    assert changed
    assert initiative.status == InitiativeStatus.PENDING
    assert initiative.recognised_on == date(2025, 4, 5)
