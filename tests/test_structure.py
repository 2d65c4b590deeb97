"""Heading recognition, in context (numbering, nesting, party decimal numbering, footnotes)."""

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


def headings(text: str, language: str = "vi") -> list[str]:
    return [h.label for _, h in structure.iter_headings(text, language)]


def test_party_decimal_numbering():
    text = (
        "Ban Bí thư hướng dẫn như sau:\n1. Tuổi đời và trình độ học vấn\n1.1. Về tuổi đời\nChỉ xem xét...\n"
        "1.2. Về trình độ học vấn\na) Người vào Đảng...\nb) Trình độ học vấn...\n2. Đảng viên phải hoàn thành\n"
        "2.1- Nhiệm vụ được giao\n2.1.1. Nhiệm vụ do Điều lệ quy định\n2.2. Hoàn thành tốt nhiệm vụ\n"
    )
    assert headings(text) == [
        "Mục 1",
        "Mục 1.1",
        "Mục 1.2",
        "Điểm a",
        "Điểm b",
        "Mục 2",
        "Mục 2.1",
        "Mục 2.1.1",
        "Mục 2.2",
    ]


def test_a_footnote_marker_glued_to_an_item_number_is_cut_off():
    text = "1. Một\n1.1. Một một\n1.2. Một hai\n2. Hai\n2.19. Hai một, có chú thích 9\n2.2. Hai hai\n"
    assert headings(text) == ["Mục 1", "Mục 1.1", "Mục 1.2", "Mục 2", "Mục 2.1", "Mục 2.2"]


def test_form_fields_and_out_of_sequence_numbers_are_not_headings():
    text = (
        "Chương I\nQUY ĐỊNH CHUNG\nMục 1. Phạm vi\nĐiều 1. Phạm vi điều chỉnh\n1. Khoản một.\n"
        "Mục 10 (thành phần gia đình): ghi theo lý lịch.\n2. Khoản hai.\n"
        "25. số thứ tự ở đầu dòng xuống dòng\nĐiều 2. Đối tượng\n"
    )
    assert headings(text) == ["Chương I", "Mục 1", "Điều 1", "Khoản 1", "Khoản 2", "Điều 2"]


def test_footnotes_are_their_own_part():
    text = "Điều 1. Phạm vi\n1. Cỡ chữ từ 12 đến 13 [1].\n\nChú thích\n[1] Cỡ chữ trong một văn bản phải thống nhất.\n"
    assert headings(text) == ["Điều 1", "Khoản 1", "Chú thích", "Chú thích 1"]
