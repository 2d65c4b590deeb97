"""Reading real official files: legacy encodings, syllables, page furniture, document identity, answers that
carry the asked-for fact (fast unit tests; the real files are in tests/test_real_documents.py)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from assistant.domain import DocType
from assistant.ingest import identity
from assistant.ingest.text_repair import fix_ocr_text, repair_split_syllables, split_rate, strip_page_furniture
from assistant.lang import legacy_encoding
from assistant.lang.vi_syllables import is_syllable
from assistant.tasks.facts import Fact, asked_fact, holds

TCVN3_SAMPLE = "§¶ng céng s¶n viÖt nam. Chi bé häp th−êng kú h»ng th¸ng, ®¶ng viªn ph¶i tham dù ®Çy ®ñ."
VNI_SAMPLE = "Coäng hoaø xaõ hoäi chuû nghóa Vieät Nam. Ñaûng vieân phaûi tham döï ñaày ñuû sinh hoaït chi boä."
UNICODE = "Cộng hòa xã hội chủ nghĩa Việt Nam. Đảng viên phải tham dự đầy đủ sinh hoạt chi bộ hằng tháng."


# --- legacy encodings ---------------------------------------------------------------------------------------
@pytest.mark.skipif(shutil.which("iconv") is None, reason="glibc iconv is the reference for TCVN 5712")
def test_tcvn3_table_agrees_with_glibc_tcvn5712():
    for code in list(range(0xA1, 0x100)):
        expected = subprocess.run(
            ["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=bytes([code]), capture_output=True, check=True
        ).stdout.decode()
        assert legacy_encoding.decode_tcvn3(bytes([code]).decode("latin-1")) == expected, hex(code)


def test_tcvn3_and_pdf_substitutes_and_vni_become_unicode():
    assert legacy_encoding.decode_tcvn3("§¶ng céng s¶n viÖt nam") == "Đảng cộng sản việt nam"
    assert legacy_encoding.decode_tcvn3("ng©n hµng nhµ n\u2212íc, x\u2219 héi") == "ngân hàng nhà nước, xã hội"
    assert legacy_encoding.decode_vni("Coäng hoøa xaõ hoäi, Ñoäc laäp - Töï do") == "Cộng hòa xã hội, Độc lập - Tự do"
    assert legacy_encoding.decode_vni("Nghò ñònh, nghóa, Toå quoác") == "Nghị định, nghĩa, Tổ quốc"


def test_encoding_is_detected_and_only_converted_when_that_clearly_helps():
    assert legacy_encoding.detect(TCVN3_SAMPLE) == "tcvn3"
    assert legacy_encoding.detect(VNI_SAMPLE) == "vni"
    assert legacy_encoding.detect(UNICODE) is None
    assert legacy_encoding.detect("The Café Müller sells crème brûlée and piña colada every day.") is None
    fixed = legacy_encoding.repair(TCVN3_SAMPLE)
    assert fixed.encoding == "tcvn3" and fixed.text.startswith("Đảng cộng sản việt nam") and fixed.share_after > 0.9
    assert legacy_encoding.looks_undecoded(TCVN3_SAMPLE * 3) and not legacy_encoding.looks_undecoded(UNICODE * 3)


def test_tcvn3_capitals_typed_with_ascii_letters_are_restored():
    decoded = legacy_encoding.decode_tcvn3("NGHÞ §ÞNH CñA CHÝNH PHñ")
    assert legacy_encoding.restore_capitals(decoded) == "NGHỊ ĐỊNH CỦA CHÍNH PHỦ"
    assert legacy_encoding.restore_capitals("Hà Nội và TP. Huế") == "Hà Nội và TP. Huế"


def test_legacy_font_names():
    assert (
        legacy_encoding.is_legacy_font(".VnTime") == "tcvn3" and legacy_encoding.is_legacy_font(".VnArialH") == "tcvn3"
    )
    assert (
        legacy_encoding.is_legacy_font("VNI-Times") == "vni"
        and legacy_encoding.is_legacy_font("Times New Roman") is None
    )


# --- syllables, furniture, OCR slips -------------------------------------------------------------------------
def test_vietnamese_syllables():
    for good in ["người", "của", "nghiêng", "khuya", "quyền", "giấy", "gì", "hoạch", "thuế", "khỏe", "khoẻ"]:
        assert is_syllable(good), good
    for bad in ["ng", "nh", "c", "viÖt", "ng©n", "thiêt", "cáp"[:0] + "quá́"]:
        assert not is_syllable(bad), bad


def test_split_syllables_are_joined_and_real_words_left_alone():
    text = (
        "Nghị định c ủa Chính phủ về ng ười nh ập cảnh; Lu ật này. Luật số 5. Luật mới. Điểm c của khoản 2, "
        "đi ăn, điểm b an toàn."
    )
    fixed, joins = repair_split_syllables(text)
    assert "của Chính phủ" in fixed and "người nhập cảnh" in fixed and "Luật này" in fixed
    assert "Điểm c của khoản 2, đi ăn, điểm b an toàn." in fixed and joins == 4
    assert split_rate("c ủa ng ười và điểm b, 20 kg") > 0 and split_rate(fixed) == 0


def test_running_headers_and_page_numbers_are_removed_and_printed_pages_kept():
    subjects = ["chi bộ", "đảng viên", "tài liệu", "cuộc họp", "biểu quyết", "nghị quyết", "báo cáo"]

    def body(n: int) -> str:  # lines that differ from page to page, as a text's do
        return "\n".join(f"Nội dung về {subjects[(n + i) % 7]} và {subjects[(n * i) % 7]}, dòng {i}." for i in range(8))

    pages = [
        f"CÔNG BÁO/Số 1583 + 1584/Ngày 17-11-2025   {n + 1}\nĐiều {n}. {subjects[n]}.\n{body(n)}" for n in range(1, 7)
    ]
    result = strip_page_furniture(pages)
    assert result.removed == 6 and all("CÔNG BÁO" not in p for p in result.pages)
    assert result.labels == ["2", "3", "4", "5", "6", "7"]  # the print starts at page 2
    party = ["BAN CHẤP HÀNH TRUNG ƯƠNG\nNội dung một."] + [f"{n}\nVề {subjects[n]}.\n{body(n)}" for n in range(2, 6)]
    cleaned = strip_page_furniture(party)
    assert cleaned.labels is None and cleaned.pages[2].startswith("Về cuộc họp.")
    assert "BAN CHẤP HÀNH" in cleaned.pages[0]


def test_roman_section_numbers_misread_by_ocr_are_put_back_in_sequence():
    from assistant.ingest.text_repair import renumber_roman_headings

    pages = [
        "I. KẾT QUẢ\n1. Chi bộ họp đủ.\nII. HẠN CHẾ",
        "II. PHƯƠNG HƯỚNG\n1. Đảng viên\nIl- NHIỆM VỤ KHÁC\nVI. X",
        "II. Y",
        "Chương Ï\nĐiều 1. A\nChương II\nChương ITII\nĐiều 9. B",
    ]
    fixed, count = renumber_roman_headings(pages, {2, 4})
    assert fixed[:2] == [
        "I. KẾT QUẢ\n1. Chi bộ họp đủ.\nII. HẠN CHẾ",
        "III. PHƯƠNG HƯỚNG\n1. Đảng viên\nIV- NHIỆM VỤ KHÁC\nVI. X",
    ]  # a clause "1." stays
    assert fixed[2] == "II. Y"  # a page with a text layer is never changed
    assert fixed[3] == "Chương I\nĐiều 1. A\nChương II\nChương III\nĐiều 9. B" and count == 4
    garbled = ["I, OBJECTIVES\ntext\nII]. ACTIVITIES\nIIL QUAN ĐIỂM\nIII Is a word. Not a heading\nIV. REPORTING"]
    assert renumber_roman_headings(garbled, {1})[0] == [
        "I. OBJECTIVES\ntext\nII. ACTIVITIES\nIII. QUAN ĐIỂM\nIII Is a word. Not a heading\nIV. REPORTING"
    ]
    digit = ["1. VỀ NỘI DUNG\n1. Chi bộ họp.\nII. VỀ BIÊN BẢN\n4, Biên bản gửi lên", "1. MỤC ĐÍCH\n2. NỘI DUNG"]
    assert renumber_roman_headings(digit, {1, 2})[0] == [
        "I. VỀ NỘI DUNG\n1. Chi bộ họp.\nII. VỀ BIÊN BẢN\n4, Biên bản gửi lên",
        "1. MỤC ĐÍCH\n2. NỘI DUNG",
    ]
    assert renumber_roman_headings(["1. MỤC ĐÍCH\n2. NỘI DUNG"], {1})[0] == ["1. MỤC ĐÍCH\n2. NỘI DUNG"]
    assert fix_ocr_text("4, Audio bulletins\n5. B") == "4. Audio bulletins\n5. B"
    first_misread = ["Chương II\nĐiều 1. A\nChương II\nĐiều 5. B\nChương III\nĐiều 9. C"]
    assert renumber_roman_headings(first_misread, {1})[0] == [
        first_misread[0].replace("Chương II\nĐiều 1", "Chương I\nĐiều 1")
    ]


def test_a_number_line_read_without_digits_is_read_again_with_the_english_model(monkeypatch):
    from assistant.ingest import ocr

    vietnamese = "SỞ THÔNG TIN\nSố: J†§ /STTTT-CNTT Phú Thọ, ngày 16 tháng 12 năm 2011\nKính gửi: các đơn vị"
    mixed = "SO THONG TIN\nS6: J75 /STTTT-CNTT Phú Thọ, ngày 16 tháng 12 năm 2011\nKinh gui: cac don vi"
    monkeypatch.setattr(
        ocr, "_read", lambda _, image, languages: (vietnamese if languages == "vie" else mixed, 90.0, 20)
    )
    text, confidence, _ = ocr._read_in(None, None, None)
    assert text == "SỞ THÔNG TIN\nSố: J75 /STTTT-CNTT Phú Thọ, ngày 16 tháng 12 năm 2011\nKính gửi: các đơn vị"
    assert confidence == 90.0
    vietnamese = "Số: 275/STTTTCNTT"  # the code's hyphen lost: the mixed reading has it
    assert ocr._read_in(None, None, None)[0] == "Số: J75 /STTTT-CNTT Phú Thọ, ngày 16 tháng 12 năm 2011"


def test_word_pairs_ocr_misspelt_take_the_documents_usual_spelling():
    from assistant.ingest.text_repair import harmonize_ocr_spellings

    body = "Chi bộ họp. Bí thư chi bộ nói. Mỗi chi bộ báo cáo. Chi bộ chỉ đạo. " * 3
    pages, count = harmonize_ocr_spellings([body, "Các chỉ bộ và CHỈ BỘ đều họp.", "Các chỉ bộ họp."], {2})
    assert pages[1] == "Các chi bộ và CHI BỘ đều họp." and count == 2
    assert pages[2] == "Các chỉ bộ họp."  # not read by OCR: left alone
    assert harmonize_ocr_spellings(["chi bộ chỉ bộ"], {1}) == (["chi bộ chỉ bộ"], 0)  # no clear usual spelling


def test_ocr_slips_are_fixed_from_the_documents_own_words():
    body = "Sở Thông tin và Truyền thông đề nghị các đơn vị. Sở Thông tin và Truyền thông gửi. sở thông tin."
    assert fix_ocr_text("SO THONG TIN VA TRUYEN THONG\nÐảng ủy", body) == "SỞ THÔNG TIN VÀ TRUYỀN THÔNG\nĐảng ủy"
    assert fix_ocr_text("trách nhiệm của đảng viên phải thực hi-\nện", "") == "trách nhiệm của đảng viên phải thực hiện"


# --- identity ----------------------------------------------------------------------------------------------
STATE = """VĂN BẢN QUY PHẠM PHÁP LUẬT
CHÍNH PHỦ
Số: 282/2025/NĐ-CP
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Hà Nội, ngày 30 tháng 10 năm 2025
NGHỊ ĐỊNH
Quy định xử phạt vi phạm hành chính trong lĩnh vực an ninh, trật tự
Căn cứ Luật Tổ chức Chính phủ số 63/2025/QH15 ngày 18 tháng 2 năm 2025;
Chương I
QUY ĐỊNH CHUNG
Điều 1. Phạm vi điều chỉnh
"""


@pytest.mark.parametrize(
    "number, doc_type, issuer",
    [
        ("282/2025/NĐ-CP", DocType.decree, "Chính phủ"),
        ("23/2008/QH12", DocType.law, "Quốc hội"),
        ("15/2010/QĐ-UBND", DocType.decision, "Ủy ban nhân dân"),
        ("30/VBHN-VPQH", DocType.consolidated, "Văn phòng Quốc hội"),
        ("01/2006/TT-NHNN", DocType.circular, "Ngân hàng Nhà nước Việt Nam"),
        ("275/STTTT-CNTT", None, "STTTT"),
        ("339-QĐ/TW", DocType.regulation, "Ban Chấp hành Trung ương"),
        ("06-HD/TW", DocType.instruction, "Ban Chấp hành Trung ương"),
    ],
)
def test_number_forms_of_both_systems(number, doc_type, issuer):
    assert identity.find_doc_number(f"Số: {number}\nHà Nội, ngày 1 tháng 1 năm 2020") == number
    assert identity.doc_type_from_number(number) == doc_type and identity.issuer_from_number(number) == issuer


def test_state_document_header():
    assert identity.find_doc_number(STATE) == "282/2025/NĐ-CP"  # not the law cited in the legal basis
    assert identity.find_issuer(STATE, "282/2025/NĐ-CP") == "CHÍNH PHỦ"  # not the gazette's section line
    assert identity.find_issued_date(STATE) == "2025-10-30"
    title = identity.find_title(STATE)
    assert title.doc_type == DocType.decree and title.text.startswith("Nghị định Quy định xử phạt")


def test_two_columns_on_one_line_and_an_issuer_on_two_lines():
    header = (
        "ỦY BAN NHÂN DÂN          CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "TỈNH BÌNH PHƯỚC                    Độc lập - Tự do - Hạnh phúc\n"
        "Số: 991/QĐ-UBND         Đồng Xoài, ngày 14 tháng5 năm 2008\nQUYẾT ĐỊNH\nVề việc phê duyệt kế hoạch\n"
    )
    assert identity.find_issuer(header, "991/QĐ-UBND") == "ỦY BAN NHÂN DÂN TỈNH BÌNH PHƯỚC"
    assert identity.find_issued_date(header) == "2008-05-14"
    ocr = (
        "UBND TỈNH PHÚ THỌ CỘNG HOA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSỞ THÔNG TIN VÀ TRUYỀN THÔNG Độc lập - Tự do\n"
        "Số: 275 /STTTT-CNTT Phú Thọ, ngày 16 tháng 12 năm 2011\nV/v đăng ký danh sách thi\n"
    )
    assert identity.find_issuer(ocr, "275/STTTT-CNTT") == "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"
    assert identity.find_title(ocr).doc_type == DocType.letter


def test_lower_case_letterhead_of_a_tcvn3_capitals_font():
    header = "ngân hàng nhà nước\nviệt nam\nSố : 01/2006/TT-NHNN\ncộng hoà xã hội chủ nghĩa việt nam\nThông tư\n"
    assert identity.find_issuer(header, "01/2006/TT-NHNN") == "NGÂN HÀNG NHÀ NƯỚC VIỆT NAM"
    assert identity.find_title(header).doc_type == DocType.circular


def test_consolidated_text_has_its_number_and_date_at_the_end():
    text = (
        "VĂN BẢN HỢP NHẤT\nLUẬT\nVề cư trú\nĐiều 1. Phạm vi\nNội dung luật.\n"
        "VĂN PHÒNG QUỐC HỘI\nSố: 30/VBHN-VPQH\nHà Nội, ngày 15 tháng 7 năm 2020\nXÁC THỰC VĂN BẢN HỢP NHẤT\n"
    )
    assert identity.find_doc_number(text) == "30/VBHN-VPQH"
    assert identity.find_issued_date(text) == "2020-07-15"


def test_chapter_names_and_running_headers_are_never_titles():
    assert identity.find_title("CÔNG BÁO/Số 1583/Ngày 17-11-2025\nChương I\nQUY ĐỊNH CHUNG\nĐiều 1. X\n") is None
    assert identity.find_title("QUY ĐỊNH\nvề quản lý ứng dụng\n").text == "Quy định về quản lý ứng dụng"


def test_an_ocr_garbled_number_is_completed_from_the_file_name_when_they_agree():
    header = "SỞ THÔNG TIN\nSố: J75 /STTTT-CNTT Phú Thọ, ngày | tháng 12 năm 2011\n"
    assert identity.find_doc_number(header, "275.pdf") == "275/STTTT-CNTT"
    assert identity.find_doc_number(header, "913.pdf") is None


# --- facts asked for -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question, fact",
    [
        ("Nghị định này có hiệu lực từ khi nào?", Fact.date),
        ("Phạt tiền bao nhiêu?", Fact.amount),
        ("Người bao nhiêu tuổi thì được kết nạp?", Fact.age),
        ("Trong bao lâu phải báo chi ủy?", Fact.duration),
        ("Mật khẩu tối thiểu bao nhiêu ký tự?", Fact.number),
        ("Khi nào thì được xem xét kết nạp?", Fact.condition),
        ("Thông tư này hướng dẫn về việc gì?", Fact.subject),
        ("Chi bộ họp khi nào?", Fact.when),
        ("Vì sao phải cài ứng dụng?", None),
    ],
)
def test_the_kind_of_fact_a_question_asks_for(question, fact):
    assert asked_fact(question) == fact


def test_sentences_that_hold_the_fact():
    assert holds(Fact.amount, "Phạt tiền từ 2.000.000 đồng đến 3.000.000 đồng") and not holds(
        Fact.amount, "Phạt cảnh cáo"
    )
    assert holds(Fact.date, "trước ngày 22/ 12/ 2011") and holds(Fact.date, "có hiệu lực kể từ ngày ký")
    assert not holds(Fact.date, "kế hoạch năm 2011 của sở")  # a year is not the day asked for
    assert holds(Fact.number, "ít nhất 8 ký tự") and not holds(Fact.number, "gồm chữ và số")
