"""django-auditlog: who changed what, from where; an append-only log readable by few."""

import datetime as dt
import json
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.urls import reverse

from tests.factories import DepartmentFactory, LocalityFactory
from vanco.accounts.enums import Role
from vanco.accounts.models import ApiToken, RoleAssignment, User
from vanco.accounts.services import RoleSpec, create_user, issue_token
from vanco.api.router import api
from vanco.core.audit import acting_as, acting_as_system
from vanco.org.models import Department, Locality

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
NEW_PASSWORD = "Gió-mùa-đông-bắc-2024"


def _entries_for(obj):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_pk=str(obj.pk)
    ).order_by("pk")


def _is_system(user) -> bool:
    return user is not None and user.username == "system" and user.is_system is True


# --- the actor of each kind of write --------------------------------------------------------


def test_web_edit_records_user_and_remote_addr(coordinator_client, coordinator, world):
    district = world["district_a"]
    response = coordinator_client.post(
        reverse("org:locality-edit", args=[district.pk]),
        {
            "code": "DA",
            "name": "Quận Ánh Dương Mới",
            "kind": district.kind,
            "parent": world["city"].pk,
            "version": district.version,
        },
        REMOTE_ADDR="10.20.30.40",
    )
    assert response.status_code == 302
    entry = _entries_for(district).last()
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.actor == coordinator
    assert entry.remote_addr == "10.20.30.40"
    assert entry.changes_dict["name"] == ["Quận Ánh Dương", "Quận Ánh Dương Mới"]


def test_web_create_records_user(coordinator_client, coordinator, world):
    response = coordinator_client.post(
        reverse("org:department-create"),
        {"code": "SCT", "name": "Sở Công Thương", "short_name": "SCT", "email": "", "phone": ""},
    )
    assert response.status_code == 302
    department = Department.objects.get(code="SCT")
    entries = list(_entries_for(department))
    assert [(e.action, e.actor) for e in entries] == [(LogEntry.Action.CREATE, coordinator)]


def test_api_patch_records_token_user(client, world):
    leader_session = world["users"][Role.LEADER]
    coordinator = world["users"][Role.COORDINATOR]
    _token, raw = issue_token(user=coordinator, name="script")
    district = world["district_b"]
    client.force_login(leader_session)  # a browser session of someone else must not count
    response = client.patch(
        f"/api/v1/localities/{district.pk}",
        data=json.dumps({"version": district.version, "name": "Huyện Bình Sơn Mới"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
        REMOTE_ADDR="192.0.2.7",
    )
    assert response.status_code == 200, response.content
    entry = _entries_for(district).last()
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.actor == coordinator
    assert entry.remote_addr == "192.0.2.7"
    assert entry.changes_dict["name"] == ["Huyện Bình Sơn", "Huyện Bình Sơn Mới"]


def test_user_command_records_system_actor(world):
    call_command(
        "user",
        "add",
        "newbie",
        "--role",
        "locality",
        "--locality",
        "DA",
        "--password",
        NEW_PASSWORD,
        stdout=StringIO(),
    )
    user = User.objects.get(username="newbie")
    assignment = RoleAssignment.objects.get(user=user)
    for obj in (user, assignment):
        entries = list(_entries_for(obj))
        assert [e.action for e in entries] == [LogEntry.Action.CREATE]
        assert _is_system(entries[0].actor)


def test_user_command_every_log_entry_has_an_actor(world):
    # "Writes from commands ... carry an actor too (a system user where no person acted)":
    # this includes the system user itself when the first command creates it.
    before = LogEntry.objects.count()
    call_command(
        "user", "add", "first", "--role", "leader", "--password", NEW_PASSWORD, stdout=StringIO()
    )
    written = list(LogEntry.objects.order_by("pk")[before:])
    assert len(written) >= 2  # the user and its role assignment at least
    assert [e.object_repr for e in written if e.actor_id is None] == []


def test_token_command_records_system_actor(world):
    coordinator = world["users"][Role.COORDINATOR]
    call_command("token", "coordinator", stdout=StringIO())
    token = ApiToken.objects.get(user=coordinator)
    entries = list(_entries_for(token))
    assert [e.action for e in entries] == [LogEntry.Action.CREATE]
    assert _is_system(entries[0].actor)


def test_acting_as_system_records_system_actor(db):
    with acting_as_system() as system:
        department = DepartmentFactory(code="SXD", name="Sở Xây dựng")
    assert _is_system(system)
    entries = list(_entries_for(department))
    assert [(e.action, e.actor) for e in entries] == [(LogEntry.Action.CREATE, system)]


def test_acting_as_system_user_cannot_log_in(client, db):
    with acting_as_system() as system:
        pass
    assert system.is_active is False
    response = client.post(
        reverse("login"), {"username": "system", "password": "any-password-at-all-42"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_acting_as_system_ends_with_block(db):
    with acting_as_system():
        pass
    department = DepartmentFactory(code="SCT", name="Sở Công Thương")
    assert [e.actor for e in _entries_for(department)] == [None]


# --- append-only ----------------------------------------------------------------------------


@pytest.fixture
def entry(world):
    return _entries_for(world["dept_a"]).get()


def test_log_entry_update_refused(entry):
    original = entry.changes_text
    entry.changes_text = "nothing happened"
    with pytest.raises(PermissionDenied), transaction.atomic():
        entry.save()
    entry.refresh_from_db()
    assert entry.changes_text == original


def test_log_entry_delete_refused(entry):
    with pytest.raises(PermissionDenied), transaction.atomic():
        entry.delete()
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_log_entry_queryset_delete_refused(entry):
    count = LogEntry.objects.count()
    with pytest.raises(PermissionDenied), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).delete()
    assert LogEntry.objects.count() == count


def test_log_entry_queryset_update_refused(entry):
    # QuerySet.update() sends no signals; the database trigger refuses it instead.
    original = entry.object_repr
    with pytest.raises(DatabaseError), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(object_repr="rewritten")
    entry.refresh_from_db()
    assert entry.object_repr == original != "rewritten"


def test_log_entry_new_rows_still_written(entry):
    # The guard refuses changes, not appends.
    count = LogEntry.objects.count()
    with acting_as(entry.actor):
        DepartmentFactory()
    assert LogEntry.objects.count() == count + 1


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.AUDITOR])
def test_audit_log_page_refuses_writes(client, world, entry, method, role):
    client.force_login(world["users"][role])
    count = LogEntry.objects.count()
    response = getattr(client, method)(reverse("audit-log"), {"pk": entry.pk})
    assert response.status_code == 405
    assert LogEntry.objects.count() == count


def test_api_has_no_audit_operations():
    paths = api.get_openapi_schema()["paths"]
    assert [path for path in paths if "audit" in path or "log" in path] == []


# --- who may read it ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.COORDINATOR, 200),
        (Role.AUDITOR, 200),
        (Role.LEADER, 403),
        (Role.DEPARTMENT, 403),
        (Role.LOCALITY, 403),
        (Role.CADRE, 403),
        (Role.ENTERPRISE, 403),
    ],
)
def test_audit_log_page_access_by_role(client, world, role, status):
    client.force_login(world["users"][role])
    assert client.get(reverse("audit-log")).status_code == status


@pytest.mark.parametrize("role", [Role.LEADER, Role.LOCALITY, Role.ENTERPRISE])
def test_audit_log_export_refused_to_other_roles(client, world, role):
    client.force_login(world["users"][role])
    assert client.get(reverse("audit-log"), {"export": "xlsx"}).status_code == 403


def test_audit_log_page_anonymous_redirected_to_login(client, db):
    response = client.get(reverse("audit-log"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- filters --------------------------------------------------------------------------------


def _at(day: int, hour: int, minute: int = 0, month: int = 1) -> dt.datetime:
    return dt.datetime(2024, month, day, hour, minute, tzinfo=HANOI)


@pytest.fixture
def history(world):
    """Known rows on top of the world's (which were written without an actor)."""
    coordinator = world["users"][Role.COORDINATOR]
    leader = world["users"][Role.LEADER]
    with acting_as(coordinator):
        sct = DepartmentFactory(code="SCT", name="Sở Công Thương")
        stnmt = DepartmentFactory(code="STNMT", name="Sở Tài nguyên và Môi trường")
        sct.name = "Sở Công Thương thành phố"
        sct.save()
    with acting_as(leader):
        LocalityFactory(code="KCN1", name="KCN Phú Mỹ", parent=world["city"])
    # Rows dated in the past, to test the date range in local time (UTC+7).
    department_type = ContentType.objects.get_for_model(Department)
    for when in (
        _at(9, 23, 59),  # 9 Jan, local
        _at(10, 0, 0),  # 10 Jan, first minute
        _at(31, 23, 30),  # 31 Jan local = 31 Jan 16:30 UTC
        _at(1, 0, 30, month=2),  # 1 Feb local = 31 Jan 17:30 UTC: outside January
    ):
        LogEntry.objects.create(
            content_type=department_type,
            object_pk=str(stnmt.pk),
            object_id=stnmt.pk,
            object_repr=str(stnmt),
            action=LogEntry.Action.UPDATE,
            actor=coordinator,
            timestamp=when,
        )
    return {"sct": sct, "stnmt": stnmt, "coordinator": coordinator, "leader": leader}


def _count(client, **params) -> int:
    response = client.get(reverse("audit-log"), params)
    assert response.status_code == 200
    return response.context["paginator"].count


def test_audit_log_filter_by_actor(coordinator_client, history):
    # coordinator: 2 creates + 1 update + 4 dated rows; leader: 1 create.
    assert _count(coordinator_client, actor=history["coordinator"].username) == 7
    assert _count(coordinator_client, actor=history["leader"].username) == 1


def test_audit_log_filter_by_record_type(coordinator_client, history):
    department_type = ContentType.objects.get_for_model(Department)
    locality_type = ContentType.objects.get_for_model(Locality)
    # Departments: the world's 2 creates + SCT create, STNMT create, SCT update + 4 dated rows.
    assert _count(coordinator_client, content_type=department_type.pk) == 9
    # Localities: the world's 5 creates + KCN1.
    assert _count(coordinator_client, content_type=locality_type.pk) == 6
    assert (
        _count(
            coordinator_client, content_type=department_type.pk, actor=history["leader"].username
        )
        == 0
    )


def test_audit_log_filter_by_object_id(coordinator_client, history):
    department_type = ContentType.objects.get_for_model(Department)
    assert (
        _count(coordinator_client, content_type=department_type.pk, object_pk=history["sct"].pk)
        == 2
    )
    assert (
        _count(coordinator_client, content_type=department_type.pk, object_pk=history["stnmt"].pk)
        == 5
    )


def test_audit_log_filter_by_date_range_in_local_time(coordinator_client, history):
    assert _count(coordinator_client, since="2024-01-10", until="2024-01-31") == 2
    assert _count(coordinator_client, since="2024-01-01", until="2024-01-09") == 1
    assert _count(coordinator_client, since="2024-02-01", until="2024-02-01") == 1
    assert _count(coordinator_client, until="2024-12-31") == 4


def test_audit_log_bad_filter_shows_nothing(coordinator_client, history):
    assert _count(coordinator_client, since="not-a-date") == 0


def test_audit_log_auditor_sees_same_rows(client, world, history):
    client.force_login(world["users"][Role.AUDITOR])
    assert _count(client, actor=history["coordinator"].username) == 7


# --- coverage and secrets -------------------------------------------------------------------


@pytest.mark.parametrize("app_label", ["accounts", "org", "industries"])
def test_every_domain_model_registered_with_auditlog(app_label):
    models = list(apps.get_app_config(app_label).get_models())
    assert models
    assert [m._meta.label for m in models if not auditlog.contains(m)] == []


def test_known_domain_models_registered_with_auditlog():
    for label in (
        "accounts.User",
        "accounts.RoleAssignment",
        "accounts.ApiToken",
        "org.Locality",
        "org.Department",
        "industries.Industry",
        "industries.ChainNode",
    ):
        assert auditlog.contains(apps.get_model(label)), label


def _all_logged_text(user) -> str:
    rows = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_pk=str(user.pk)
    ).values("changes", "changes_text", "serialized_data", "additional_data", "object_repr")
    return json.dumps(list(rows), ensure_ascii=False, default=str)


def test_password_hashes_never_logged(coordinator_client, coordinator, world):
    with acting_as_system():
        user = create_user(
            actor=None,
            username="hashcheck",
            full_name="Trần Thị Mai",
            password=NEW_PASSWORD,
            roles=[RoleSpec(role=Role.CADRE)],
        )
    hashes = [user.password]
    # A coordinator sets a new password through the user form.
    response = coordinator_client.post(
        reverse("accounts:user-edit", args=[user.pk]),
        {
            "username": "hashcheck",
            "full_name": "Trần Thị Mai Anh",
            "title": "",
            "email": "",
            "phone": "",
            "language": "vi",
            "new_password": "Mưa-phùn-tháng-ba-2025",
            "version": User.objects.get(pk=user.pk).version,
            "roles-TOTAL_FORMS": "1",
            "roles-INITIAL_FORMS": "0",
            "roles-MIN_NUM_FORMS": "0",
            "roles-MAX_NUM_FORMS": "10",
            "roles-0-role": "cadre",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    hashes.append(user.password)
    # The user changes it again themselves.
    own = coordinator_client.__class__()
    own.force_login(user)
    response = own.post(
        reverse("accounts:password-change"),
        {
            "old_password": "Mưa-phùn-tháng-ba-2025",
            "new_password1": "Nắng-hạ-tháng-sáu-2026",
            "new_password2": "Nắng-hạ-tháng-sáu-2026",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    hashes.append(user.password)
    assert len(set(hashes)) == 3
    # The create and the form edit (a new full name) were logged.
    assert [e.action for e in _entries_for(user)] == [
        LogEntry.Action.CREATE,
        LogEntry.Action.UPDATE,
    ]
    text = _all_logged_text(user)
    for secret in [*hashes, NEW_PASSWORD, "Mưa-phùn-tháng-ba-2025", "Nắng-hạ-tháng-sáu-2026"]:
        assert secret not in text
    assert '"password"' not in text


def test_acting_as_nested_restores_the_outer_actor(world):
    outer, inner = world["users"][Role.COORDINATOR], world["users"][Role.LEADER]
    with acting_as(outer):
        with acting_as(inner):
            first = DepartmentFactory()
        second = DepartmentFactory()
    actors = {
        entry.object_id: entry.actor
        for entry in LogEntry.objects.get_for_objects(Department.objects.all()).filter(
            action=LogEntry.Action.CREATE
        )
    }
    assert (actors[first.pk], actors[second.pk]) == (inner, outer)


@pytest.mark.django_db
def test_home_recent_changes_say_what_was_done(coordinator_client, world):
    from django.urls import reverse
    from django.utils import translation

    with acting_as(world["users"][Role.COORDINATOR]):
        DepartmentFactory(name="Sở Công Thương", short_name="SCT")
    response = coordinator_client.get(reverse("home"))
    entry, action = response.context["recent_changes"][0]
    with translation.override("vi"):
        assert (entry.object_repr, action) == ("SCT", "Tạo mới")
    assert "· Tạo mới · SCT" in response.content.decode()
