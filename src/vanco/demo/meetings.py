"""Demo meetings and directives: a leading group meeting each month, dispatch meetings twice a
month (weekly at the large scale), task force meetings, their agendas and minutes in
Vietnamese, and directives in every state, overdue ones carried over to the next agendas.

`generate_meetings(writer=..., actor=..., seed=..., scale=..., today=...)` runs after the
pipeline and the serving data (it reads users, departments, localities, red projects and
escalated obstacles from the database). The fixed logins get something to see: `lanhdao`
issues most directives, `dieuphoi` prepares the meetings, the department of `so.khdt` and the
locality of `quan1` have directives of every state in their inbox.
"""

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import timezone

from vanco.accounts.enums import Role
from vanco.accounts.models import RoleAssignment
from vanco.demo.bulk import BulkWriter, own_timestamps
from vanco.meetings.enums import (
    AgendaSource,
    DirectiveStatus,
    MeetingKind,
    MeetingStatus,
    UpdateKind,
)
from vanco.meetings.models import AgendaItem, Directive, DirectiveUpdate, Meeting
from vanco.obstacles.enums import UNRESOLVED_STATUSES, Level
from vanco.obstacles.models import Obstacle
from vanco.org.enums import LocalityKind
from vanco.org.models import Department, Locality
from vanco.projects.enums import Light
from vanco.projects.models import Project


@dataclass(frozen=True)
class MeetingScale:
    years: int
    dispatch_every_days: int
    task_force_every_days: int
    directives_per_meeting: tuple[int, int]


SCALES = {
    "small": MeetingScale(
        years=1, dispatch_every_days=15, task_force_every_days=60, directives_per_meeting=(1, 4)
    ),
    "medium": MeetingScale(
        years=2, dispatch_every_days=15, task_force_every_days=30, directives_per_meeting=(2, 6)
    ),
    # About 500 meetings, 5,000 directives and 25,000 updates.
    "large": MeetingScale(
        years=3, dispatch_every_days=5, task_force_every_days=10, directives_per_meeting=(14, 20)
    ),
}

KIND_TITLES = {
    MeetingKind.LEADING_GROUP: "Họp Ban Chỉ đạo phát triển công nghiệp và xúc tiến đầu tư",
    MeetingKind.DISPATCH: "Giao ban điều độ tiến độ dự án",
    MeetingKind.TASK_FORCE_1: "Họp Tổ công tác số 1 (quy hoạch chuỗi và xúc tiến đầu tư)",
    MeetingKind.TASK_FORCE_2: "Họp Tổ công tác số 2 (xây dựng và vận hành dự án)",
}
LOCATIONS = [
    "Phòng họp số 1, trụ sở UBND thành phố",
    "Hội trường tầng 3, Sở Kế hoạch và Đầu tư",
    "Phòng họp trực tuyến kết nối các quận, huyện",
    "Ban Quản lý các khu công nghiệp",
]
TASKS = [
    "Đẩy nhanh giải phóng mặt bằng {target}",
    "Hoàn thiện hồ sơ thủ tục đầu tư {target}",
    "Tháo gỡ vướng mắc đấu nối điện cho {target}",
    "Rà soát quỹ đất công nghiệp tại {place}",
    "Báo cáo tình hình giải ngân vốn đầu tư tại {place}",
    "Tổ chức đối thoại doanh nghiệp tại {place}",
    "Đề xuất cơ chế hỗ trợ nhà đầu tư chiến lược tại {place}",
    "Kiểm tra tiến độ xây dựng {target}",
]
TEXTS = [
    "Giao {units} chủ trì, phối hợp các đơn vị liên quan khẩn trương thực hiện; báo cáo kết quả "
    "về Văn phòng Ban Chỉ đạo trước thời hạn.",
    "Yêu cầu {units} tập trung tháo gỡ dứt điểm, không để kéo dài ảnh hưởng tiến độ dự án.",
    "{units} rà soát, tổng hợp và đề xuất giải pháp cụ thể, trình Ban Chỉ đạo tại phiên họp tới.",
]
MINUTES = [
    "Ban Chỉ đạo đã nghe Văn phòng báo cáo tình hình thực hiện nhiệm vụ trong kỳ. Các đại biểu "
    "thảo luận về những dự án chậm tiến độ và các khó khăn, vướng mắc kéo dài.",
    "Kết luận: các sở, ngành và địa phương tập trung tháo gỡ vướng mắc về mặt bằng, thủ tục "
    "và hạ tầng; những nhiệm vụ quá hạn được đưa vào chương trình phiên họp tiếp theo.",
    "Giao Văn phòng Ban Chỉ đạo theo dõi, đôn đốc và tổng hợp kết quả thực hiện các chỉ đạo.",
]
DECISIONS = [
    "Thống nhất giao đơn vị chủ trì xử lý, báo cáo trước phiên họp tới.",
    "Đồng ý đề xuất của Sở Kế hoạch và Đầu tư.",
    "Yêu cầu hoàn thành dứt điểm trong tháng.",
    "Tiếp tục theo dõi tại phiên giao ban sau.",
]
PROGRESS = [
    "Đã làm việc với nhà đầu tư và các hộ dân liên quan.",
    "Đã hoàn thành khoảng một nửa khối lượng công việc.",
    "Đang chờ ý kiến thẩm định của các sở, ngành.",
    "Đã tổ chức kiểm tra hiện trường, lập biên bản.",
]
EVIDENCE = [
    "Đã hoàn thành; biên bản bàn giao mặt bằng gửi kèm báo cáo.",
    "Văn bản báo cáo kết quả số {n}/BC đã gửi Văn phòng Ban Chỉ đạo.",
    "Nhà đầu tư đã nhận giấy phép; vướng mắc được tháo gỡ.",
]


class _Maker:
    def __init__(self, rng: random.Random, today: datetime.date):
        self.rng = rng
        self.today = today
        users = get_user_model()._default_manager
        ids = dict(users.values_list("username", "pk"))
        self.leaders, self.coordinators = [], []
        self.department_of, self.locality_of = {}, {}
        for user_id, role, department_id, locality_id in RoleAssignment.objects.values_list(
            "user_id", "role", "department_id", "locality_id"
        ):
            if role == Role.LEADER:
                self.leaders.append(user_id)
            elif role == Role.COORDINATOR:
                self.coordinators.append(user_id)
            elif role == Role.DEPARTMENT and department_id:
                self.department_of.setdefault(user_id, department_id)
            elif role == Role.LOCALITY and locality_id:
                self.locality_of.setdefault(user_id, locality_id)
        self.lanhdao = ids.get("lanhdao") or (self.leaders[0] if self.leaders else None)
        self.dieuphoi = ids.get("dieuphoi") or (self.coordinators[0] if self.coordinators else None)
        self.departments = dict(Department.objects.filter(is_active=True).values_list("pk", "name"))
        top = Locality.objects.filter(
            is_active=True,
            kind__in=[LocalityKind.DISTRICT, LocalityKind.COUNTY, LocalityKind.TOWN],
        )
        self.localities = dict(top.values_list("pk", "name"))
        # The fixed logins' units get a directive at every meeting of the leading group.
        self.pinned_department = self.department_of.get(ids.get("so.khdt"))
        self.pinned_locality = self.locality_of.get(ids.get("quan1"))
        if self.pinned_locality is not None:
            self.localities.setdefault(
                self.pinned_locality,
                Locality.objects.filter(pk=self.pinned_locality).values_list("name", flat=True)[0],
            )
        self.red = list(
            Project.objects.filter(light=Light.RED)
            .order_by("pk")
            .values_list("pk", "name", "light_reasons")[:400]
        )
        self.escalated = list(
            Obstacle.objects.filter(
                escalation_level__gte=Level.LEADER, status__in=UNRESOLVED_STATUSES
            )
            .order_by("pk")
            .values_list("pk", "title")[:200]
        )

    def at(self, day: datetime.date, hour: int) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _schedule(plan: MeetingScale, today: datetime.date) -> list[tuple[str, datetime.date]]:
    start = today - datetime.timedelta(days=365 * plan.years)
    meetings = []
    month = datetime.date(start.year, start.month, 1)
    while month <= today + datetime.timedelta(days=20):
        meetings.append((MeetingKind.LEADING_GROUP, month + datetime.timedelta(days=9)))
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    day = start
    while day <= today + datetime.timedelta(days=10):
        meetings.append((MeetingKind.DISPATCH, day))
        day += datetime.timedelta(days=plan.dispatch_every_days)
    day = start + datetime.timedelta(days=3)
    while day <= today + datetime.timedelta(days=10):
        meetings.append((MeetingKind.TASK_FORCE_1, day))
        meetings.append((MeetingKind.TASK_FORCE_2, day + datetime.timedelta(days=1)))
        day += datetime.timedelta(days=plan.task_force_every_days)
    # Weekends move to Monday.
    moved = []
    for kind, when in meetings:
        while when.weekday() >= 5:
            when += datetime.timedelta(days=1)
        moved.append((kind, when))
    return sorted(moved, key=lambda pair: (pair[1], pair[0]))


def generate_meetings(
    *, writer: BulkWriter, actor, seed: int, scale: str, today: datetime.date
) -> None:
    """Meetings, agenda items, directives (with their departments and localities) and their
    updates; counts and audit entries are added to `writer`."""
    plan = SCALES[scale]
    rng = random.Random(f"meetings-{seed}")
    maker = _Maker(rng, today)
    if maker.lanhdao is None or not (maker.departments or maker.localities):
        return
    with own_timestamps(Meeting, AgendaItem, Directive):
        meetings = _write_meetings(writer, maker, plan, today)
        directives = _write_directives(writer, maker, plan, meetings, today)
        writer.flush_audit(actor)
        _write_agendas(writer, maker, meetings, directives, today)
        writer.flush_audit(actor)


def _write_meetings(writer, maker: _Maker, plan, today) -> list[Meeting]:
    rng = maker.rng
    rows = []
    numbers: dict[str, int] = {}
    for kind, day in _schedule(plan, today):
        numbers[kind] = numbers.get(kind, 0) + 1
        starts = maker.at(day, rng.choice([8, 9, 14]))
        held = day < today
        chair = (
            maker.lanhdao
            if kind == MeetingKind.LEADING_GROUP
            else rng.choice(maker.leaders or [maker.lanhdao])
        )
        rows.append(
            Meeting(
                kind=kind,
                title=f"{KIND_TITLES[kind]} — phiên {numbers[kind]} ({day:%m/%Y})",
                starts_at=starts,
                location=rng.choice(LOCATIONS),
                chair_id=chair,
                minutes="\n\n".join(MINUTES) if held else "",
                status=MeetingStatus.HELD if held else MeetingStatus.PLANNED,
                created_at=starts - datetime.timedelta(days=7),
                updated_at=starts + datetime.timedelta(hours=4) if held else starts,
            )
        )
    writer.insert(rows)
    through = Meeting.attendees.through
    attendees = [maker.lanhdao, maker.dieuphoi, *maker.leaders[:3], *list(maker.department_of)[:4]]
    attendees = sorted({pk for pk in attendees if pk})
    through.objects.bulk_create(
        [through(meeting_id=m.pk, user_id=u) for m in rows for u in attendees],
        batch_size=writer.batch_size,
    )
    return rows


def _units(maker: _Maker, pinned: bool) -> tuple[list[int], list[int]]:
    rng = maker.rng
    departments = rng.sample(sorted(maker.departments), k=min(len(maker.departments), 1))
    localities = []
    if maker.localities and rng.random() < 0.5:
        localities = rng.sample(sorted(maker.localities), k=min(len(maker.localities), 2))
    if pinned:
        if maker.pinned_department and rng.random() < 0.6:
            departments = [maker.pinned_department]
        elif maker.pinned_locality:
            localities = [maker.pinned_locality]
    if not departments and not localities:
        departments = [rng.choice(sorted(maker.departments))]
    return sorted(set(departments)), sorted(set(localities))


def _write_directives(writer, maker: _Maker, plan, meetings, today) -> list[Directive]:
    rng = maker.rng
    directives: list[Directive] = []
    links: list[tuple[Directive, list[int], list[int], int | None]] = []
    updates: list[tuple[Directive, list[tuple]]] = []
    issued = [m for m in meetings if m.status == MeetingStatus.HELD]
    for meeting in issued:
        low, high = plan.directives_per_meeting
        if meeting.kind != MeetingKind.LEADING_GROUP:
            low, high = low // 2, max(1, high * 2 // 3)
        for index in range(rng.randint(low, high)):
            pinned = (
                meeting.kind == MeetingKind.LEADING_GROUP and index == 0
            ) or rng.random() < 0.1
            departments, localities = _units(maker, pinned)
            names = [maker.departments[d] for d in departments] + [
                maker.localities[loc] for loc in localities
            ]
            project = rng.choice(maker.red) if maker.red and rng.random() < 0.5 else None
            place = maker.localities[localities[0]] if localities else "địa bàn thành phố"
            target = f"dự án {project[1]}" if project else f"các dự án tại {place}"
            title = rng.choice(TASKS).format(target=target, place=place)[:255]
            issued_at = meeting.starts_at + datetime.timedelta(hours=3)
            due = issued_at.date() + datetime.timedelta(days=rng.choice([14, 21, 30, 45, 60]))
            directive = Directive(
                title=title,
                text=rng.choice(TEXTS).format(units=", ".join(names)),
                issued_by_id=maker.lanhdao
                if rng.random() < 0.7
                else rng.choice(maker.leaders or [maker.lanhdao]),
                issued_at=issued_at,
                meeting_id=meeting.pk,
                due_on=due,
                created_at=issued_at,
                updated_at=issued_at,
            )
            events = _life(maker, directive, today)
            directives.append(directive)
            links.append((directive, departments, localities, project[0] if project else None))
            updates.append((directive, events))
    writer.insert(directives)
    through_d = Directive.departments.through
    through_l = Directive.localities.through
    through_p = Directive.projects.through
    through_d.objects.bulk_create(
        [through_d(directive_id=d.pk, department_id=x) for d, deps, _l, _p in links for x in deps],
        batch_size=writer.batch_size,
    )
    through_l.objects.bulk_create(
        [through_l(directive_id=d.pk, locality_id=x) for d, _d, locs, _p in links for x in locs],
        batch_size=writer.batch_size,
    )
    through_p.objects.bulk_create(
        [through_p(directive_id=d.pk, project_id=p) for d, _d, _l, p in links if p],
        batch_size=writer.batch_size,
    )
    rows = []
    for directive, events in updates:
        for kind, actor_id, from_status, to_status, at, note, due_on in events:
            rows.append(
                DirectiveUpdate(
                    directive_id=directive.pk,
                    kind=kind,
                    actor_id=actor_id,
                    from_status=from_status,
                    to_status=to_status,
                    at=at,
                    note=note,
                    due_on=due_on,
                )
            )
            if len(rows) >= writer.batch_size * 5:
                writer.insert(rows)
                rows = []
    writer.insert(rows)
    return directives


def _life(maker: _Maker, directive: Directive, today: datetime.date) -> list[tuple]:
    """The directive's steps up to today; sets its status, evidence, done_at and overdue flag."""
    rng = maker.rng
    assignee = rng.choice(list(maker.department_of) or [maker.dieuphoi])
    at = directive.issued_at
    now = maker.at(today, 7)
    events = [(UpdateKind.ISSUED, maker.dieuphoi, "", DirectiveStatus.ISSUED, at, "", None)]
    status = DirectiveStatus.ISSUED
    age = (today - at.date()).days
    late = directive.due_on < today
    # How far it got: most past-due directives are done, a quarter stay open (overdue).
    if late:
        stage = 4 if rng.random() < 0.75 else rng.choice([0, 1, 2, 3])
    else:
        stage = min(rng.choice([0, 1, 1, 2, 3, 4]), max(0, age // 3))
    steps = [
        (UpdateKind.ACKNOWLEDGED, DirectiveStatus.ACKNOWLEDGED),
        (UpdateKind.STARTED, DirectiveStatus.IN_PROGRESS),
        (UpdateKind.PROGRESS, DirectiveStatus.IN_PROGRESS),
        (UpdateKind.DONE, DirectiveStatus.DONE),
    ]
    for kind, to_status in steps[:stage]:
        finish_by = directive.due_on if kind != UpdateKind.DONE or rng.random() < 0.8 else today
        limit = min(maker.at(finish_by, 16), now)
        step = max(datetime.timedelta(hours=2), (limit - at) / 3)
        at = min(at + step * rng.uniform(0.3, 1.0), now)
        note = ""
        if kind == UpdateKind.PROGRESS:
            note = rng.choice(PROGRESS)
        elif kind == UpdateKind.DONE:
            note = rng.choice(EVIDENCE).format(n=rng.randint(100, 999))
            directive.evidence = note
            directive.done_at = at
        events.append((kind, assignee, status, to_status, at, note, None))
        status = to_status
    if status != DirectiveStatus.DONE and late:
        overdue_at = maker.at(directive.due_on + datetime.timedelta(days=1), 6)
        events.append((UpdateKind.OVERDUE, maker.dieuphoi, status, status, overdue_at, "", None))
        events.sort(key=lambda event: event[4])
        directive.is_overdue = True
    directive.status = status
    directive.updated_at = max(event[4] for event in events)
    return events


def _write_agendas(writer, maker: _Maker, meetings, directives, today) -> None:
    """Each meeting's agenda: red projects and escalated obstacles (leading group and task
    forces), then every directive overdue and not yet done at the meeting's date (the
    carry-over), then items of its own."""
    rng = maker.rng
    by_due = sorted(directives, key=lambda d: (d.due_on, d.pk))
    items = []
    for meeting in meetings:
        day = timezone.localtime(meeting.starts_at).date()
        agenda = []
        if meeting.kind != MeetingKind.DISPATCH:
            for pk, name, _reasons in rng.sample(maker.red, k=min(2, len(maker.red))):
                agenda.append((AgendaSource.RED_PROJECT, name, {"project_id": pk}))
        if meeting.kind == MeetingKind.LEADING_GROUP:
            for pk, title in rng.sample(maker.escalated, k=min(2, len(maker.escalated))):
                agenda.append(
                    (AgendaSource.ESCALATED_OBSTACLE, f"VM-{pk} {title}", {"obstacle_id": pk})
                )
        if meeting.kind in (MeetingKind.LEADING_GROUP, MeetingKind.DISPATCH):
            carried = [
                d
                for d in by_due
                if d.due_on < day
                and d.issued_at < meeting.starts_at
                and (d.done_at is None or d.done_at > meeting.starts_at)
            ][:8]
            for directive in carried:
                agenda.append(
                    (
                        AgendaSource.OVERDUE_DIRECTIVE,
                        f"CD-{directive.pk} {directive.title}",
                        {"directive_id": directive.pk},
                    )
                )
        agenda.append((AgendaSource.OTHER, "Báo cáo tình hình thực hiện nhiệm vụ trong kỳ", {}))
        held = meeting.status == MeetingStatus.HELD
        for position, (source, title, target) in enumerate(agenda, start=1):
            items.append(
                AgendaItem(
                    meeting_id=meeting.pk,
                    position=position,
                    title=title[:500],
                    source=source,
                    decision=rng.choice(DECISIONS) if held else "",
                    created_at=meeting.created_at,
                    updated_at=meeting.updated_at,
                    **target,
                )
            )
    writer.insert(items)
