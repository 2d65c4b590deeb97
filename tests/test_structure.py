"""Header metadata and heading recognition."""

from assistant.domain import DocType
from assistant.ingest import structure

HEADER = """BAN CHẤP HÀNH TRUNG ƯƠNG
*
Số 339-QĐ/TW
ĐẢNG CỘNG SẢN VIỆT NAM
Hà Nội, ngày 10 tháng 7 năm 2025

QUY ĐỊNH
về quản lý, sử dụng ứng dụng Sổ tay đảng viên điện tử

Căn cứ Điều lệ Đảng, có tham chiếu Nghị quyết 57-NQ/TW.
"""


def test_doc_number_forms():
    assert structure.find_doc_number(HEADER) == "339-QĐ/TW"
    assert structure.find_doc_number("Số: 02 - KH/ĐUQH ngày ...") == "02-KH/ĐUQH"
    assert structure.find_doc_number("theo Chỉ thị 50-CT/TW và 26-HD/BTGDVTW") == "50-CT/TW"
    assert structure.find_doc_number("No. 102-QĐ/TU") == "102-QĐ/TU"
    assert structure.find_doc_number("không có số hiệu") is None


def test_number_label_wins_over_earlier_reference():
    text = "Thực hiện 57-NQ/TW\nSố 12-KH/ĐU\n"
    assert structure.find_doc_number(text) == "12-KH/ĐU"


def test_type_issuer_date_title():
    number = structure.find_doc_number(HEADER)
    assert structure.doc_type_from_number(number) == DocType.regulation
    assert structure.doc_type_from_number("57-NQ/TW") == DocType.resolution
    assert structure.doc_type_from_number("50-CT/TW") == DocType.directive
    assert structure.find_issuer(HEADER, number) == "BAN CHẤP HÀNH TRUNG ƯƠNG"
    assert structure.find_issued_date(HEADER) == "2025-07-10"
    title, doc_type = structure.find_title(HEADER)
    assert title == "Quy định về quản lý, sử dụng ứng dụng Sổ tay đảng viên điện tử"
    assert doc_type == DocType.regulation


def test_decision_is_not_read_as_regulation():
    title, doc_type = structure.find_title("QUYẾT ĐỊNH\nvề việc thành lập tổ công tác\n")
    assert doc_type == DocType.decision and title.startswith("Quyết định")


def test_english_dates_and_issuer_from_code():
    assert structure.find_issued_date("Thai Nguyen, 2 June 2025") == "2025-06-02"
    assert structure.find_issued_date("Hanoi, July 10, 2025") == "2025-07-10"
    assert structure.find_issued_date("ngày 31 tháng 2 năm 2025") is None  # impossible date is ignored
    assert structure.find_issuer("Số 57-NQ/TW", "57-NQ/TW") == "Ban Chấp hành Trung ương"


def test_headings_vietnamese_and_english():
    h = structure.line_heading("Điều 5. Tài khoản người dùng")
    assert (h.level, h.label, h.title) == (structure.LEVEL_ARTICLE, "Điều 5", "Tài khoản người dùng")
    assert structure.line_heading("Chương II").label == "Chương II"
    assert structure.line_heading("Mục 1. Quy định chung").label == "Mục 1"
    assert structure.line_heading("2. Mật khẩu phải có ít nhất 8 ký tự").label == "Khoản 2"
    assert structure.line_heading("b) Chi ủy chi bộ.").label == "Điểm b"
    assert structure.line_heading("III. NHIỆM VỤ VÀ GIẢI PHÁP").label == "Phần III"
    assert structure.line_heading("Article 3. Circulating documents", "en").label == "Article 3"
    assert structure.line_heading("2. Members attending online", "en").label == "Clause 2"
    assert structure.line_heading("(a) a point", "en").label == "Point a"
    assert structure.line_heading("Năm 2025 là năm bản lề.") is None
    assert structure.line_heading("2025. Không phải khoản") is None


def test_language_detection():
    assert structure.detect_language(HEADER) == "vi"
    assert structure.detect_language("This regulation governs paperless meetings.") == "en"
    assert structure.detect_language("প্রবীণ সদস্যদের জন্য স্মার্টফোন ব্যবহারের প্রশিক্ষণ") == "bn"
