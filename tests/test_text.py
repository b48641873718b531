"""kg.text: reading articles, front matter, normalisation, recovered metadata, debris spans."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from conftest import SEED

from kg.errors import InputError
from kg.text import masked_text, parse_article, read_article


def test_seed_reads_without_front_matter():
    a = read_article(SEED)
    assert a.title is None  # the seed starts with its lead sentence, no headline
    assert a.author == "Hiền Nguyễn"
    assert a.text.startswith("Ngày 6/1, tại Hà Nội")
    assert len(a.content_hash) == 64
    ignored = {s.text for s in a.ignored}
    assert {"leftcenterrightdel", "Hình ảnh tại Hội nghị.", "Hiền Nguyễn"} <= ignored
    for s in a.ignored:
        assert a.text[s.start:s.end] == s.text


def test_front_matter_fields_and_offsets():
    text = "---\ntitle: Tin thử\npublished: 2024-06-06\nurl: https://example.org/a\nextra: 1\n---\nNgày 6/6, …\n"
    a = parse_article(text, "a.txt")
    assert (a.title, a.published, a.url) == ("Tin thử", date(2024, 6, 6), "https://example.org/a")
    assert a.text == "Ngày 6/6, …\n"


def test_front_matter_datetime_is_accepted():
    a = parse_article("---\npublished: 2024-06-06 10:30:00\n---\nNội dung bài.\n")
    assert a.published == date(2024, 6, 6)


@pytest.mark.parametrize("front, problem", [
    ("title: [unclosed\n", "broken front matter"),
    ("- a\n- b\n", "mapping"),
    ("published: hôm qua\n", "ISO date"),
])
def test_bad_front_matter_names_file_and_problem(front, problem):
    with pytest.raises(InputError) as err:
        parse_article(f"---\n{front}---\nNội dung.\n", "bad.txt")
    assert "bad.txt" in str(err.value) and problem in str(err.value)


def test_broken_yaml_gives_line():
    with pytest.raises(InputError, match=r"bad.txt: line \d+"):
        parse_article("---\ntitle: a\nurl: [x\n---\nNội dung.\n", "bad.txt")


def test_unclosed_front_matter():
    with pytest.raises(InputError, match="never closed"):
        parse_article("---\ntitle: a\nNội dung.\n", "x.txt")


def test_nfc_bom_and_crlf():
    decomposed = unicodedata.normalize("NFD", "Đảng ủy Khối")
    a = parse_article("\ufeff" + decomposed + "\r\nDòng hai.\r\n")
    assert a.text == "Đảng ủy Khối\nDòng hai.\n"
    assert unicodedata.is_normalized("NFC", a.text)


def test_bad_files(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_article(tmp_path / "missing.txt")
    with pytest.raises(InputError, match="directory"):
        read_article(tmp_path)
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n\n", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        read_article(empty)
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Hội nghị".encode() + b" \xe9t\xe9")
    with pytest.raises(InputError) as err:
        read_article(latin)
    assert "latin.txt" in str(err.value) and "offset 13" in str(err.value)


def test_headline_dateline_and_source_tag():
    text = ("Thứ Hai, 3/6/2024 09:15'(GMT+7)\n\nQuảng Nam: Hội nghị giao ban công tác tuyên giáo\n\n"
            "(TTXVN) - Sáng 3/6, tại Quảng Nam, Tỉnh ủy tổ chức hội nghị giao ban.\n\nMinh Anh\n")
    a = parse_article(text)
    assert a.title == "Quảng Nam: Hội nghị giao ban công tác tuyên giáo"
    assert a.published == date(2024, 6, 3)
    assert a.author == "Minh Anh"
    ignored = {s.text for s in a.ignored}
    assert "(TTXVN) -" in ignored and "Thứ Hai, 3/6/2024 09:15'(GMT+7)" in ignored


def test_other_dateline_form():
    a = parse_article("Giao ban báo chí tháng 5\n\n12/05/2023 - 10:20\n\nNội dung giao ban được nêu rõ.\n")
    assert a.published == date(2023, 5, 12)
    assert a.title == "Giao ban báo chí tháng 5"


def test_captions_are_text_but_their_credits_are_debris():
    # GUIDELINES convention 10: a caption states roles and meetings like body text; only the photo
    # credit (a photographer or agency, not a participant) is debris.
    text = ("Ngày 2/3, Ban Tuyên giáo Tỉnh ủy tổ chức hội nghị.\n\nleft center right del\n"
            "Quang cảnh hội nghị\n\nĐồng chí Trần Văn Nam phát biểu tại hội nghị. Ảnh: Hữu Lộc\n\n"
            "Phó Bí thư Huyện ủy Lê Thị Hoa - Ảnh: TTXVN\n"
            "Đồng chí Vũ Minh trao quà (Ảnh: Thu Trang) cho các gia đình chính sách.\n\n"
            "Ảnh: Quốc Khánh\n\nHình ảnh tại hội nghị.\n\n"
            "Đồng chí Trần Văn Nam đề nghị các cấp ủy tiếp tục đổi mới, nâng cao chất lượng công tác. "
            "Việc học tập nghị quyết được tổ chức nghiêm túc.\n")
    a = parse_article(text)
    ignored = {s.text for s in a.ignored}
    assert ignored == {"left center right del", "Ảnh: Hữu Lộc", "- Ảnh: TTXVN", "(Ảnh: Thu Trang)",
                       "Ảnh: Quốc Khánh", "Hình ảnh tại hội nghị."}
    masked = masked_text(a)
    assert "Quang cảnh hội nghị" in masked and "Đồng chí Trần Văn Nam phát biểu tại hội nghị." in masked
    assert "Phó Bí thư Huyện ủy Lê Thị Hoa" in masked and "cho các gia đình chính sách." in masked
    assert not any(name in masked for name in ("Hữu Lộc", "TTXVN", "Thu Trang", "Quốc Khánh"))
    for s in a.ignored:
        assert a.text[s.start:s.end] == s.text


def test_a_long_paragraph_naming_a_photo_is_not_a_credit():
    # "ảnh:" inside a long paragraph of content is not a caption's credit: nothing is masked.
    words = " ".join(["các cấp ủy tiếp tục đổi mới phương thức lãnh đạo"] * 5)
    text = f"Ngày 2/3, Tỉnh ủy tổ chức triển lãm (ảnh: tư liệu) và {words}.\n"
    assert parse_article(text).ignored == []
    assert parse_article("Nhiều hình ảnh: cờ hoa, khẩu hiệu được trang trí.\n").ignored == []


def test_masked_text_keeps_length():
    a = read_article(SEED)
    masked = masked_text(a)
    assert len(masked) == len(a.text)
    assert "leftcenterrightdel" not in masked and "Hiền Nguyễn" not in masked
    assert masked.count("\n") == a.text.count("\n")


def test_no_invented_headline_or_byline():
    a = parse_article("Ban Thường vụ Tỉnh ủy đã họp và thống nhất nội dung các đề án.\n")
    assert a.title is None and a.author is None and a.published is None


def test_front_matter_with_only_published_still_recovers_headline_and_byline():
    text = ("---\npublished: 2024-03-05\n---\nHội nghị Ban Chấp hành Đảng bộ huyện Tân Lạc mở rộng\n"
            "Sáng 4/3, Huyện ủy Tân Lạc tổ chức hội nghị.\nMinh Thu\n")
    a = parse_article(text)
    assert a.published == date(2024, 3, 5)
    assert a.title == "Hội nghị Ban Chấp hành Đảng bộ huyện Tân Lạc mở rộng"
    assert a.author == "Minh Thu"
    assert any(s.text == "Minh Thu" for s in a.ignored)


def test_front_matter_keys_given_are_not_overridden_by_the_text():
    text = ("---\ntitle: Tiêu đề riêng\nauthor: Ban Biên tập\n---\n08:15 02/03/2024\n"
            "Dòng đầu tiên của bài viết thử\nNội dung bài.\nMinh Thu\n")
    a = parse_article(text)
    assert (a.title, a.author, a.published) == ("Tiêu đề riêng", "Ban Biên tập", date(2024, 3, 2))
    assert not any(s.text == "Minh Thu" for s in a.ignored)  # the author was given: the line is text


def test_dateline_with_a_long_run_of_blanks_is_read_quickly():
    a = parse_article("08:59" + " " * 3000 + "02/03/2024\nTiêu đề của bài báo thử\nNội dung bài.\n")
    assert a.published == date(2024, 3, 2)
