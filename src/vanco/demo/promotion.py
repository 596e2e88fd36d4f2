"""Chain-based promotion in the demo: a chain chief (a leader) for each industry, prospects at
the gaps of the chains (most at the key gaps) with their outreach histories, and a few of them
turned into lead projects through the real service.

Call `generate_promotion` after the pipeline and the serving data (it reads the enterprises
and their chain nodes to find the gaps). Bulk inserts in batches; audit entries through the
writer like the rest of the demo.
"""

import datetime
import random
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model

from vanco.accounts.enums import Role
from vanco.demo import words
from vanco.demo.bulk import BulkWriter
from vanco.demo.people import tax_code_check_digit
from vanco.industries import queries, services
from vanco.industries.enums import OutreachChannel, ProspectStatus
from vanco.industries.models import Industry, OutreachActivity, Prospect
from vanco.org.models import Locality


@dataclass(frozen=True)
class PromotionScale:
    prospects: int
    conversions: int
    #: outreach activities per prospect, as a multiple of the base ranges below
    activity_factor: float


PROMOTION_SCALES = {
    "small": PromotionScale(prospects=90, conversions=6, activity_factor=1.0),
    "medium": PromotionScale(prospects=600, conversions=20, activity_factor=1.6),
    "large": PromotionScale(prospects=3200, conversions=60, activity_factor=2.6),
}

#: (status, weight, base range of outreach activities)
STATUS_PLAN = (
    (ProspectStatus.IDENTIFIED, 20, (0, 0)),
    (ProspectStatus.CONTACTED, 30, (1, 3)),
    (ProspectStatus.INTERESTED, 20, (2, 5)),
    (ProspectStatus.NEGOTIATING, 18, (4, 9)),
    (ProspectStatus.DECLINED, 12, (1, 4)),
)

NATIONS = (("VN", 3), ("KR", 3), ("JP", 2), ("CN", 3))
KOREAN_BRANDS = next(brands for code, _w, _f, brands in words.FOREIGN_INVESTORS if code == "KR")
JAPANESE_BRANDS = next(brands for code, _w, _f, brands in words.FOREIGN_INVESTORS if code == "JP")

CHANNEL_WEIGHTS = (
    (OutreachChannel.EMAIL, 4),
    (OutreachChannel.PHONE, 3),
    (OutreachChannel.ONLINE, 3),
    (OutreachChannel.MEETING, 3),
    (OutreachChannel.VISIT, 2),
    (OutreachChannel.FAIR, 1),
    (OutreachChannel.OTHER, 1),
)
OUTCOMES = {
    OutreachChannel.EMAIL: (
        "Gửi thư giới thiệu chuỗi ngành và hồ sơ các khu công nghiệp.",
        "Nhà đầu tư phản hồi, đề nghị gửi thêm số liệu về lao động và giá thuê đất.",
        "Gửi bản đánh giá nguồn cung linh kiện trong vùng theo yêu cầu.",
    ),
    OutreachChannel.PHONE: (
        "Trao đổi qua điện thoại với giám đốc phát triển dự án.",
        "Xác nhận lịch làm việc, nhà đầu tư cử đoàn khảo sát.",
    ),
    OutreachChannel.ONLINE: (
        "Họp trực tuyến giới thiệu ưu đãi đầu tư của thành phố.",
        "Họp trực tuyến với bộ phận pháp chế về thủ tục chấp thuận chủ trương.",
    ),
    OutreachChannel.MEETING: (
        "Làm việc tại trụ sở Ban Chỉ đạo; nhà đầu tư quan tâm quỹ đất 20–30 ha.",
        "Lãnh đạo thành phố tiếp đoàn; hai bên thống nhất lộ trình khảo sát.",
        "Thảo luận điều kiện hạ tầng điện, nước và xử lý nước thải.",
    ),
    OutreachChannel.VISIT: (
        "Đoàn nhà đầu tư khảo sát khu công nghiệp và cảng.",
        "Đoàn công tác thành phố thăm nhà máy của nhà đầu tư ở nước ngoài.",
    ),
    OutreachChannel.FAIR: (
        "Gặp tại hội nghị xúc tiến đầu tư; trao đổi danh thiếp và tài liệu.",
        "Gặp tại triển lãm chuyên ngành; nhà đầu tư đang tìm địa điểm mở rộng.",
    ),
    OutreachChannel.OTHER: (
        "Thương vụ Việt Nam giới thiệu nhà đầu tư.",
        "Hiệp hội doanh nghiệp chuyển thông tin nhu cầu đầu tư.",
    ),
}
NEXT_STEPS = (
    "Gửi bộ hồ sơ ưu đãi",
    "Mời khảo sát thực địa",
    "Chuẩn bị biên bản ghi nhớ",
    "Làm rõ nhu cầu quỹ đất",
    "Kết nối với chủ đầu tư hạ tầng khu công nghiệp",
    "",
)
PARTICIPANTS = ("", "", "Thương vụ Việt Nam tại Hàn Quốc", "KOTRA Hà Nội", "JETRO Hà Nội", "")
DECLINE_REASONS = (
    "Nhà đầu tư đã chọn địa điểm ở tỉnh khác.",
    "Tạm dừng kế hoạch mở rộng do thị trường.",
    "Quỹ đất sạch chưa đáp ứng tiến độ nhà đầu tư yêu cầu.",
)


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


class _Names:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.tax_codes: set[str] = set()

    def company(self, nation: str, industry_code: str) -> str:
        rng = self.rng
        if nation == "KR":
            return f"{rng.choice(KOREAN_BRANDS)} Co., Ltd."
        if nation == "JP":
            return f"{rng.choice(JAPANESE_BRANDS)} Co., Ltd."
        if nation == "CN":
            trades = words.CHINESE_TRADES.get(industry_code, ("科技",))
            brand = rng.choice(words.CHINESE_FIRM_BRANDS)
            return f"{rng.choice(words.CHINESE_CITIES)}{brand}{rng.choice(trades)}有限公司"
        trades = words.COMPANY_TRADES.get(industry_code, ("Đầu tư",))
        return f"Công ty TNHH {rng.choice(trades)} {rng.choice(words.COMPANY_BRANDS)}"

    def tax_code(self) -> str:
        """A valid Vietnamese tax code outside the range the rest of the demo uses."""
        while True:
            first_nine = "09" + f"{self.rng.randrange(10_000_000):07d}"
            check = tax_code_check_digit(first_nine)
            code = f"{first_nine}{check}"
            if check is not None and code not in self.tax_codes:
                self.tax_codes.add(code)
                return code


def _holders(role: str, first: str | None = None) -> list:
    users = list(
        get_user_model()
        ._default_manager.filter(role_assignments__role=role, is_active=True, is_system=False)
        .distinct()
        .order_by("pk")
    )
    users.sort(key=lambda u: u.username != first)
    return users


def _assign_chiefs(industries: list[Industry], leaders: list) -> None:
    if not leaders:
        return
    for index, industry in enumerate(industries):
        industry.chief = leaders[index % len(leaders)]
        industry.version += 1
    Industry.objects.bulk_update(industries, ["chief", "version"])


def generate_promotion(
    *, writer: BulkWriter, actor, seed: int, scale: str, today: datetime.date
) -> None:
    """Chain chiefs, prospects at the gaps with outreach histories, some converted to leads.

    Needs the industries with their chains, the enterprises with their chain nodes, the
    users (the fixed logins lanhdao, dieuphoi and quan1 are used when present) and the
    localities. `actor` (the system user) owns the audit entries of the bulk rows; the
    conversions run as the coordinator through `convert_prospect_to_lead`.
    """
    plan = PROMOTION_SCALES[scale]
    rng = random.Random(f"promotion-{seed}")
    names = _Names(rng)
    industries = list(Industry.objects.filter(is_active=True).order_by("sort_order", "name"))
    leaders = _holders(Role.LEADER, first="lanhdao")
    coordinators = _holders(Role.COORDINATOR, first="dieuphoi")
    officers = _holders(Role.LOCALITY, first="quan1")
    if not industries or not coordinators:
        return
    coordinator = coordinators[0]
    _assign_chiefs(industries, leaders)

    # Where to look: key gaps first, then gaps, then key nodes already covered (deepening).
    weighted = []
    for industry in industries:
        for node in queries.chain_nodes(coordinator, industry):
            weight = 8 if node.is_key_gap else 3 if node.is_gap else 1 if node.is_key else 0
            if weight:
                weighted.append(((industry, node), weight))
    if not weighted:
        return
    # The fixed locality officer owns a good share, so that quan1 has a list of their own.
    owners = [(officers[0], 4)] if officers else []
    owners += [(user, 1) for user in officers[1:12]] + [(user, 2) for user in coordinators[:3]]
    officials = [user for user, _w in owners] + leaders[:2]

    prospects: list[Prospect] = []
    histories: list[tuple[Prospect, int]] = []
    for _n in range(plan.prospects):
        industry, node = _weighted(rng, weighted)
        nation = _weighted(rng, NATIONS)
        status, _w, (low, high) = _weighted(rng, [(row, row[1]) for row in STATUS_PLAN])
        owner = _weighted(rng, owners) if owners else coordinator
        prospect = Prospect(
            industry=industry,
            node_id=node.id,
            company_name=names.company(nation, industry.code),
            country=nation,
            tax_code=names.tax_code() if nation == "VN" else "",
            contact_name="",
            contact_phone=f"+{rng.choice(('84', '82', '81', '86'))} {rng.randrange(10**8, 10**9)}",
            contact_email=f"invest{rng.randrange(1000)}@example.com",
            estimated_investment=rng.choice((150, 300, 500, 800, 1200, 2500, 4000)),
            status=status,
            owner=owner,
            notes="",
            version=1,
        )
        if status == ProspectStatus.DECLINED:
            prospect.notes = rng.choice(DECLINE_REASONS)
        prospects.append(prospect)
        count = round(rng.randint(low, high) * plan.activity_factor)
        histories.append((prospect, count))
    writer.insert(prospects)

    activities: list[OutreachActivity] = []
    links: list[tuple[OutreachActivity, list]] = []
    through = OutreachActivity.officials.through
    for prospect, count in histories:
        day = today - datetime.timedelta(days=rng.randint(30, 540))
        for _i in range(count):
            day = min(today, day + datetime.timedelta(days=rng.randint(3, 40)))
            channel = _weighted(rng, CHANNEL_WEIGHTS)
            activity = OutreachActivity(
                prospect_id=prospect.pk,
                occurred_on=day,
                channel=channel,
                participants=rng.choice(PARTICIPANTS),
                outcome=rng.choice(OUTCOMES[channel]),
                next_step=rng.choice(NEXT_STEPS),
                recorded_by=prospect.owner or coordinator,
                version=1,
            )
            activities.append(activity)
            people = {prospect.owner_id or coordinator.pk}
            if rng.random() < 0.3:
                people.add(rng.choice(officials).pk)
            links.append((activity, sorted(people)))
            prospect.last_contact_on = day
        if len(activities) >= writer.batch_size:
            _flush_activities(writer, activities, links, through)
    _flush_activities(writer, activities, links, through)
    Prospect.objects.bulk_update(
        [p for p, count in histories if count], ["last_contact_on"], batch_size=writer.batch_size
    )
    writer.flush_audit(actor)

    _convert_some(rng, names, plan, prospects, coordinator, officers)


def _flush_activities(writer, activities, links, through) -> None:
    writer.insert(activities)
    through.objects.bulk_create(
        [
            through(outreachactivity_id=activity.pk, user_id=user_id)
            for activity, people in links
            for user_id in people
        ],
        batch_size=writer.batch_size,
    )
    writer.flushed[through._meta.label] += sum(len(people) for _a, people in links)
    activities.clear()
    links.clear()


def _convert_some(rng, names, plan, prospects, coordinator, officers) -> None:
    """A few negotiating prospects become lead projects, through the service; half of them
    in the fixed locality officer's district, so that quan1 sees their leads."""
    candidates = [p for p in prospects if p.status == ProspectStatus.NEGOTIATING]
    rng.shuffle(candidates)
    home = None
    if officers:
        home = (
            Locality.objects.filter(
                role_assignments__user=officers[0], role_assignments__role=Role.LOCALITY
            )
            .order_by("pk")
            .first()
        )
    elsewhere = list(Locality.objects.filter(is_active=True, depth=1).order_by("pk")[:20])
    for index, prospect in enumerate(candidates[: plan.conversions]):
        locality = home if home is not None and index % 2 == 0 else rng.choice(elsewhere)
        # A major lead gets its chain's chief as the leader in charge.
        major = (prospect.estimated_investment or 0) >= settings.VANCO_MAJOR_PROJECT_THRESHOLD
        services.convert_prospect_to_lead(
            actor=coordinator,
            prospect=prospect.pk,
            locality=locality,
            tax_code=prospect.tax_code or names.tax_code(),
            expected_version=1,
            leader=prospect.industry.chief if major else None,
        )
