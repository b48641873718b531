"""kg.extract.people: who is a person — ranks, academic titles, minority family names, history."""

from __future__ import annotations

import unicodedata

from extract_helpers import holdings, run


def people(x) -> set[str]:
    return {p.name for p in x.people}


def test_ranks_and_academic_titles_are_not_part_of_the_name():
    x = run("Thượng tướng Lê Quốc Hưng, Thứ trưởng Bộ Công an; GS.TS. Nguyễn Xuân Thành, Giám đốc Học viện "
            "Chính trị quốc gia Hồ Chí Minh; PGS.TS Nguyễn Duy Bảo, Phó Giám đốc Học viện dự.")
    assert holdings(x) == {("Lê Quốc Hưng", "Thứ trưởng", "Bộ Công an"),
                           ("Nguyễn Xuân Thành", "Giám đốc", "Học viện Chính trị quốc gia Hồ Chí Minh"),
                           ("Nguyễn Duy Bảo", "Phó Giám đốc", "Học viện Chính trị quốc gia Hồ Chí Minh")}


def test_family_names_of_ethnic_minorities():
    x = run("Tại tỉnh Điện Biên, đồng chí Vừ A Bằng, Phó Chủ tịch UBND tỉnh; đồng chí Lò Văn Mừng, "
            "Phó Bí thư Tỉnh ủy dự.")
    assert people(x) == {"Vừ A Bằng", "Lò Văn Mừng"}


def test_tail_of_a_name_with_an_unlisted_family_name_is_not_a_person():
    x = run("Đồng chí Pờ Văn Thành, Bí thư Đảng ủy xã phát biểu.")
    assert people(x) == set()  # better no person than "Văn Thành"


def test_president_ho_chi_minh_is_history_not_a_post_holder():
    x = run("Dưới sự lãnh đạo của Chủ tịch Hồ Chí Minh, Đảng ta đã lãnh đạo cách mạng thắng lợi. "
            "Đại tướng Võ Nguyên Giáp chỉ huy chiến dịch.")
    assert x.people == [] and x.holdings == []


def test_place_and_body_words_are_not_people():
    x = run("Đồng chí Hà Nội, ông Bộ Chính, bà Tổ quốc và Học viện Chính trị quốc gia Hồ Chí Minh.")
    assert people(x) == set()


def test_decomposed_unicode_and_old_tone_marks():
    text = unicodedata.normalize("NFD", "Đồng chí Hầu A Lềnh, Bí thư Tỉnh uỷ Tuyên Quang, Chủ tịch Uỷ ban "
                                        "nhân dân tỉnh Tuyên Quang phát biểu.")
    x = run(text)
    assert holdings(x) == {("Hầu A Lềnh", "Bí thư", "Tỉnh ủy Tuyên Quang"),
                           ("Hầu A Lềnh", "Chủ tịch", "Ủy ban nhân dân tỉnh Tuyên Quang")}


def test_capitalised_honorific_before_a_name_with_a_post_after():
    x = run("Tại tỉnh Bến Tre, Bà Nguyễn Thị Bé Mười, Chủ tịch Hội Liên hiệp Phụ nữ tỉnh trình bày báo cáo.")
    assert holdings(x) == {("Nguyễn Thị Bé Mười", "Chủ tịch", "Hội Liên hiệp Phụ nữ tỉnh Bến Tre")}
