"""Vietnamese text handling: collation, names, search folding, legacy-font letters."""

import unicodedata

import pytest

from lms.text import (
    clean_name,
    collation_key,
    fold,
    legacy_font_letters,
    person_sort_key,
    split_name,
)

# In Vietnamese order: given names a < ă < â, d < đ, o < ô < ơ, u < ư; tones secondary.
VIETNAMESE_ORDER = [
    "Nông Thị A",
    "Lò Văn Á",
    "Trần Thị An",
    "Nguyễn Văn Anh",
    "Lê Ánh",
    "Bùi Ăn",
    "Vũ Ân",
    "Đỗ Bình",
    "Phạm Dũng",
    "Hoàng Đức",
    "Lục Văn Ong",
    "Hà Ông",
    "Ma Thị Ơn",
    "Triệu Văn Uy",
    "Lương Thị Ưng",
    "Vi Văn Xuân",
]


def test_people_sort_by_given_name_in_vietnamese_order():
    shuffled = sorted(VIETNAMESE_ORDER, reverse=True)
    assert sorted(shuffled, key=person_sort_key) == VIETNAMESE_ORDER


def test_code_point_order_is_not_vietnamese_order():
    # The guard the issue asks for: naive ordering must disagree with ours.
    naive = sorted(VIETNAMESE_ORDER, key=lambda name: name.split()[-1])
    assert naive != VIETNAMESE_ORDER


@pytest.mark.parametrize(
    "words",
    [
        ["ba", "bà", "bả", "bã", "bá", "bạ"],  # none, huyền, hỏi, ngã, sắc, nặng
        ["a", "á", "ă", "ắ", "â", "ấ", "b"],
        ["d", "dz", "đ", "e"],
        ["o", "ô", "ơ", "p"],
        ["u", "ư", "v"],
        ["an", "anh", "ăn"],
        ["Hà", "Hàn"],
    ],
)
def test_collation_orders_letters_then_tones(words):
    assert sorted(reversed(words), key=collation_key) == words


def test_same_given_name_orders_by_family_and_middle_name():
    names = ["Trần Văn An", "Lê Thị An", "Nguyễn An"]
    assert sorted(names, key=person_sort_key) == ["Lê Thị An", "Nguyễn An", "Trần Văn An"]


def test_nfd_and_nfc_names_sort_alike():
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    assert person_sort_key(nfd) == person_sort_key("Nguyễn Thị Ánh")
    assert clean_name(nfd) == "Nguyễn Thị Ánh"


def test_given_name_is_last_word_unless_overridden():
    assert split_name("  Hoàng   Thị  Mai ") == ("Hoàng Thị", "Mai")
    assert split_name("Nguyễn Thị Minh Khai", "Minh Khai") == ("Nguyễn Thị", "Minh Khai")


def test_fold_ignores_diacritics_case_and_apostrophe_kind():
    assert fold("Tiếng Tày Nhập Môn") == "tieng tay nhap mon"
    assert fold("ĐẶNG Văn Đức") == "dang van duc"
    assert fold(unicodedata.normalize("NFD", "Tiếng Tày")) == fold("Tiếng Tày")
    assert fold("t\u2019ang") == fold("t\u02bcang") == fold("t'ang")


def test_legacy_font_letters_are_found_with_their_intended_letter():
    assert legacy_font_letters("Nguyễn Văn Tƣờng") == [(12, "ƣ", "ư")]
    assert legacy_font_letters("Nguyễn Văn Tường") == []


def test_cjk_including_supplementary_planes_gets_a_key():
    assert collation_key("瑶") < collation_key("𠀀")
