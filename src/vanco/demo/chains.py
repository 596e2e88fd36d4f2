"""The six leading industries of the demo city and their value chains.

Each chain is an outline: two spaces per level, roots start with their segment (U upstream,
M midstream, D downstream), and a trailing " *" marks a key node, one of the gaps the city most
wants an investor for. Every outline holds exactly 40 nodes; smaller scales keep a subset of the
leaves, never a root or a branch, so all three segments are always there.
"""

from dataclasses import dataclass

from vanco.industries.enums import ChainSegment

SEGMENTS = {"U": ChainSegment.UPSTREAM, "M": ChainSegment.MIDSTREAM, "D": ChainSegment.DOWNSTREAM}
SEGMENT_WORDS = {
    ChainSegment.UPSTREAM: "thượng nguồn",
    ChainSegment.MIDSTREAM: "trung nguồn",
    ChainSegment.DOWNSTREAM: "hạ nguồn",
}


@dataclass(frozen=True)
class IndustrySpec:
    code: str
    name: str
    description: str
    outline: str


@dataclass
class NodeSpec:
    code: str
    name: str
    segment: str
    is_key: bool
    sort_order: int
    parent: "NodeSpec | None"
    children: list["NodeSpec"]

    @property
    def depth(self) -> int:
        return 0 if self.parent is None else self.parent.depth + 1


def parse_outline(outline: str) -> list[NodeSpec]:
    """Nodes in outline order (parents before children), with stable positional codes."""
    nodes: list[NodeSpec] = []
    stack: list[NodeSpec] = []
    roots_per_segment: dict[str, int] = {}
    for raw in outline.strip("\n").splitlines():
        if not raw.strip():
            continue
        level = (len(raw) - len(raw.lstrip(" "))) // 2
        text = raw.strip()
        is_key = text.endswith(" *")
        text = text.removesuffix(" *")
        del stack[level:]
        if level == 0:
            letter, text = text.split(" ", 1)
            roots_per_segment[letter] = roots_per_segment.get(letter, 0) + 1
            node = NodeSpec(
                code=f"{letter}{roots_per_segment[letter]}",
                name=text,
                segment=SEGMENTS[letter],
                is_key=is_key,
                sort_order=len([n for n in nodes if n.parent is None]) * 10 + 10,
                parent=None,
                children=[],
            )
        else:
            parent = stack[-1]
            position = len(parent.children) + 1
            node = NodeSpec(
                code=f"{parent.code}.{position}",
                name=text,
                segment=parent.segment,
                is_key=is_key,
                sort_order=position * 10,
                parent=parent,
                children=[],
            )
            parent.children.append(node)
        nodes.append(node)
        stack.append(node)
    return nodes


INDUSTRIES = (
    IndustrySpec(
        code="DTBD",
        name="Điện tử - Bán dẫn",
        description=(
            "Sản xuất linh kiện, thiết bị điện tử và từng bước tham gia chuỗi bán dẫn: thiết kế "
            "vi mạch, đóng gói và kiểm thử chip."
        ),
        outline="""
U Vật liệu và linh kiện
  Vật liệu bán dẫn
    Tấm wafer silicon *
    Khí và hóa chất siêu sạch
    Vật liệu đóng gói (khung dẫn, dây bond)
  Linh kiện bán dẫn *
    Thiết kế vi mạch (IC) *
    Đóng gói và kiểm thử chip (OSAT) *
    Chip công suất và cảm biến
  Linh kiện thụ động
    Tụ điện, điện trở
    Cuộn cảm, biến áp
  Bảng mạch in (PCB)
    Mạch in nhiều lớp
    Mạch in dẻo (FPC) *
  Linh kiện quang học và màn hình
    Mô-đun camera *
    Tấm nền màn hình
  Cơ khí và nhựa kỹ thuật cho điện tử
    Vỏ kim loại, khuôn đúc
    Linh kiện nhựa ép phun
M Sản xuất và lắp ráp
  Lắp ráp bo mạch (SMT, PCBA)
  Thiết bị viễn thông
    Điện thoại di động
    Thiết bị mạng, trạm gốc 5G *
  Máy tính và thiết bị ngoại vi
    Máy tính xách tay
    Máy in, máy quét
  Điện tử gia dụng
    Tivi, thiết bị nghe nhìn
    Thiết bị nhà thông minh
  Điện tử ô tô *
  Thiết bị IoT và thiết bị đeo thông minh
D Thương mại và dịch vụ
  Phân phối và xuất khẩu
  Dịch vụ hậu mãi, bảo hành
  Tái chế rác thải điện tử
  Kiểm định, chứng nhận chất lượng *
  Đào tạo kỹ sư vi mạch *
""",
    ),
    IndustrySpec(
        code="CKOT",
        name="Cơ khí chế tạo - Ô tô",
        description=(
            "Cơ khí chính xác, công nghiệp hỗ trợ và lắp ráp ô tô, chuyển dần sang xe điện và "
            "thiết bị tự động hóa."
        ),
        outline="""
U Vật liệu và phụ tùng cơ bản
  Thép và kim loại
    Thép tấm cán nguội
    Thép hợp kim, thép đặc biệt *
    Nhôm định hình, hợp kim nhôm
  Đúc, rèn, dập
    Đúc gang, đúc nhôm
    Rèn và dập nóng chi tiết
    Khuôn mẫu chính xác *
  Linh kiện cơ khí chính xác
    Bánh răng, trục truyền động
    Bu lông, ốc vít cường độ cao
    Vòng bi, ổ trượt
  Linh kiện ô tô
    Bó dây điện (wiring harness)
    Ghế và nội thất ô tô
    Kính, gương, đèn
    Lốp và săm
    Pin và hệ thống điện xe điện *
M Chế tạo và lắp ráp
  Động cơ và hộp số *
    Động cơ đốt trong
    Mô-tơ điện và bộ điều khiển *
  Khung gầm, thân vỏ
  Lắp ráp ô tô
    Xe du lịch
    Xe tải, xe chuyên dụng
    Xe buýt điện
  Máy và thiết bị công nghiệp
    Máy nông nghiệp
    Máy công cụ CNC *
    Thiết bị nâng hạ
  Robot và tự động hóa *
D Thị trường và dịch vụ
  Đại lý và showroom
  Phụ tùng thay thế
  Bảo dưỡng, sửa chữa
  Trạm sạc xe điện *
  Đăng kiểm, thử nghiệm xe
  Tài chính và cho thuê xe
""",
    ),
    IndustrySpec(
        code="DMDG",
        name="Dệt may - Da giày",
        description=(
            "Ngành sử dụng nhiều lao động, đang chuyển từ gia công (CMT) sang FOB, chủ động "
            "nguyên phụ liệu và sản xuất xanh."
        ),
        outline="""
U Nguyên phụ liệu
  Xơ và sợi
    Sợi bông (cotton)
    Sợi tổng hợp (polyester, nylon) *
    Sợi tái chế *
  Vải
    Dệt thoi
    Dệt kim
    Nhuộm và hoàn tất vải *
  Phụ liệu may
    Chỉ may, khóa kéo, cúc
    Mex, dựng, vải lót
    Nhãn mác, bao bì
  Nguyên liệu da giày
    Thuộc da
    Da tổng hợp, giả da
    Đế giày
M Sản xuất
  May mặc
    May gia công (CMT)
    Sản xuất FOB *
    Trang phục thể thao
    Đồ bảo hộ lao động
  Giày dép
    Giày thể thao
    Giày da
    Dép, sandal
  Túi xách, va li
  Dệt may kỹ thuật
    Vải không dệt
    Vải y tế
  Thiết kế và phát triển mẫu *
D Thương mại và dịch vụ
  Thương hiệu và bán lẻ
  Xuất khẩu
    Thị trường EU, Hoa Kỳ
    Thị trường Nhật Bản, Hàn Quốc
  Thương mại điện tử
  Kiểm định chất lượng, tuân thủ xã hội
  Xử lý nước thải dệt nhuộm *
""",
    ),
    IndustrySpec(
        code="HCVL",
        name="Hóa chất - Vật liệu mới",
        description=(
            "Hóa chất cơ bản, hóa dầu và vật liệu mới phục vụ điện tử, ô tô và xây dựng; ưu tiên "
            "công nghệ sạch và kho chứa đạt chuẩn."
        ),
        outline="""
U Nguyên liệu
  Hóa chất cơ bản
    Xút - Clo
    Axit sulfuric, axit phosphoric
    Khí công nghiệp
    Muối công nghiệp
  Hóa dầu
    Hạt nhựa PP, PE *
    Nhựa PVC
    Dung môi
  Khoáng sản và nguyên liệu vô cơ
    Cát thạch anh tinh chế *
    Đất hiếm *
    Titan, zircon
M Chế biến và sản xuất
  Hóa chất chuyên dụng
    Sơn và mực in
    Chất tẩy rửa
    Phụ gia thực phẩm, dược phẩm
  Phân bón
    Phân NPK
    Phân bón hữu cơ vi sinh
  Cao su và chất dẻo
    Săm lốp cao su
    Bao bì nhựa
    Nhựa kỹ thuật
  Vật liệu mới *
    Vật liệu composite
    Vật liệu nano
    Gốm kỹ thuật
    Vật liệu pin lithium *
  Vật liệu xây dựng mới
    Kính tiết kiệm năng lượng
    Vật liệu nhẹ, gạch không nung
D Ứng dụng và dịch vụ
  Phân phối hóa chất
  Kho chứa hóa chất đạt chuẩn
  Xử lý và tái chế chất thải công nghiệp *
  Phòng thí nghiệm, kiểm nghiệm
  Ứng phó sự cố hóa chất
""",
    ),
    IndustrySpec(
        code="CBNS",
        name="Chế biến nông sản - Thực phẩm",
        description=(
            "Chế biến sâu nông, thủy sản từ vùng nguyên liệu của thành phố, gắn với kho lạnh, "
            "truy xuất nguồn gốc và xuất khẩu."
        ),
        outline="""
U Vùng nguyên liệu
  Trồng trọt
    Lúa gạo chất lượng cao
    Rau quả an toàn
    Cây dược liệu *
  Chăn nuôi
    Lợn, gia cầm
    Bò sữa
  Thủy sản
    Nuôi tôm công nghệ cao *
    Khai thác hải sản xa bờ
  Giống và vật tư nông nghiệp
    Giống cây trồng
    Thức ăn chăn nuôi
M Chế biến
  Sơ chế và bảo quản
    Kho lạnh *
    Sấy, cấp đông nhanh (IQF)
  Chế biến thịt
    Giết mổ tập trung *
    Thịt chế biến sẵn
  Chế biến thủy sản
    Phi lê, đông lạnh
    Đồ hộp thủy sản
  Chế biến rau quả
    Nước ép, trái cây sấy
    Rau quả đóng hộp
  Sữa và đồ uống
    Sữa và sản phẩm từ sữa
    Bia, nước giải khát
  Thực phẩm chức năng *
  Bao bì thực phẩm
D Thương mại và dịch vụ
  Truy xuất nguồn gốc *
  Chuỗi cửa hàng, siêu thị
  Xuất khẩu nông sản
    Thị trường Trung Quốc
    Thị trường EU
  Kiểm nghiệm an toàn thực phẩm
  Logistics lạnh *
""",
    ),
    IndustrySpec(
        code="LGCB",
        name="Logistics - Cảng biển",
        description=(
            "Khai thác lợi thế cảng nước sâu: bến container, trung tâm logistics, vận tải đa "
            "phương thức và logistics số."
        ),
        outline="""
U Hạ tầng
  Cảng biển
    Bến container *
    Bến tổng hợp, hàng rời
    Bến chuyên dùng xăng dầu, khí
  Hạ tầng kết nối
    Đường cao tốc, đường kết nối cảng
    Đường sắt kết nối cảng *
    Đường thủy nội địa
  Cảng cạn (ICD) và bãi container
    Cảng cạn sau cảng
    Bãi trung chuyển container
  Trung tâm logistics *
    Kho ngoại quan
    Kho lạnh tập trung
    Kho thương mại điện tử
M Vận tải và khai thác
  Vận tải biển
    Tàu container
    Tàu hàng rời
  Vận tải đường bộ
    Xe đầu kéo container
    Vận tải hàng lạnh
  Vận tải đa phương thức *
  Dịch vụ cảng
    Xếp dỡ, lai dắt
    Hoa tiêu hàng hải
  Đóng và sửa chữa tàu
    Đóng tàu hàng
    Sửa chữa, hoán cải tàu
D Dịch vụ hỗ trợ
  Giao nhận, đại lý vận tải (forwarding)
  Khai báo hải quan
  Logistics số
    Nền tảng quản lý vận tải
    Cảng thông minh *
    Hệ thống một cửa cảng biển
  Tài chính và bảo hiểm hàng hải
  Cung ứng tàu biển
  Đào tạo nhân lực logistics
""",
    ),
)
