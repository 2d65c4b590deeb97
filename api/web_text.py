"""Interface text of the web page, in Vietnamese and English (one dict per language, same keys)."""

from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "title": "Trợ lý văn bản", "switch": "English", "key_label": "Khóa truy cập (API key)",
        "key_hint": "Khóa do quản trị viên cấp; được lưu trên máy này.", "save_key": "Lưu khóa", "signed_in": "Đã đăng nhập:",
        "tab_ask": "Hỏi đáp", "tab_minutes": "Biên bản họp", "tab_summaries": "Tóm tắt", "tab_documents": "Văn bản",
        "question": "Câu hỏi của đồng chí", "ask": "Hỏi", "sources": "Nguồn trích dẫn", "page": "trang",
        "not_found": "Không tìm thấy trong văn bản", "engine": "Cách trả lời",
        "org_name": "Tên chi bộ", "org_parent": "Cấp trên", "org_unit": "Mã đơn vị", "place_name": "Địa danh",
        "date": "Ngày họp", "time_start": "Bắt đầu", "time_end": "Kết thúc", "place": "Địa điểm",
        "chair": "Chủ trì", "secretary": "Thư ký", "role": "Chức vụ", "members_total": "Tổng số đảng viên",
        "members_exempt": "Miễn sinh hoạt", "members_present": "Có mặt", "absent": "Vắng mặt", "name": "Họ tên",
        "reason": "Lý do (để trống nếu không lý do)", "agenda": "Nội dung họp", "item_title": "Nội dung",
        "notes": "Ghi chép", "decisions": "Quyết định / biểu quyết", "decision_text": "Nội dung quyết định",
        "agree": "Tán thành", "disagree": "Không tán thành", "abstain": "Không biểu quyết", "add_row": "Thêm dòng",
        "remove_row": "Xóa dòng", "preview": "Xem trước", "download_docx": "Tải file Word (DOCX)",
        "download_pdf": "Tải bản in (PDF)", "download_resolution": "Nghị quyết chi bộ (PDF)",
        "pick_document": "Chọn văn bản", "or_upload": "hoặc tải lên một file", "length": "Độ dài",
        "short": "Ngắn (khoảng 5 ý)", "standard": "Đầy đủ hơn", "summarize": "Tóm tắt", "make_audio": "Làm bản tin âm thanh",
        "audio_wait": "Đang đọc thành tiếng…", "download_audio": "Tải bản tin (MP3)", "working": "Đang xử lý…",
        "documents": "Văn bản được xem", "upload": "Tải văn bản lên", "upload_file": "File (PDF, DOCX, TXT, MD, HTML)",
        "access_level": "Mức truy cập", "uploaded": "Đã thêm văn bản", "no_documents": "Chưa có văn bản nào.",
        "err_401": "Khóa truy cập không đúng hoặc đã bị thu hồi. Xin nhập lại khóa.",
        "err_403": "Khóa của đồng chí không được làm việc này.", "err_network": "Không kết nối được máy chủ. Xin thử lại.",
        "err_server": "Máy chủ gặp lỗi. Xin thử lại sau.", "need_key": "Xin nhập khóa truy cập trước.",
    },
    "en": {
        "title": "Document assistant", "switch": "Tiếng Việt", "key_label": "Access key (API key)",
        "key_hint": "Given by your administrator; kept on this device.", "save_key": "Save key", "signed_in": "Signed in:",
        "tab_ask": "Ask", "tab_minutes": "Draft minutes", "tab_summaries": "Summaries", "tab_documents": "Documents",
        "question": "Your question", "ask": "Ask", "sources": "Sources", "page": "page",
        "not_found": "Not found in the documents", "engine": "Answered by",
        "org_name": "Cell name", "org_parent": "Body above", "org_unit": "Org-unit code", "place_name": "Place name",
        "date": "Meeting date", "time_start": "Start", "time_end": "End", "place": "Place",
        "chair": "Chair", "secretary": "Secretary", "role": "Position", "members_total": "Members",
        "members_exempt": "Exempt", "members_present": "Present", "absent": "Absent", "name": "Name",
        "reason": "Reason (empty if none)", "agenda": "Agenda", "item_title": "Item",
        "notes": "Notes", "decisions": "Decisions and votes", "decision_text": "Decision",
        "agree": "For", "disagree": "Against", "abstain": "Abstain", "add_row": "Add row",
        "remove_row": "Remove row", "preview": "Preview", "download_docx": "Download Word file (DOCX)",
        "download_pdf": "Download for printing (PDF)", "download_resolution": "Cell resolution (PDF)",
        "pick_document": "Choose a document", "or_upload": "or upload a file", "length": "Length",
        "short": "Short (about 5 points)", "standard": "Standard", "summarize": "Summarize", "make_audio": "Make audio bulletin",
        "audio_wait": "Speaking…", "download_audio": "Download bulletin (MP3)", "working": "Working…",
        "documents": "Documents you may read", "upload": "Upload a document", "upload_file": "File (PDF, DOCX, TXT, MD, HTML)",
        "access_level": "Access level", "uploaded": "Document added", "no_documents": "No documents yet.",
        "err_401": "The access key is wrong or was revoked. Please enter it again.",
        "err_403": "Your key may not do this.", "err_network": "Cannot reach the server. Please try again.",
        "err_server": "The server had a problem. Please try again later.", "need_key": "Please enter your access key first.",
    },
}


def interface_text(language: str) -> dict[str, str]:
    """The strings of ``language`` (Vietnamese unless English is asked for)."""
    return TEXT["en" if language == "en" else "vi"]
