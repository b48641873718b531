"""kg.extract.people: names, posts before and after names, several posts, case variants."""

from __future__ import annotations

from extract_helpers import holdings, run


def test_title_before_name_with_compound_body():
    x = run("Ngày 3/3, Đảng ủy Khối các cơ quan Trung ương tổ chức hội nghị. "
            "Phó Bí thư Đảng ủy Khối Trần Văn Minh phát biểu.")
    assert holdings(x) == {("Trần Văn Minh", "Phó Bí thư", "Đảng ủy Khối các cơ quan Trung ương")}


def test_head_of_a_commission_shares_the_word_ban():
    x = run("Đảng ủy Khối các cơ quan Trung ương họp. Trưởng Ban Tổ chức Đảng ủy Khối Đỗ Thị Hoa cho biết.")
    assert holdings(x) == {("Đỗ Thị Hoa", "Trưởng Ban", "Ban Tổ chức Đảng ủy Khối các cơ quan Trung ương")}
    org = next(o for o in x.organizations if o.name.startswith("Ban Tổ chức"))
    assert org.parent == "org:ddarng-ury-khoosi-casc-cow-quan-trung-uwowng"


def test_name_then_several_titles():
    x = run("Dự hội nghị có đồng chí Nguyễn Văn An, Ủy viên Bộ Chính trị, Trưởng Ban Dân vận Trung ương.")
    assert holdings(x) == {("Nguyễn Văn An", "Ủy viên", "Bộ Chính trị"),
                           ("Nguyễn Văn An", "Trưởng Ban", "Ban Dân vận Trung ương")}


def test_lower_case_post_and_standing_deputy():
    x = run("ông Trần Văn Bình, Phó trưởng ban Thường trực Ban Tuyên giáo Trung ương, nhấn mạnh.")
    assert holdings(x) == {("Trần Văn Bình", "Phó Trưởng Ban Thường trực", "Ban Tuyên giáo Trung ương")}


def test_dash_chain_before_name_and_province():
    x = run("Tại tỉnh Sóc Trăng, Ủy viên Trung ương Đảng - Bí thư Tỉnh ủy Lê Văn Cường dự lễ.")
    assert holdings(x) == {("Lê Văn Cường", "Ủy viên", "Ban Chấp hành Trung ương"),
                           ("Lê Văn Cường", "Bí thư", "Tỉnh ủy Sóc Trăng")}


def test_dash_chain_after_name_with_vague_body():
    # posts that name no one body are read past but hold no fact; the person is still known
    x = run("Nguyễn Thị Lan - Bí thư Đảng ủy - Hiệu trưởng nhà trường phát biểu.")
    assert holdings(x) == set()
    assert [p.name for p in x.people] == ["Nguyễn Thị Lan"]


def test_posts_with_a_default_body():
    x = run("Thủ tướng Phạm Minh Chính chủ trì phiên họp. Bí thư Trung ương Đảng Vũ Văn Hải dự.")
    assert holdings(x) == {("Phạm Minh Chính", "Thủ tướng", "Chính phủ"),
                           ("Vũ Văn Hải", "Ủy viên", "Ban Bí thư")}


def test_provincial_bodies_take_the_article_province():
    x = run("Làm việc tại tỉnh Bình Định có đồng chí Đặng Văn Tâm, Phó Bí thư Thường trực Tỉnh ủy, "
            "Chủ tịch Hội đồng nhân dân tỉnh.")
    assert holdings(x) == {("Đặng Văn Tâm", "Phó Bí thư Thường trực", "Tỉnh ủy Bình Định"),
                           ("Đặng Văn Tâm", "Chủ tịch", "Hội đồng nhân dân tỉnh Bình Định")}


def test_same_name_again_is_the_same_person():
    x = run("Bí thư Tỉnh ủy Lê Văn Cường phát biểu. Sau đó, Lê Văn Cường trao bằng khen.")
    (person,) = x.people
    assert person.key == "person:lee-vawn-cuwowfng" and len(person.mentions) == 2


def test_generic_posts_and_capitalised_pairs_are_not_people():
    x = run("Trách nhiệm nêu gương của Ủy viên Bộ Chính trị, Ủy viên Ban Bí thư. Tại Hà Nội, "
            "Tổ quốc, Hội đồng nhân dân và Bộ Chính trị được nhắc tới; bà con ở Hà Nội và Lâm Đồng phấn khởi.")
    assert x.people == [] and x.holdings == []


def test_no_inner_name_inside_a_name():
    x = run("ông Võ Văn Phát, Phó Giám đốc, cho biết.")
    assert [p.name for p in x.people] == ["Võ Văn Phát"]


def test_district_name_then_person_and_ministries():
    x = run("Bí thư Huyện ủy Long Hồ Trần Văn Tâm báo cáo. Đại tướng Phan Văn Giang, Ủy viên Bộ Chính trị, "
            "Bộ trưởng Bộ Quốc phòng và Bộ trưởng Bộ Y tế Đào Hồng Lan dự.")
    assert holdings(x) == {("Trần Văn Tâm", "Bí thư", "Huyện ủy Long Hồ"),
                           ("Phan Văn Giang", "Ủy viên", "Bộ Chính trị"),
                           ("Phan Văn Giang", "Bộ trưởng", "Bộ Quốc phòng"),
                           ("Đào Hồng Lan", "Bộ trưởng", "Bộ Y tế")}


def test_rank_or_academic_title_between_post_and_name():
    x = run("Thứ trưởng Bộ Công an, Thượng tướng Lê Quốc Hùng và PGS.TS Nguyễn Xuân Thắng, Ủy viên Bộ Chính trị dự.")
    assert holdings(x) == {("Lê Quốc Hùng", "Thứ trưởng", "Bộ Công an"),
                           ("Nguyễn Xuân Thắng", "Ủy viên", "Bộ Chính trị")}


def test_body_missing_from_the_gazetteer_is_kept_as_written():
    x = run("Giám đốc Sở Tư pháp tỉnh Trà Vinh Thạch Văn Long và Phó Giám đốc Hà Văn Tư dự họp.")
    assert holdings(x) == {("Thạch Văn Long", "Giám đốc", "Sở Tư pháp tỉnh Trà Vinh"),
                           ("Hà Văn Tư", "Phó Giám đốc", "Sở Tư pháp tỉnh Trà Vinh")}  # the deputy of that head


def test_role_gazetteer_gives_labels_for_every_role():
    from kg.extract.canonical import posts, role_entry

    assert role_entry("Phó Bí thư").english == "Deputy Secretary"
    assert role_entry("Trưởng Ban").role_id == "head"
    assert all(role_entry(e.role) is not None for e in posts()[0].values())
    assert role_entry("Không có") is None


def test_elected_to_a_post():
    x = run("Tại tỉnh Bắc Ninh, Ban Chấp hành Đảng bộ tỉnh đã bầu đồng chí Nguyễn Nhân Chiến giữ chức "
            "Bí thư Tỉnh ủy.")
    assert holdings(x) == {("Nguyễn Nhân Chiến", "Bí thư", "Tỉnh ủy Bắc Ninh")}


def test_a_post_named_again_without_its_body_is_not_another_post():
    x = run("Thứ trưởng Bộ Nội vụ Vũ Chiến Thắng dự. Thứ trưởng Vũ Chiến Thắng trình bày báo cáo.")
    assert holdings(x) == {("Vũ Chiến Thắng", "Thứ trưởng", "Bộ Nội vụ")}
