"""Writes ``evals/datasets/consultation/comments.jsonl``: members' comments on the draft of Regulation 339
(the sample corpus's ``qd-339-so-tay-dang-vien``), written for this project, each with its gold theme, stance
and article; two form letters copied many times with small changes (gold ``letter``), for the duplicate merge.

    python -m evals.build_consultation_dataset
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).parent / "datasets" / "consultation" / "comments.jsonl"

# theme -> (article, stance, sentences written as members would)
THEMES: dict[str, tuple[str, str, list[str]]] = {
    "elderly-help": (
        "Điều 2",
        "propose",
        [
            "Đề nghị có người hướng dẫn riêng cho đảng viên cao tuổi cài đặt ứng dụng.",
            "Đảng viên lớn tuổi không biết dùng điện thoại thông minh, cần chi bộ cử người kèm cặp.",
            "Nên tổ chức buổi tập huấn sử dụng Sổ tay cho các cụ trong chi bộ.",
            "Người già mắt kém, tay run, rất khó thao tác trên ứng dụng, cần có người giúp.",
            "Chi đoàn thanh niên có thể giúp các đảng viên cao tuổi làm quen với ứng dụng.",
            "Cần bổ sung quy định hỗ trợ đảng viên trên 70 tuổi khi chuyển sang sinh hoạt trên ứng dụng.",
            "Đảng viên cao tuổi nên được hướng dẫn tận nhà cách đăng nhập và đọc tài liệu.",
            "Nhiều đồng chí hưu trí chưa từng dùng ứng dụng, phải có lớp hướng dẫn trước khi áp dụng.",
        ],
    ),
    "elderly-exempt": (
        "Điều 2",
        "disagree",
        [
            "Không nên bắt buộc đảng viên trên 80 tuổi phải dùng ứng dụng.",
            "Tôi không đồng ý áp dụng bắt buộc với đảng viên đã được miễn sinh hoạt.",
            "Đảng viên già yếu nên được tiếp tục nhận tài liệu giấy thay vì ứng dụng.",
            "Việc buộc các cụ cao tuổi dùng điện thoại là không phù hợp thực tế.",
            "Đề nghị loại trừ đảng viên miễn công tác, miễn sinh hoạt khỏi đối tượng áp dụng.",
            "Với người không có điện thoại thông minh thì quy định này không thể thực hiện được.",
            "Không đồng ý, vì nhiều đảng viên nông thôn không có điều kiện mua điện thoại phù hợp.",
            "Quy định bắt buộc toàn bộ đảng viên là quá cứng nhắc đối với người cao tuổi.",
        ],
    ),
    "password-length": (
        "Điều 5",
        "propose",
        [
            "Mật khẩu ít nhất 8 ký tự là quá khó nhớ với người lớn tuổi, đề nghị giảm xuống.",
            "Nên cho phép đăng nhập bằng vân tay thay cho mật khẩu dài.",
            "Quy định mật khẩu phức tạp khiến nhiều đảng viên phải ghi ra giấy, kém an toàn hơn.",
            "Đề nghị dùng mã PIN 6 số cho dễ nhớ thay vì mật khẩu 8 ký tự.",
            "Mật khẩu có chữ hoa, chữ thường và số là quá phức tạp với các cụ.",
            "Cần có cách lấy lại mật khẩu đơn giản khi đảng viên quên.",
            "Nên cho đăng nhập bằng khuôn mặt hoặc vân tay để không phải nhớ mật khẩu.",
            "Yêu cầu đổi mật khẩu định kỳ gây phiền cho người già, đề nghị bỏ.",
        ],
    ),
    "lost-device-deadline": (
        "Điều 5",
        "propose",
        [
            "Thời hạn 24 giờ báo mất điện thoại là quá ngắn, đề nghị nâng lên 3 ngày.",
            "Ở vùng sâu vùng xa khó liên lạc, 24 giờ để báo chi ủy là không đủ.",
            "Nên cho phép báo mất thiết bị qua điện thoại cho bí thư thay vì phải đến trực tiếp.",
            "Đề nghị kéo dài thời gian báo mất máy lên 48 giờ.",
            "Mất điện thoại vào ngày lễ thì khó báo cáo kịp trong một ngày.",
            "Cần quy định rõ báo mất thiết bị cho ai nếu bí thư chi bộ đi vắng.",
            "Quy định báo trong 24 giờ nên tính từ khi phát hiện mất, không phải từ khi mất.",
            "Nên có số điện thoại trực để đảng viên báo ngay khi mất máy.",
        ],
    ),
    "data-security": (
        "Điều 8",
        "propose",
        [
            "Cần quy định rõ ai được xem thông tin cá nhân của đảng viên trên ứng dụng.",
            "Đề nghị mã hóa dữ liệu và không lưu tài liệu mật trên điện thoại.",
            "Phải có biện pháp chống lộ tài liệu khi điện thoại bị mất hoặc bị đánh cắp.",
            "Nên tự động khóa ứng dụng sau vài phút không sử dụng để bảo đảm bí mật.",
            "Cần cấm chụp màn hình đối với các tài liệu nội bộ trên ứng dụng.",
            "Đề nghị quy định trách nhiệm của đơn vị quản lý khi để rò rỉ dữ liệu đảng viên.",
            "Dữ liệu của đảng viên phải được lưu trên máy chủ trong nước, có kiểm tra định kỳ.",
            "Nên có nhật ký ai đã truy cập tài liệu để kiểm tra khi cần.",
        ],
    ),
    "phone-cost": (
        "Điều 7",
        "disagree",
        [
            "Không đồng ý để đảng viên tự chịu chi phí 3G, 4G khi sử dụng ứng dụng.",
            "Chi phí mua điện thoại thông minh là gánh nặng với đảng viên có thu nhập thấp.",
            "Đề nghị cấp ủy hỗ trợ tiền cước cho đảng viên khó khăn, không nên bắt tự trả.",
            "Nhiều đảng viên nghèo không đủ tiền mua máy mới để cài ứng dụng.",
            "Không hợp lý khi yêu cầu đảng viên phải có điện thoại đời mới mà không hỗ trợ.",
            "Tiền mạng hằng tháng để đọc tài liệu là khoản chi không nhỏ với người hưu trí.",
            "Tôi phản đối việc bắt buộc đảng viên tự trang bị thiết bị bằng tiền riêng.",
            "Nên có kinh phí của đảng bộ để trang bị máy tính bảng dùng chung cho chi bộ.",
        ],
    ),
    "meeting-paperless": (
        "Điều 9",
        "agree",
        [
            "Tôi nhất trí với việc sinh hoạt chi bộ không dùng giấy, tiết kiệm và tiện lợi.",
            "Gửi tài liệu họp trước qua ứng dụng giúp đảng viên nghiên cứu kỹ hơn.",
            "Đồng ý, họp không giấy giúp giảm photo tài liệu cho chi bộ.",
            "Việc gửi thông báo và tài liệu qua ứng dụng là rất thiết thực.",
            "Tán thành việc điểm danh và biểu quyết trên ứng dụng trong buổi họp.",
            "Họp chi bộ trên ứng dụng giúp thư ký đỡ vất vả khi làm biên bản.",
            "Tôi ủng hộ việc đưa nghị quyết chi bộ lên ứng dụng để đảng viên xem lại.",
            "Sinh hoạt không giấy là xu hướng tất yếu, chi bộ chúng tôi hoàn toàn đồng ý.",
        ],
    ),
    "network-coverage": (
        "Điều 9",
        "disagree",
        [
            "Ở khu vực chưa có sóng điện thoại thì không thể họp qua ứng dụng.",
            "Mạng internet ở xã tôi rất chập chờn, không đảm bảo họp trực tuyến.",
            "Không đồng ý bỏ hẳn tài liệu giấy khi nhiều thôn chưa có mạng ổn định.",
            "Mất điện, mất sóng thường xuyên thì sinh hoạt trên ứng dụng sẽ bị gián đoạn.",
            "Vùng núi sóng yếu, tải tài liệu rất lâu, đề nghị vẫn giữ bản giấy.",
            "Khi mạng yếu, đảng viên không mở được tài liệu trước buổi họp.",
            "Phải có phương án dự phòng khi không có mạng trong buổi sinh hoạt.",
            "Hạ tầng viễn thông ở vùng sâu chưa đủ để thực hiện quy định này.",
        ],
    ),
    "font-size": (
        "Điều 4",
        "propose",
        [
            "Chữ trên ứng dụng quá nhỏ, cần cho phép phóng to chữ.",
            "Đề nghị có chế độ đọc to tài liệu cho người mắt kém.",
            "Nên làm giao diện đơn giản, ít nút bấm, chữ to, dễ nhìn.",
            "Màu chữ nhạt trên nền trắng rất khó đọc với người già.",
            "Cần có chức năng nghe tài liệu thay vì phải đọc trên màn hình nhỏ.",
            "Ứng dụng nên có cỡ chữ lớn mặc định cho đảng viên cao tuổi.",
            "Đề nghị bổ sung tính năng đọc văn bản bằng giọng nói tiếng Việt.",
            "Biểu tượng và chữ trên màn hình cần to, rõ để người lớn tuổi dễ thao tác.",
        ],
    ),
    "timeline": (
        "Điều 12",
        "propose",
        [
            "Thời gian triển khai quá gấp, đề nghị lùi lại đến cuối năm.",
            "Nên thí điểm ở một số chi bộ trước rồi mới áp dụng toàn đảng bộ.",
            "Cần có lộ trình từng bước, không nên áp dụng đồng loạt ngay.",
            "Đề nghị cho các chi bộ nông thôn thêm thời gian chuẩn bị.",
            "Nên tổng kết sau 6 tháng thực hiện để điều chỉnh quy định.",
            "Hiệu lực từ ngày ký là quá sớm, chưa kịp tập huấn cho đảng viên.",
            "Đề nghị quy định thời gian chuyển tiếp để các chi bộ làm quen.",
            "Cần đánh giá kết quả thí điểm trước khi nhân rộng.",
        ],
    ),
}
LEAD_INS = ["", "Theo tôi, ", "Chi bộ chúng tôi thống nhất: ", "Ý kiến của tôi: "]
LETTERS = {
    "letter-agree": ("", "agree", "Tôi hoàn toàn nhất trí với toàn bộ nội dung dự thảo quy định."),
    "letter-extend": (
        "Điều 12",
        "propose",
        "Đề nghị lùi thời hạn áp dụng quy định đến hết năm 2027 để chuẩn bị chu đáo.",
    ),
}


def _variant(text: str, rng: random.Random) -> str:
    """A copy as members type it again: a dropped accent, a missing full stop, a double space."""
    change = rng.randrange(4)
    if change == 0:
        return text.rstrip(".")
    if change == 1:
        return text.replace("ị", "i", 1)
    if change == 2:
        return text.replace(" ", "  ", 1)
    return text


def build() -> list[dict]:
    rng = random.Random(20261126)
    rows = []
    for theme, (article, stance, sentences) in THEMES.items():
        for sentence in sentences:
            for lead in rng.sample(LEAD_INS, 3):
                text = lead + (sentence[0].lower() + sentence[1:] if lead else sentence)
                rows.append({"theme": theme, "target": article, "stance": stance, "text": text, "letter": None})
    for letter, (article, stance, text) in LETTERS.items():
        for _ in range(30):
            rows.append(
                {"theme": letter, "target": article, "stance": stance, "text": _variant(text, rng), "letter": letter}
            )
    rng.shuffle(rows)
    return [{"id": f"c{i:04d}", **row} for i, row in enumerate(rows, start=1)]


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    rows = build()
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"wrote {len(rows)} comments to {OUT}")


if __name__ == "__main__":
    main()
