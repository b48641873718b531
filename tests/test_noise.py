"""kg.extract.noise: the view that undoes scraping glue, and spans taken back to the text as kept."""

from __future__ import annotations

import pytest
from extract_helpers import holdings, names, run

from kg.extract.noise import view


@pytest.mark.parametrize("raw, seen", [
    ("Phó Bí thưTỉnh ủy Gia Lai", "Phó Bí thư Tỉnh ủy Gia Lai"),
    ("Chủ tịch UBND tỉnhKon Tum", "Chủ tịch UBND tỉnh Kon Tum"),
    ("Quyết định số1203/QĐ-TTg", "Quyết định số 1203/QĐ-TTg"),
    ("nhiệm kỳ2016-2021", "nhiệm kỳ 2016-2021"),
    ("nhiệm kỳ 2016-2021.Sáng nay", "nhiệm kỳ 2016-2021. Sáng nay"),
    ("tỉnh Gia Lai,nhiệm kỳ mới", "tỉnh Gia Lai, nhiệm kỳ mới"),
    ("ông Trần Văn Hải- Phó Chủ tịch", "ông Trần Văn Hải - Phó Chủ tịch"),
    ("ông Trần Văn Hải -Phó Chủ tịch", "ông Trần Văn Hải - Phó Chủ tịch"),
    ("PGS.TS.Lê Thị Hoa", "PGS.TS. Lê Thị Hoa"),
    ("tại TP.Hồ Chí Minh", "tại TP. Hồ Chí Minh"),
    ("Phó Bí thư Tỉnhủy Nghệ An", "Phó Bí thư Tỉnh ủy Nghệ An"),
    ("Bí thư Đảnguỷ xã", "Bí thư Đảng uỷ xã"),
])
def test_glue_is_undone(raw, seen):
    assert view(raw).text == seen


@pytest.mark.parametrize("clean", [
    "T.Ư Đoàn", "iPhone và eKYC", "tăng 9,5%", "rộng 20 km2", "dịch COVID-19", "trang dangcongsan.vn",
    "VietNam", "virus H5N1", "Phan Xuân Thủy", "thủy lợi", "Tỉnh ủy", "Nghị quyết 57- QĐ/TW", "Hà Nội, ngày 5/3", "Tp.HCM", "Tp. Huế", "v.v. Các",
])
def test_clean_or_deliberate_text_is_left_alone(clean):
    v = view(clean)
    assert v.text == clean and v.inserted == ()


def test_offsets_go_back_to_the_text_as_kept():
    raw = "Ông A- Phó Bí thưTỉnh ủy"
    v = view(raw)
    for i, ch in enumerate(v.text):
        if i not in v.inserted:
            assert raw[v.to_original(i)] == ch


def test_extraction_reads_through_the_glue_and_quotes_the_original():
    text = ("Sáng 3/4, ông Nguyễn Văn Tâm, Phó Bí thưTỉnh ủy Gia Lai dự hội nghị. "
            "Thủ tướng Chính phủ đã ký Quyết định số1203/QĐ-TTg phê chuẩn kết quả bầu.")
    x = run(text)  # run() checks that every span quotes the article text exactly
    assert ("Nguyễn Văn Tâm", "Phó Bí thư", "Tỉnh ủy Gia Lai") in holdings(x)
    (doc,) = x.documents
    assert doc.number == "1203/QĐ-TTg" and names(x)[doc.issuer] == "Chính phủ"
    assert doc.mentions[0].text == "Quyết định số1203/QĐ-TTg"


def test_abbreviations_the_genre_writes():
    x = run("Ông Lê Văn Hà, Trưởng Đoàn ĐBQH tỉnh Gia Lai, dự họp. UBTƯ MTTQ Việt Nam gửi thư chúc mừng.")
    got = {o.name for o in x.organizations if o.mentions}
    assert {"Đoàn đại biểu Quốc hội tỉnh Gia Lai", "Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam"} <= got


def test_abbreviations_match_whole_words_in_their_case():
    x = run("Các ubtw và nxb chưa có ý kiến.")
    assert [o.name for o in x.organizations if o.mentions] == []
