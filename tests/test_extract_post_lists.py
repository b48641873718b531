"""kg.extract.people: chains of posts and lists — one post for many people, titles binding leftward."""

from __future__ import annotations

from extract_helpers import holdings, run


def test_post_stated_once_for_a_list_after_doi_voi():
    x = run("Thủ tướng phê chuẩn kết quả bầu Phó Chủ tịch UBND tỉnh Hậu Giang nhiệm kỳ 2021 - 2026 đối với: "
            "ông Trần Văn Một, ông Lê Văn Hai, bà Phạm Thị Ba.")
    assert holdings(x) == {(n, "Phó Chủ tịch", "Ủy ban nhân dân tỉnh Hậu Giang")
                           for n in ("Trần Văn Một", "Lê Văn Hai", "Phạm Thị Ba")}


def test_post_stated_once_for_a_list_after_gom():
    x = run("Hội nghị bầu ba đồng chí làm Ủy viên Ban Thường vụ Tỉnh ủy Trà Vinh, gồm: Trần Văn Bốn, "
            "Lê Thị Năm và Phạm Văn Sáu.")
    assert holdings(x) == {(n, "Ủy viên", "Ban Thường vụ Tỉnh ủy Trà Vinh")
                           for n in ("Trần Văn Bốn", "Lê Thị Năm", "Phạm Văn Sáu")}


def test_no_list_without_its_cue():
    x = run("Ban Thường vụ Tỉnh ủy Trà Vinh làm việc với Trần Văn Bốn, Lê Thị Năm.")
    assert holdings(x) == set()


def test_names_listed_before_the_post_they_are_given():
    x = run("Các ông Trần Văn Bảy, Lê Văn Tám và bà Ngô Thị Chín được bầu làm Phó Bí thư Tỉnh ủy Sóc Trăng.")
    assert holdings(x) == {(n, "Phó Bí thư", "Tỉnh ủy Sóc Trăng") for n in ("Trần Văn Bảy", "Lê Văn Tám", "Ngô Thị Chín")}


def test_names_listed_without_a_post_verb_hold_nothing():
    x = run("Các ông Trần Văn Bảy, Lê Văn Tám và bà Ngô Thị Chín dự hội nghị của Tỉnh ủy Sóc Trăng.")
    assert holdings(x) == set()


def test_dash_joined_posts_share_the_body_after_them():
    x = run("Ông Y Văn Mười, Bộ trưởng - Chủ nhiệm Ủy ban Dân tộc, phát biểu.")
    assert holdings(x) == {("Y Văn Mười", "Bộ trưởng", "Ủy ban Dân tộc"), ("Y Văn Mười", "Chủ nhiệm", "Ủy ban Dân tộc")}


def test_chain_goes_on_past_former_post_rank_and_new_post():
    x = run("Ông Lê Văn Tuấn, Phó Bí thư Tỉnh ủy Long An, nguyên Phó Chủ tịch UBND tỉnh Long An, giữ chức "
            "Chủ tịch UBND tỉnh Long An. Ông Hà Minh Đức, Ủy viên Trung ương Đảng, Trung tướng, Tư lệnh Quân khu 7.")
    assert holdings(x) == {
        ("Lê Văn Tuấn", "Phó Bí thư", "Tỉnh ủy Long An"),
        ("Lê Văn Tuấn", "Phó Chủ tịch", "Ủy ban nhân dân tỉnh Long An"),
        ("Lê Văn Tuấn", "Chủ tịch", "Ủy ban nhân dân tỉnh Long An"),
        ("Hà Minh Đức", "Ủy viên", "Ban Chấp hành Trung ương"),
        ("Hà Minh Đức", "Tư lệnh", "Quân khu 7"),
    }


def test_titles_after_a_name_bind_leftward():
    x = run("Dự có ông Lê Văn Hùng, Phó Chủ tịch UBND TP Hải Phòng, ông Trần Văn Bảy, Chủ tịch Hội Nông dân thành phố.")
    h = holdings(x)
    assert ("Lê Văn Hùng", "Phó Chủ tịch", "Ủy ban nhân dân thành phố Hải Phòng") in h
    assert ("Trần Văn Bảy", "Phó Chủ tịch", "Ủy ban nhân dân thành phố Hải Phòng") not in h


def test_glued_dash_between_name_and_post():
    x = run("Đồng chí Lê Văn Tám-Ủy viên Trung ương Đảng, Bí thư Tỉnh ủy Gia Lai chủ trì.")
    assert ("Lê Văn Tám", "Bí thư", "Tỉnh ủy Gia Lai") in holdings(x)


def _former(x):
    names = {p.key: p.name for p in x.people}
    return {(names[h.person], h.role): h.former for h in x.holdings}


def test_former_posts_are_kept_and_marked():
    x = run("Ông Trần Văn Hai, nguyên Giám đốc Sở Tư pháp, Phó Chủ tịch UBND tỉnh Long An, dự. "
            "Nguyên Bí thư Tỉnh ủy Long An Lê Văn Ba cũng dự.")
    assert _former(x) == {("Trần Văn Hai", "Giám đốc"): True, ("Trần Văn Hai", "Phó Chủ tịch"): False,
                          ("Lê Văn Ba", "Bí thư"): True}


def test_a_post_written_as_current_elsewhere_is_not_former():
    x = run("Ông Trần Văn Hai, Giám đốc Sở Tư pháp, phát biểu. Ông Trần Văn Hai, nguyên Giám đốc Sở Tư pháp, dự.")
    assert _former(x) == {("Trần Văn Hai", "Giám đốc"): False}


def test_counted_post_with_no_body_takes_the_body_of_its_sentence():
    x = run("Lãnh đạo UBND tỉnh Bạc Liêu gồm ông Lê Văn Một, Chủ tịch UBND tỉnh Bạc Liêu và 2 Phó Chủ tịch "
            "bao gồm các đồng chí: Hồ Văn Hai, Tạ Văn Ba.")
    assert {("Hồ Văn Hai", "Phó Chủ tịch", "Ủy ban nhân dân tỉnh Bạc Liêu"),
            ("Tạ Văn Ba", "Phó Chủ tịch", "Ủy ban nhân dân tỉnh Bạc Liêu")} <= holdings(x)


def test_uncounted_post_with_no_body_lists_nobody():
    x = run("UBND tỉnh Bạc Liêu họp với Phó Chủ tịch gồm các đồng chí: Hồ Văn Hai, Tạ Văn Ba.")
    assert holdings(x) == set()


def test_listed_people_with_their_own_posts_share_the_post_stated_before():
    x = run("Thủ tướng phê chuẩn hai Phó Chủ tịch UBND tỉnh Sóc Trăng, nhiệm kỳ 2021-2026, gồm các ông: "
            "Trần Văn Một, Ủy viên Ban Thường vụ Tỉnh ủy Sóc Trăng và Lâm Văn Hai, Giám đốc Sở Tư pháp.")
    h = holdings(x)
    assert ("Lâm Văn Hai", "Phó Chủ tịch", "Ủy ban nhân dân tỉnh Sóc Trăng") in h
    assert ("Lâm Văn Hai", "Giám đốc", "Sở Tư pháp") in h


def test_elected_into_a_body_is_a_member_of_it():
    x = run("Các đồng chí: Lý Văn Một - Trưởng Ban Dân vận Trung ương, Hà Thị Hai - Chánh Văn phòng Trung ương Đảng - "
            "được bầu vào Ban Bí thư.")
    h = holdings(x)
    assert {("Lý Văn Một", "Ủy viên", "Ban Bí thư"), ("Hà Thị Hai", "Ủy viên", "Ban Bí thư")} <= h
    assert ("Hà Thị Hai", "Chánh Văn phòng", "Văn phòng Trung ương Đảng") in h


def test_a_deputy_written_alone_in_another_sentence_holds_nothing():
    x = run("Giám đốc Sở Y tế tỉnh Trà Vinh Thạch Văn Long dự. Sau đó, Phó Giám đốc Hà Văn Tư phát biểu.")
    assert holdings(x) == {("Thạch Văn Long", "Giám đốc", "Sở Y tế tỉnh Trà Vinh")}


def test_posts_named_as_members_of_a_standing_unit():
    x = run("Thường trực Tỉnh ủy Kiên Giang hiện có Bí thư Lâm Văn Một và Phó Bí thư Đỗ Văn Hai.")
    assert holdings(x) == {("Lâm Văn Một", "Bí thư", "Tỉnh ủy Kiên Giang"), ("Đỗ Văn Hai", "Phó Bí thư", "Tỉnh ủy Kiên Giang")}


def test_bare_post_after_a_plain_body_stays_without_one():
    x = run("Sở Tư pháp tỉnh Kiên Giang có Bí thư Lâm Văn Một.")
    assert holdings(x) == set()


def test_a_pronoun_takes_the_posts_for_the_person_just_named():
    x = run("Ông Lê Văn Hải sinh năm 1960 tại Bến Tre.\n\nTừ năm 2020 đến nay, ông là Ủy viên Ban Thường vụ "
            "Tỉnh ủy Bến Tre. Hội nghị bầu ông làm Chủ tịch HĐND tỉnh Bến Tre.")
    assert holdings(x) == {("Lê Văn Hải", "Ủy viên", "Ban Thường vụ Tỉnh ủy Bến Tre"),
                           ("Lê Văn Hải", "Chủ tịch", "Hội đồng nhân dân tỉnh Bến Tre")}


def test_a_pronoun_after_two_people_is_nobody_s():
    x = run("Ông Lê Văn Một và ông Trần Văn Hai dự. Ông là Bí thư Tỉnh ủy Bến Tre.")
    assert holdings(x) == set()


def test_people_elected_into_a_body_and_listed_after_it():
    x = run("Hội nghị đã bầu bổ sung; bốn người được bầu vào Ban Bí thư Trung ương Đoàn gồm các đồng chí: "
            "Phan Văn Một, Ngô Thị Hai, Lê Văn Ba và Hồ Văn Bốn.")
    assert holdings(x) == {(n, "Ủy viên", "Ban Bí thư Trung ương Đoàn")
                           for n in ("Phan Văn Một", "Ngô Thị Hai", "Lê Văn Ba", "Hồ Văn Bốn")}


def test_bare_provincial_body_in_a_chain_takes_the_chain_s_province():
    x = run("Tỉnh Sóc Trăng họp. UBND tỉnh Sóc Trăng báo cáo. Thủ tướng phê chuẩn ông Phạm Văn Tươi, Phó Bí thư "
            "Tỉnh ủy, giữ chức Chủ tịch UBND tỉnh Bạc Liêu.")
    assert holdings(x) == {("Phạm Văn Tươi", "Phó Bí thư", "Tỉnh ủy Bạc Liêu"),
                           ("Phạm Văn Tươi", "Chủ tịch", "Ủy ban nhân dân tỉnh Bạc Liêu")}
    assert "Tỉnh ủy Sóc Trăng" not in {o.name for o in x.organizations}


def test_bare_provincial_body_in_a_chain_naming_no_province_takes_the_article_s():
    x = run("Tỉnh Sóc Trăng họp. Ông Phạm Văn Tươi, Phó Bí thư Tỉnh ủy, Giám đốc Sở Tư pháp dự.")
    assert ("Phạm Văn Tươi", "Phó Bí thư", "Tỉnh ủy Sóc Trăng") in holdings(x)
