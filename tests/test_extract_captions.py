"""Photo captions are text (GUIDELINES convention 10); only their credits are debris (kg.text).

Sentences are invented in the genre's style."""

from __future__ import annotations

from extract_helpers import holdings, run

P = {"published": "2024-06-10"}


def test_a_post_stated_only_in_a_caption_is_found():
    x = run("Tỉnh ủy Bình Phước sơ kết công tác\n\nleftcenterrightdel\n"
            "Bí thư Huyện ủy Lộc Ninh Trần Văn Nam phát biểu tại hội nghị. Ảnh: Minh Châu\n\n"
            "Sáng 9/6, Tỉnh ủy Bình Phước tổ chức Hội nghị sơ kết công tác xây dựng Đảng.", **P)
    assert ("Trần Văn Nam", "Bí thư", "Huyện ủy Lộc Ninh") in holdings(x)


def test_a_caption_repeating_a_person_adds_no_second_one_and_the_credit_is_no_one():
    x = run("Sáng 9/6, Tỉnh ủy Bình Phước tổ chức Hội nghị sơ kết công tác xây dựng Đảng. Đồng chí Trần Văn Nam, "
            "Bí thư Tỉnh ủy chủ trì hội nghị.\n\n"
            "Đồng chí Trần Văn Nam phát biểu tại hội nghị. (Ảnh: Lê Minh Châu)\n\n"
            "Bí thư Tỉnh ủy Trần Văn Nam - Ảnh: Hoàng Hải\n", **P)
    assert [p.name for p in x.people] == ["Trần Văn Nam"]
    assert len(x.meetings) == 1
    assert {(p.role) for p in x.participations} == {"chair", "speech"}
