"""Curated Vietnamese words for pairings, visits and obstacles (Faker's vi_VN is too thin).

Obstacle titles are per category; `{place}` is filled with the locality or industrial park
concerned, so one title reads differently across the city.
"""

# --- Obstacles --------------------------------------------------------------------------------

# Category -> (title, description) pairs.
OBSTACLE_TEXTS = {
    "land": (
        (
            "Vướng mắc bồi thường, giải phóng mặt bằng phần diện tích còn lại",
            "Còn {n} hộ dân chưa đồng ý phương án bồi thường tại {place}; đề nghị địa phương "
            "tổ chức đối thoại và cưỡng chế theo quy định nếu cần.",
        ),
        (
            "Chậm bàn giao đất sạch cho nhà đầu tư",
            "Nhà đầu tư đã nộp đủ tiền thuê đất nhưng chưa được bàn giao mốc giới thực địa tại "
            "{place}.",
        ),
        (
            "Chưa được cấp Giấy chứng nhận quyền sử dụng đất",
            "Hồ sơ cấp Giấy chứng nhận nộp đã {n} tuần, chưa có kết quả; ảnh hưởng đến việc thế "
            "chấp vay vốn ngân hàng.",
        ),
        (
            "Xác định giá đất cụ thể kéo dài",
            "Hội đồng thẩm định giá đất chưa họp; doanh nghiệp chưa thể hoàn thành nghĩa vụ tài "
            "chính về đất.",
        ),
    ),
    "planning": (
        (
            "Đề nghị điều chỉnh quy hoạch chi tiết 1/500",
            "Dự án cần điều chỉnh mật độ xây dựng để bố trí thêm nhà xưởng; hồ sơ điều chỉnh "
            "quy hoạch tại {place} chưa được thẩm định.",
        ),
        (
            "Chồng lấn ranh giới quy hoạch với dự án giao thông",
            "Một phần khu đất nằm trong hành lang tuyến đường quy hoạch; đề nghị cơ quan chuyên "
            "môn xác định lại ranh giới.",
        ),
        (
            "Chưa có thỏa thuận quy hoạch kiến trúc",
            "Doanh nghiệp đã gửi hồ sơ xin thỏa thuận phương án kiến trúc {n} tuần nhưng chưa "
            "nhận được ý kiến.",
        ),
    ),
    "permits": (
        (
            "Chậm cấp giấy phép xây dựng nhà xưởng",
            "Hồ sơ cấp phép xây dựng đã đầy đủ theo danh mục nhưng quá thời hạn giải quyết "
            "{n} ngày.",
        ),
        (
            "Thẩm duyệt thiết kế phòng cháy chữa cháy kéo dài",
            "Thiết kế PCCC điều chỉnh đã nộp lại lần hai; doanh nghiệp đề nghị được hướng dẫn "
            "một lần đầy đủ các nội dung cần bổ sung.",
        ),
        (
            "Điều chỉnh Giấy chứng nhận đăng ký đầu tư",
            "Nhà đầu tư xin điều chỉnh tiến độ và tăng vốn; hồ sơ chờ ý kiến các sở liên quan.",
        ),
        (
            "Cấp giấy phép lao động cho chuyên gia nước ngoài",
            "{n} chuyên gia lắp đặt dây chuyền chưa được cấp giấy phép lao động; dây chuyền "
            "không thể chạy thử đúng kế hoạch.",
        ),
    ),
    "environment": (
        (
            "Chờ phê duyệt báo cáo đánh giá tác động môi trường",
            "Báo cáo ĐTM đã chỉnh sửa theo ý kiến hội đồng nhưng chưa có quyết định phê duyệt.",
        ),
        (
            "Cấp giấy phép môi trường trước vận hành thử nghiệm",
            "Doanh nghiệp cần giấy phép môi trường để vận hành thử hệ thống xử lý nước thải "
            "tại {place}.",
        ),
        (
            "Đấu nối nước thải vào trạm xử lý tập trung",
            "Trạm xử lý nước thải tập trung của {place} chưa nhận đấu nối do quá tải công suất.",
        ),
    ),
    "power": (
        (
            "Chậm cấp điện trung thế cho nhà máy",
            "Doanh nghiệp cần đóng điện trạm biến áp {n} MVA trước khi chạy thử; đường dây đấu "
            "nối chưa được thi công.",
        ),
        (
            "Thiếu nguồn điện dự phòng, thường xuyên mất điện",
            "Trong tháng xảy ra {n} lần mất điện ngoài kế hoạch tại {place}, gây hỏng sản phẩm "
            "trên dây chuyền.",
        ),
        (
            "Đề nghị nâng công suất trạm biến áp",
            "Nhà máy mở rộng giai đoạn 2, cần nâng công suất cấp điện; chưa có phương án của "
            "ngành điện.",
        ),
    ),
    "infrastructure": (
        (
            "Đường vào dự án xuống cấp",
            "Tuyến đường vào {place} hư hỏng nặng, xe container không lưu thông được vào mùa mưa.",
        ),
        (
            "Chưa có nước sạch cấp cho sản xuất",
            "Đường ống cấp nước chưa kéo đến ranh giới lô đất; doanh nghiệp phải mua nước bằng "
            "xe bồn.",
        ),
        (
            "Ngập úng cục bộ khi mưa lớn",
            "Hệ thống thoát nước mưa của {place} chưa hoàn thiện, nhà xưởng bị ngập {n} lần.",
        ),
    ),
    "finance": (
        (
            "Khó tiếp cận vốn vay ưu đãi",
            "Doanh nghiệp đề nghị được giới thiệu gói tín dụng ưu đãi cho ngành công nghiệp ưu "
            "tiên; ngân hàng yêu cầu thêm tài sản bảo đảm.",
        ),
        (
            "Chậm hoàn trả tiền ứng trước bồi thường",
            "Khoản ứng trước tiền bồi thường {n} tỷ đồng chưa được khấu trừ vào tiền thuê đất.",
        ),
    ),
    "labour": (
        (
            "Thiếu lao động kỹ thuật",
            "Nhà máy cần tuyển {n} công nhân vận hành máy và kỹ thuật viên; đề nghị kết nối với "
            "các trường nghề.",
        ),
        (
            "Thiếu nhà ở cho công nhân",
            "Chưa có khu nhà ở công nhân gần {place}; tỷ lệ nghỉ việc cao.",
        ),
    ),
    "tax_customs": (
        (
            "Chậm hoàn thuế giá trị gia tăng",
            "Hồ sơ hoàn thuế GTGT hàng xuất khẩu đã nộp {n} ngày, chưa được giải quyết.",
        ),
        (
            "Vướng mắc thủ tục hải quan nhập khẩu máy móc",
            "Lô thiết bị tạo tài sản cố định bị phân luồng đỏ, chờ kiểm định; dây chuyền chậm "
            "lắp đặt.",
        ),
        (
            "Áp mã HS cho linh kiện nhập khẩu",
            "Cách áp mã HS của hải quan khác với kết quả phân loại trước; doanh nghiệp đề nghị "
            "hướng dẫn thống nhất.",
        ),
    ),
    "policy": (
        (
            "Đề nghị hướng dẫn ưu đãi đầu tư",
            "Doanh nghiệp đề nghị làm rõ điều kiện hưởng ưu đãi thuế thu nhập doanh nghiệp cho "
            "dự án mở rộng.",
        ),
        (
            "Chính sách hỗ trợ chuyển đổi số",
            "Đề nghị thành phố hướng dẫn thủ tục nhận hỗ trợ chi phí tư vấn chuyển đổi số.",
        ),
    ),
    "other": (
        (
            "Đề nghị hỗ trợ kết nối nhà cung cấp trong nước",
            "Doanh nghiệp tìm nhà cung cấp linh kiện nội địa để tăng tỷ lệ nội địa hóa.",
        ),
        (
            "An ninh trật tự khu vực nhà máy",
            "Xảy ra {n} vụ trộm vật tư tại công trường; đề nghị tăng cường tuần tra.",
        ),
    ),
}

# The obstacles the demo's progress reports mention (words.OBSTACLES, same order).
REPORT_OBSTACLE_CATEGORIES = ("land", "power", "other", "permits", "tax_customs", "other")

RESOLUTIONS = {
    "land": (
        "Đã tổ chức đối thoại, các hộ dân đồng ý nhận tiền bồi thường; đã bàn giao mặt bằng.",
        "Đã cấp Giấy chứng nhận quyền sử dụng đất cho nhà đầu tư.",
        "Hội đồng thẩm định giá đất đã họp và ban hành quyết định giá đất cụ thể.",
    ),
    "planning": (
        "UBND thành phố đã phê duyệt điều chỉnh cục bộ quy hoạch chi tiết.",
        "Đã có văn bản thỏa thuận phương án kiến trúc.",
    ),
    "permits": (
        "Đã cấp giấy phép theo đúng hồ sơ nộp.",
        "Đã hướng dẫn bổ sung một lần và cấp văn bản thẩm duyệt.",
        "Đã cấp Giấy chứng nhận đăng ký đầu tư điều chỉnh.",
    ),
    "environment": (
        "Đã ban hành quyết định phê duyệt kết quả thẩm định báo cáo ĐTM.",
        "Đã cấp giấy phép môi trường; doanh nghiệp được vận hành thử nghiệm.",
    ),
    "power": (
        "Đã hoàn thành đường dây đấu nối và đóng điện trạm biến áp.",
        "Đã lắp thêm máy cắt phân đoạn, cấp điện ổn định.",
    ),
    "infrastructure": (
        "Đã sửa chữa tuyến đường và bàn giao cho đơn vị quản lý.",
        "Đã kéo đường ống cấp nước đến ranh giới lô đất.",
    ),
    "finance": (
        "Ngân hàng đã ký hợp đồng tín dụng theo gói ưu đãi.",
        "Đã khấu trừ tiền ứng trước vào tiền thuê đất.",
    ),
    "labour": (
        "Đã tổ chức phiên giao dịch việc làm riêng cho doanh nghiệp.",
        "Đã giới thiệu doanh nghiệp với ba trường nghề trên địa bàn.",
    ),
    "tax_customs": (
        "Đã hoàn thuế GTGT theo hồ sơ đề nghị.",
        "Đã thông quan lô hàng và hướng dẫn áp mã thống nhất.",
    ),
    "policy": (
        "Đã có văn bản hướng dẫn gửi doanh nghiệp.",
        "Đã trình UBND thành phố ban hành hướng dẫn chung.",
    ),
    "other": (
        "Đã làm việc với doanh nghiệp và xử lý theo đề nghị.",
        "Công an địa phương đã tăng cường tuần tra khu vực.",
    ),
}

ASSIGN_NOTES = (
    "",
    "",
    "Đề nghị xử lý dứt điểm trong thời hạn.",
    "Phối hợp với địa phương kiểm tra thực địa.",
)
ACCEPT_NOTES = ("", "Đã tiếp nhận, giao phòng chuyên môn xử lý.", "Tiếp nhận.")
START_NOTES = ("", "Đang kiểm tra hồ sơ.", "Đã làm việc với doanh nghiệp.")
HAND_BACK_REASONS = (
    "Nội dung không thuộc thẩm quyền của đơn vị; đề nghị giao cơ quan quản lý chuyên ngành.",
    "Vướng mắc liên quan chủ yếu đến đất đai, đề nghị chuyển Sở Tài nguyên và Môi trường.",
    "Đơn vị chỉ phối hợp; đề nghị giao đơn vị khác chủ trì.",
)
REOPEN_REASONS = (
    "Thực tế chưa được giải quyết, doanh nghiệp vẫn chưa nhận được văn bản.",
    "Mới xử lý một phần, còn tồn tại như đã nêu.",
    "Kết quả không đúng với đề nghị của doanh nghiệp.",
)
RATING_COMMENTS = {
    1: ("Xử lý quá chậm, ảnh hưởng nghiêm trọng đến sản xuất.", "Không hài lòng."),
    2: ("Giải quyết chậm so với cam kết.", "Chưa thỏa đáng."),
    3: ("", "Tạm chấp nhận."),
    4: ("", "Cảm ơn các sở đã hỗ trợ.", "Xử lý tốt."),
    5: ("", "Rất hài lòng, cảm ơn Ban Chỉ đạo.", "Giải quyết nhanh, đúng hẹn."),
}
ESCALATION_NOTE = "Tự động: quá hạn {days} ngày."

# Common problems: (category, industry code or None, title, description).
COMMON_PROBLEMS = (
    (
        "power",
        None,
        "Thiếu nguồn điện 110 kV cho các khu công nghiệp",
        "Nhiều doanh nghiệp phản ánh chậm cấp điện, mất điện; cần đầu tư trạm 110 kV mới.",
    ),
    (
        "labour",
        None,
        "Thiếu lao động kỹ thuật cho ngành công nghiệp ưu tiên",
        "Cần chương trình đào tạo nghề đặt hàng cùng doanh nghiệp.",
    ),
    (
        "tax_customs",
        None,
        "Chậm hoàn thuế GTGT hàng xuất khẩu",
        "Thời gian hoàn thuế kéo dài ảnh hưởng vốn lưu động của doanh nghiệp xuất khẩu.",
    ),
    (
        "land",
        None,
        "Vướng mắc giá đất cụ thể các dự án thuê đất",
        "Hội đồng thẩm định giá đất họp không thường xuyên; cần quy trình rút gọn.",
    ),
    (
        "environment",
        None,
        "Quá tải trạm xử lý nước thải tập trung",
        "Các khu công nghiệp cũ cần nâng công suất trạm xử lý nước thải.",
    ),
)

# --- Visits ---------------------------------------------------------------------------------

VISIT_SUMMARIES = (
    "Doanh nghiệp hoạt động ổn định, đơn hàng đến hết quý; đang tuyển thêm {n} lao động.",
    "Làm việc với Ban Giám đốc về kế hoạch mở rộng nhà xưởng giai đoạn 2.",
    "Doanh nghiệp giới thiệu dây chuyền mới; doanh thu 9 tháng tăng khoảng {n}% so với cùng kỳ.",
    "Nắm tình hình sản xuất, kinh doanh; doanh nghiệp chưa phát sinh vướng mắc mới.",
    "Trao đổi về thủ tục điều chỉnh Giấy chứng nhận đăng ký đầu tư.",
    "Kiểm tra công tác an toàn lao động và phòng cháy chữa cháy tại nhà máy.",
    "Doanh nghiệp cho biết đơn hàng xuất khẩu giảm, đang tìm thị trường mới.",
    "Hướng dẫn doanh nghiệp đăng ký tham gia chương trình chuyển đổi số của thành phố.",
    "Doanh nghiệp phản ánh chi phí logistics tăng; đề nghị thông tin về cảng cạn.",
    "Thăm hỏi, động viên doanh nghiệp nhân dịp đầu năm; nắm kế hoạch sản xuất năm.",
)
VISIT_PHONE_SUMMARIES = (
    "Trao đổi qua điện thoại với người phụ trách; tình hình sản xuất bình thường.",
    "Gọi điện nắm tiến độ xử lý kiến nghị trước đây của doanh nghiệp.",
    "Nhắc doanh nghiệp nộp báo cáo tình hình lao động quý.",
)
VISIT_ONLINE_SUMMARIES = (
    "Họp trực tuyến với Ban Giám đốc và đại diện công ty mẹ về kế hoạch tăng vốn.",
    "Họp trực tuyến giới thiệu chính sách ưu đãi mới của thành phố.",
)
