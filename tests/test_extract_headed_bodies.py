"""kg.extract.bodies: institutions named by grammar — a head noun and the capitalised name after it."""

from __future__ import annotations

from extract_helpers import holdings, org_names, run


def test_department_after_a_post_even_when_no_list_has_it():
    x = run("Ông Trần Văn Sáu - Giám đốc Sở Khoa học và Công nghệ; ông Lê Văn Bảy - Giám đốc Sở Tư pháp dự.")
    assert holdings(x) == {("Trần Văn Sáu", "Giám đốc", "Sở Khoa học và Công nghệ"),
                           ("Lê Văn Bảy", "Giám đốc", "Sở Tư pháp")}


def test_lower_case_words_of_a_name_and_its_place():
    x = run("Hội nghị diễn ra tại Sở Giao thông vận tải tỉnh Nghệ An.")
    assert org_names(x) == {"Sở Giao thông vận tải tỉnh Nghệ An"}


def test_prose_after_the_name_is_not_part_of_it():
    x = run("Sáng 5/6, Sở Y tế tổ chức hội nghị triển khai kế hoạch năm.")
    assert org_names(x) == {"Sở Y tế"}


def test_ambiguous_head_needs_a_frame():
    # "Ban", "Hội", "Sở" … name a body only where the text frames one; free heads ("Trường Đại học") always do
    x = run("Ban Quản trị Nhà văn hóa được bầu lại. Trường Đại học Kỹ thuật Miền Tây khai giảng.")
    assert org_names(x) == {"Trường Đại học Kỹ thuật Miền Tây"}


def test_a_body_after_the_name_is_its_parent():
    x = run("Ban Thanh niên Quân khu 9 phối hợp với Đoàn Thanh niên tổ chức hội thi.")
    orgs = {o.name: o for o in x.organizations}
    assert orgs["Ban Thanh niên Quân khu 9"].parent == "org:quaan-khu-9"


def test_party_unit_of_a_company_and_a_village_cell():
    x = run("Đảng ủy Công ty Cổ phần Cấp nước Long An ra quyết định. Ông Hà Văn Sinh - Bí thư Chi bộ thôn Nà Lừa phát biểu.")
    assert {"Đảng ủy Công ty Cổ phần Cấp nước Long An", "Chi bộ thôn Nà Lừa"} <= org_names(x)
    assert ("Hà Văn Sinh", "Bí thư", "Chi bộ thôn Nà Lừa") in holdings(x)


def test_a_name_after_the_head_is_the_holder_not_the_body():
    x = run("Bí thư Chi bộ Đặng Văn Tư cho biết thôn có 80 hộ.")
    assert not any(o.name.startswith("Chi bộ Đặng") for o in x.organizations)


def test_a_surname_before_the_head_makes_it_a_personal_name():
    x = run("Đồng chí Đỗ Trường Giang dự hội nghị tại Hà Nội.")
    assert org_names(x) == set()


def test_short_form_resolves_to_the_place_qualified_name():
    x = run("Ông Lý Văn Hải, Giám đốc Sở Nội vụ tỉnh Cao Bằng, cho biết Sở Nội vụ đã trình đề án.")
    assert org_names(x) == {"Sở Nội vụ tỉnh Cao Bằng"}


def test_dash_joined_name_parts_but_not_an_acronym_after_a_dash():
    x = run("Ông Phan Văn Chín, Trưởng Ban Văn hóa - Xã hội HĐND tỉnh Bến Tre, phát biểu. "
            "Ông Lê Văn Mười, Tổng Giám đốc Tổng Công ty Lương thực Miền Nam - VINAFOOD, dự.")
    names = org_names(x)
    assert "Ban Văn hóa - Xã hội Hội đồng nhân dân tỉnh Bến Tre" in names
    assert "Tổng Công ty Lương thực Miền Nam" in names


def test_caucus_of_a_mass_organisation_and_the_chain_goes_on():
    x = run("Ông Trần Văn Tám, Phó Bí thư Đảng đoàn Hội Nông dân Việt Nam, Phó Chủ tịch Hội Nông dân Việt Nam dự.")
    assert holdings(x) == {("Trần Văn Tám", "Phó Bí thư", "Đảng đoàn Hội Nông dân Việt Nam"),
                           ("Trần Văn Tám", "Phó Chủ tịch", "Hội Nông dân Việt Nam")}
    orgs = {o.name: o for o in x.organizations}
    assert orgs["Đảng đoàn Hội Nông dân Việt Nam"].parent == "org:hooji-noong-daan-vieejt-nam"


def test_provincial_youth_union_short_form():
    x = run("Tỉnh đoàn Kon Tum tổng kết năm học. Tỉnh đoàn đề ra nhiều chỉ tiêu.")
    assert org_names(x) == {"Tỉnh đoàn Kon Tum"}


def test_city_council_written_with_tp():
    x = run("Ông Đoàn Văn Năm, Phó Chủ tịch UBND TP Cần Thơ, dự.")
    assert holdings(x) == {("Đoàn Văn Năm", "Phó Chủ tịch", "Ủy ban nhân dân thành phố Cần Thơ")}


def test_district_committee_with_its_level_written_again():
    x = run("Ông Trần Văn Năm từng là Bí thư Quận ủy quận 3 và Bí thư Huyện ủy huyện Cờ Đỏ.")
    assert {"Quận ủy quận 3", "Huyện ủy huyện Cờ Đỏ"} <= org_names(x)


def test_city_under_a_province_not_the_province_itself():
    x = run("Thành phố Hồ Chí Minh: ông Lê Văn Sáu được điều động làm Bí thư Thành ủy TP Thủ Dầu Một.")
    assert "Thành ủy TP Thủ Dầu Một" in org_names(x)


def test_provincial_inspectorate_and_its_chief():
    x = run("Ông Hồ Văn Tâm, Chánh Thanh tra tỉnh Phú Yên, báo cáo.")
    assert holdings(x) == {("Hồ Văn Tâm", "Chánh Thanh tra", "Thanh tra tỉnh Phú Yên")}


def test_elliptical_party_cell_resolves_to_the_one_named():
    x = run("Chi bộ thôn Nà Hin có 40 đảng viên. Ông Lò Văn Nam, Phó Bí thư Chi bộ, Trưởng thôn cho biết.")
    assert ("Lò Văn Nam", "Phó Bí thư", "Chi bộ thôn Nà Hin") in holdings(x)


def test_distributive_list_of_places():
    x = run("Thủ tướng phê chuẩn kết quả bầu Chủ tịch UBND 3 tỉnh, thành phố là Kon Tum, Cần Thơ và Gia Lai.")
    assert org_names(x) == {"Ủy ban nhân dân tỉnh Kon Tum", "Ủy ban nhân dân thành phố Cần Thơ",
                            "Ủy ban nhân dân tỉnh Gia Lai"}


def test_distributive_list_of_districts_with_a_unit():
    x = run("Dự hội nghị có Thường trực Huyện ủy các huyện: Châu Thành, Tân Phú.")
    orgs = {o.name: o for o in x.organizations}
    assert set(orgs) == {"Thường trực Huyện ủy Châu Thành", "Huyện ủy Châu Thành",
                         "Thường trực Huyện ủy Tân Phú", "Huyện ủy Tân Phú"}
    assert orgs["Thường trực Huyện ủy Tân Phú"].parent == "org:huyeejn-ury-taan-phus"


def test_standing_unit_is_not_taken_from_inside_a_post():
    x = run("Ông Lê Văn Tám, Phó Bí thư Thường trực Tỉnh ủy Bến Tre, dự.")
    assert org_names(x) == {"Tỉnh ủy Bến Tre"}


def test_elliptical_party_cell_of_the_one_village():
    x = run("Ngày hội diễn ra tại thôn Khe Mít. Ông Hà Văn Sáu, Phó Bí thư Chi bộ, cho biết thôn Khe Mít có 90 hộ.")
    assert ("Hà Văn Sáu", "Phó Bí thư", "Chi bộ thôn Khe Mít") in holdings(x)


def test_elliptical_party_cell_with_two_villages_stays_unresolved():
    x = run("Thôn Khe Mít và thôn Nà Lừa. Ông Hà Văn Sáu, Phó Bí thư Chi bộ, cho biết.")
    assert not any(o.name.startswith("Chi bộ") for o in x.organizations)


def test_units_listed_before_one_compound_share_its_parent():
    x = run("Dự có lãnh đạo Ban Tổ chức, Ban Dân vận và Ban Tuyên giáo - Dân vận Tỉnh ủy Hà Giang.")
    orgs = {o.name: o for o in x.organizations}
    for unit in ("Ban Tổ chức", "Ban Dân vận", "Ban Tuyên giáo - Dân vận"):
        assert orgs[f"{unit} Tỉnh ủy Hà Giang"].parent == "org:tirnh-ury-haf-giang"


def test_units_listed_before_a_plain_body_stay_unresolved():
    x = run("Ban Tổ chức, Bộ Nội vụ họp.")
    assert org_names(x) == {"Bộ Nội vụ", "Chính phủ"}


def test_bare_council_in_a_list_ending_with_a_commune():
    x = run("Ban công tác Mặt trận thôn phối hợp cùng UBND, UBMTTQ xã Tân Lập tổ chức ngày hội.")
    assert org_names(x) == {"Ủy ban nhân dân xã Tân Lập", "Ủy ban Mặt trận Tổ quốc xã Tân Lập"}


def test_bare_council_resolves_to_the_one_named():
    x = run("UBND tỉnh Lạng Sơn họp. Quyết định của Chủ tịch UBND về việc bổ nhiệm cán bộ.")
    assert org_names(x) == {"Ủy ban nhân dân tỉnh Lạng Sơn"}


def test_secretary_of_a_place_is_the_secretary_of_its_committee():
    x = run("Bí thư Bắc Kạn Hoàng Văn Duy dự. Chủ tịch Bắc Kạn Lê Văn Minh dự.")
    assert holdings(x) == {("Hoàng Văn Duy", "Bí thư", "Tỉnh ủy Bắc Kạn")}


def test_head_of_our_school_is_the_head_of_the_one_school_named():
    x = run("Đảng bộ Trường Đại học Kỹ thuật Miền Tây tổ chức đại hội. Hiệu trưởng nhà trường Lê Văn Sơn phát biểu.")
    assert ("Lê Văn Sơn", "Hiệu trưởng", "Trường Đại học Kỹ thuật Miền Tây") in holdings(x)


def test_head_of_our_school_without_a_school_named_holds_nothing():
    x = run("Hiệu trưởng nhà trường Lê Văn Sơn phát biểu.")
    assert holdings(x) == set()


def test_party_caucus_and_cadres_committee_of_a_body():
    x = run("Ông Trần Văn Tám, Bí thư Ban cán sự đảng Bộ Tư pháp, Bộ trưởng Bộ Tư pháp dự.")
    assert holdings(x) == {("Trần Văn Tám", "Bí thư", "Ban cán sự đảng Bộ Tư pháp"),
                           ("Trần Văn Tám", "Bộ trưởng", "Bộ Tư pháp")}


def test_faculty_school_and_university_nest_by_comma():
    x = run("Anh giảng dạy tại Khoa Vật lý, Trường Đại học Khoa học Tự nhiên, Đại học Quốc gia Hà Nội.")
    orgs = {o.name: o for o in x.organizations}
    assert orgs["Khoa Vật lý"].parent == "org:truwowfng-ddaji-hojc-khoa-hojc-tuwj-nhieen"
    assert orgs["Trường Đại học Khoa học Tự nhiên"].parent == "org:ddaji-hojc-quoosc-gia-haf-nooji"


def test_schools_listed_by_comma_are_not_parts_of_each_other():
    x = run("Trường Đại học Cần Thơ, Trường Đại học An Giang và Sở Giáo dục tỉnh Hậu Giang ký kết hợp tác.")
    assert all(o.parent is None for o in x.organizations)


def test_centre_of_a_mass_organisation_is_not_the_party_centre():
    x = run("Đại hội thực hiện theo hướng dẫn của Trung ương Hội Nông dân Việt Nam.")
    orgs = {o.name: o for o in x.organizations}
    assert orgs["Trung ương Hội Nông dân Việt Nam"].parent == "org:hooji-noong-daan-vieejt-nam"
    assert "Ban Chấp hành Trung ương" not in orgs
