import io
from collections import Counter

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import RequestFactory
from django.utils import translation

from vanco.accounts.enums import Role
from vanco.accounts.models import RoleAssignment, User
from vanco.core.audit import SYSTEM_USERNAME
from vanco.core.identifiers import vn_tax_code_is_valid
from vanco.core.tree import child_path
from vanco.demo import DEMO_PASSWORD, demo_logins
from vanco.demo.people import tax_code_check_digit, vietnamese_username
from vanco.industries.enums import ChainSegment
from vanco.industries.models import ChainNode, Industry
from vanco.org.enums import LocalityKind
from vanco.org.models import Department, Locality

EXPECTED_LOGINS = [
    ("lanhdao", "City leader", "Whole city"),
    ("dieuphoi", "Coordinator", "Whole city"),
    ("kiemtra", "Auditor", "Whole city"),
    ("so.khdt", "Department officer", "Sở Kế hoạch và Đầu tư"),
    ("quan1", "Locality officer", "Quận Hồng Hà"),
    ("kcn1", "Locality officer", "Khu công nghiệp Nam Vạn An"),
    ("canbo", "Paired official", "Paired enterprises"),
    ("doanhnghiep", "Enterprise user", "MST 0801234560"),
    ("qiye", "Enterprise user", "MST 0808888883"),
]


def run_demo(*args, **options) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out, **options)
    return out.getvalue()


def snapshot() -> list[tuple]:
    """Everything a seed decides, without primary keys (PostgreSQL does not reuse them)."""
    return [
        *Locality.objects.order_by("code").values_list(
            "code", "name", "kind", "parent__code", "depth", "search_text"
        ),
        *Department.objects.order_by("code").values_list("code", "name", "email", "phone"),
        *ChainNode.objects.order_by("industry__code", "code").values_list(
            "industry__code", "code", "name", "segment", "is_key", "parent__code", "depth"
        ),
        *User.objects.order_by("username").values_list(
            "username", "full_name", "title", "email", "phone", "language"
        ),
        *RoleAssignment.objects.order_by(
            "user__username", "role", "locality__code", "department__code"
        ).values_list(
            "user__username", "role", "locality__code", "department__code", "enterprise_tax_code"
        ),
    ]


class _Rollback(Exception):
    pass


def snapshot_of_fresh_demo(**options) -> list[tuple]:
    try:
        with transaction.atomic():
            run_demo(**options)
            taken = snapshot()
            raise _Rollback
    except _Rollback:
        pass
    assert not Locality.objects.exists()
    return taken


@pytest.mark.django_db
def test_demo_same_seed_gives_same_data():
    first = snapshot_of_fresh_demo(seed=7)
    second = snapshot_of_fresh_demo(seed=7)

    assert len(first) == 356
    assert first == second


@pytest.mark.django_db
def test_demo_other_seed_gives_other_people_same_fixed_logins():
    first = snapshot_of_fresh_demo(seed=1)
    run_demo(seed=2)

    assert snapshot() != first
    with translation.override("en"):
        assert demo_logins() == EXPECTED_LOGINS


@pytest.mark.django_db
def test_demo_small_creates_expected_counts():
    out = run_demo()

    assert Locality.objects.count() == 47
    assert Counter(Locality.objects.values_list("kind", flat=True)) == {
        LocalityKind.CITY: 1,
        LocalityKind.DISTRICT: 3,
        LocalityKind.COUNTY: 4,
        LocalityKind.TOWN: 1,
        LocalityKind.INDUSTRIAL_PARK: 4,
        LocalityKind.COMMUNE: 34,
    }
    assert Department.objects.count() == 19
    assert Industry.objects.count() == 6
    assert ChainNode.objects.count() == 185
    assert User.objects.exclude(username=SYSTEM_USERNAME).count() == 49
    assert "Created in" in out


@pytest.mark.django_db
def test_demo_every_role_has_users():
    run_demo()

    roles = Counter(RoleAssignment.objects.values_list("role", flat=True))
    assert set(roles) == set(Role.values)
    assert roles[Role.LEADER] == 2
    assert roles[Role.COORDINATOR] == 2
    assert roles[Role.AUDITOR] == 1
    assert roles[Role.DEPARTMENT] == Department.objects.count() == 19
    assert roles[Role.LOCALITY] == 12  # one per district, county, town and park
    assert roles[Role.ENTERPRISE] == 3
    cadres_only = RoleAssignment.objects.filter(role=Role.CADRE).exclude(
        user__role_assignments__role=Role.LOCALITY
    )
    assert cadres_only.count() == 10


@pytest.mark.django_db
def test_demo_logins_authenticate_with_demo_password():
    run_demo()
    request = RequestFactory().post("/")

    with translation.override("en"):
        logins = demo_logins()
    assert logins == EXPECTED_LOGINS
    for username, _role, _scope in logins:
        user = authenticate(request, username=username, password=DEMO_PASSWORD)
        assert user is not None and user.username == username
        validate_password(DEMO_PASSWORD, user)


@pytest.mark.django_db
def test_demo_fixed_logins_have_their_scopes():
    run_demo()

    quan1 = RoleAssignment.objects.get(user__username="quan1")
    kcn1 = RoleAssignment.objects.get(user__username="kcn1")
    so_khdt = RoleAssignment.objects.get(user__username="so.khdt")
    assert (quan1.role, quan1.locality.kind) == (Role.LOCALITY, LocalityKind.DISTRICT)
    assert (kcn1.role, kcn1.locality.kind) == (Role.LOCALITY, LocalityKind.INDUSTRIAL_PARK)
    assert (so_khdt.role, so_khdt.department.code) == (Role.DEPARTMENT, "SKHDT")
    assert User.objects.get(username="lanhdao").full_name == "Nguyễn Quốc Trung"
    assert User.objects.get(username="qiye").language == "zh-hans"


@pytest.mark.django_db
def test_demo_tree_paths_match_parents():
    run_demo()

    for model in (Locality, ChainNode):
        rows = {row.pk: row for row in model.objects.all()}
        for row in rows.values():
            parent = rows.get(row.parent_id)
            expected_path = child_path(parent.path if parent else None, row.pk)
            expected_depth = parent.depth + 1 if parent else 0
            assert (row.path, row.depth) == (expected_path, expected_depth), row.code
    city = Locality.objects.get(parent=None)
    assert city.kind == LocalityKind.CITY
    assert Locality.objects.filter(path__startswith=city.path).count() == 47


@pytest.mark.django_db
def test_demo_chains_have_15_to_40_nodes_in_three_segments():
    run_demo(scale="small")

    for industry in Industry.objects.all():
        nodes = ChainNode.objects.filter(industry=industry)
        assert 15 <= nodes.count() <= 40, industry.code
        assert set(nodes.values_list("segment", flat=True)) == set(ChainSegment.values)
        assert nodes.filter(is_key=True).exists()
        assert max(nodes.values_list("depth", flat=True)) == 2
        assert not nodes.exclude(parent=None).exclude(parent__industry=industry).exists()


@pytest.mark.django_db
def test_demo_enterprise_tax_codes_are_valid():
    run_demo(scale="medium")

    codes = list(
        RoleAssignment.objects.filter(role=Role.ENTERPRISE).values_list(
            "enterprise_tax_code", flat=True
        )
    )
    assert len(codes) == 15
    assert [code for code in codes if not vn_tax_code_is_valid(code)] == []


@pytest.mark.django_db
def test_demo_medium_has_three_times_the_people():
    run_demo(scale="medium")

    assert User.objects.exclude(username=SYSTEM_USERNAME).count() == 149
    assert Locality.objects.filter(kind=LocalityKind.COMMUNE).count() == 112


@pytest.mark.django_db
def test_demo_audit_entry_by_system_for_every_created_row():
    run_demo()

    system = User.objects.get(username=SYSTEM_USERNAME)
    models = (Locality, Department, Industry, ChainNode, User, RoleAssignment)
    for model in models:
        logged = LogEntry.objects.get_for_objects(model.objects.all())
        created = logged.filter(action=LogEntry.Action.CREATE, actor=system)
        rows = model.objects.exclude(username=SYSTEM_USERNAME) if model is User else model.objects
        expected = set(rows.values_list("pk", flat=True))
        assert set(created.values_list("object_id", flat=True)) == expected, model
    entry = LogEntry.objects.get(
        content_type__model="locality", object_pk=str(Locality.objects.get(code="HH").pk)
    )
    assert entry.object_repr == "Quận Hồng Hà"
    assert entry.changes["code"] == [None, "HH"]
    assert "path" not in entry.changes  # derived from the parent: not a change anyone made


@pytest.mark.django_db
def test_demo_search_text_is_folded():
    run_demo()

    assert Locality.objects.get(code="HH").search_text == "hh quan hong ha"
    assert (
        Department.objects.get(code="SKHDT").search_text == "skhdt so ke hoach va dau tu so kh&dt"
    )
    assert User.objects.get(username="lanhdao").search_text.startswith("lanhdao nguyen quoc trung")


@pytest.mark.django_db
def test_demo_if_empty_on_populated_database_creates_nothing():
    run_demo()
    before = snapshot()
    entries = LogEntry.objects.count()

    out = run_demo(if_empty=True)

    assert snapshot() == before
    assert LogEntry.objects.count() == entries
    assert "nothing created" in out
    assert "doanhnghiep" in out and DEMO_PASSWORD in out


@pytest.mark.django_db
def test_demo_refuses_populated_database_without_if_empty():
    run_demo()
    users = User.objects.count()

    with pytest.raises(CommandError, match="fresh"):
        run_demo(seed=2)

    assert User.objects.count() == users


@pytest.mark.django_db
def test_demo_refuses_when_demo_username_is_taken():
    User.objects.create_user(username="lanhdao", full_name="Someone Else", password=None)

    with pytest.raises(CommandError, match="lanhdao"):
        run_demo()

    assert not Locality.objects.exists()


def test_vietnamese_username_uses_given_name_and_initials():
    assert vietnamese_username("Nguyễn Văn Hùng") == "hungnv"
    assert vietnamese_username("Trần Thị Thu Hà") == "hattt"
    assert vietnamese_username("Đặng Đức Đạt") == "datdd"


def test_tax_code_check_digit_matches_validator():
    assert tax_code_check_digit("010010910") == 6
    assert vn_tax_code_is_valid("0100109106")
    assert tax_code_check_digit("080123456") == 0
    assert tax_code_check_digit("000000000") is None  # 10 - 0 % 11 == 10: no digit fits
