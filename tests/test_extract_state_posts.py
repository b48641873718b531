"""kg.extract.people: state, judicial and provincial posts, and the bodies they name."""

from __future__ import annotations

from extract_helpers import holdings, org_names, run


def test_chair_of_provincial_people_s_committee_and_council():
    x = run("Tại tỉnh Nghệ An, đồng chí Lê Văn Trung, Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh; "
            "đồng chí Hoàng Văn Hiếu, Phó Chủ tịch Thường trực HĐND tỉnh dự.")
    assert holdings(x) == {("Lê Văn Trung", "Phó Bí thư", "Tỉnh ủy Nghệ An"),
                           ("Lê Văn Trung", "Chủ tịch", "Ủy ban nhân dân tỉnh Nghệ An"),
                           ("Hoàng Văn Hiếu", "Phó Chủ tịch Thường trực", "Hội đồng nhân dân tỉnh Nghệ An")}


def test_city_name_that_starts_with_thành_phố_is_not_doubled():
    x = run("Đồng chí Phan Văn Mạnh, Phó Bí thư Thành ủy TP.HCM, Chủ tịch UBND Thành phố dự.")
    assert holdings(x) == {("Phan Văn Mạnh", "Phó Bí thư", "Thành ủy Thành phố Hồ Chí Minh"),
                           ("Phan Văn Mạnh", "Chủ tịch", "Ủy ban nhân dân Thành phố Hồ Chí Minh")}


def test_heads_of_court_procuracy_and_audit():
    x = run("Dự có Chánh án Tòa án nhân dân tối cao Nguyễn Văn Quang; Viện trưởng Viện Kiểm sát nhân dân "
            "tối cao Nguyễn Huy Tân; Tổng Kiểm toán Nhà nước Ngô Văn Tú.")
    assert holdings(x) == {("Nguyễn Văn Quang", "Chánh án", "Tòa án nhân dân tối cao"),
                           ("Nguyễn Huy Tân", "Viện trưởng", "Viện Kiểm sát nhân dân tối cao"),
                           ("Ngô Văn Tú", "Tổng Kiểm toán", "Kiểm toán Nhà nước")}


def test_front_chair_and_minister_with_rank():
    x = run("Chủ tịch Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam Đỗ Văn Chinh dự. Đại tướng Lương Văn Quang, "
            "Ủy viên Bộ Chính trị, Bộ trưởng Bộ Công an chủ trì.")
    assert holdings(x) == {("Đỗ Văn Chinh", "Chủ tịch", "Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam"),
                           ("Lương Văn Quang", "Ủy viên", "Bộ Chính trị"),
                           ("Lương Văn Quang", "Bộ trưởng", "Bộ Công an")}


def test_chief_of_office_is_in_the_office():
    x = run("Thiếu tướng Trần Văn Sang, Chánh Văn phòng Bộ Công an báo cáo.")
    assert holdings(x) == {("Trần Văn Sang", "Chánh Văn phòng", "Văn phòng Bộ Công an")}
    assert "Văn phòng Bộ Công an" in org_names(x)


def test_head_of_the_national_assembly_delegation():
    x = run("Đồng chí Thái Văn Quý, Bí thư Tỉnh ủy, Trưởng đoàn đại biểu Quốc hội tỉnh Nghệ An chủ trì.")
    assert holdings(x) == {("Thái Văn Quý", "Bí thư", "Tỉnh ủy Nghệ An"),
                           ("Thái Văn Quý", "Trưởng đoàn", "Đoàn đại biểu Quốc hội tỉnh Nghệ An")}


def test_plural_post_before_a_list_of_names():
    x = run("Tham dự có các Phó Thủ tướng: Trần Hồng Hải, Lê Thành Lâm; Bộ trưởng Bộ Tài chính Hồ Đức Phú.")
    assert holdings(x) == {("Trần Hồng Hải", "Phó Thủ tướng", "Chính phủ"),
                           ("Lê Thành Lâm", "Phó Thủ tướng", "Chính phủ"),
                           ("Hồ Đức Phú", "Bộ trưởng", "Bộ Tài chính")}


def test_military_body_missing_before_is_now_known():
    x = run("Thượng tướng Trịnh Văn Quý, Chủ nhiệm Tổng cục Chính trị Quân đội nhân dân Việt Nam dự.")
    assert holdings(x) == {("Trịnh Văn Quý", "Chủ nhiệm", "Tổng cục Chính trị Quân đội nhân dân Việt Nam")}


def test_department_and_branch_heads():
    x = run("Ông Lê Văn Một, Cục trưởng Cục Thuế tỉnh Bến Tre, và bà Ngô Thị Hai, Chi hội trưởng Chi hội Phụ nữ "
            "thôn Tân Lập, dự.")
    assert holdings(x) == {("Lê Văn Một", "Cục trưởng", "Cục Thuế tỉnh Bến Tre"),
                           ("Ngô Thị Hai", "Chi hội trưởng", "Chi hội Phụ nữ thôn Tân Lập")}
