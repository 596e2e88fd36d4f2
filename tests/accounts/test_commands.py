"""`vanco user`, `vanco token` and the health check."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.factories import LocalityFactory, user_with_role
from vanco.accounts.enums import Role
from vanco.accounts.models import ApiToken, RoleAssignment, User, hash_token
from vanco.core.audit import system_user

PASSWORD = "Sông-Hàn-về-đêm-2024"


def _run(*args) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _fails(*args) -> str:
    with translation.override("en"), pytest.raises(CommandError) as excinfo:
        call_command(*args, stdout=StringIO(), stderr=StringIO())
    return str(excinfo.value)


def _assignments(username: str) -> list[tuple]:
    return list(
        RoleAssignment.objects.filter(user__username=username).values_list(
            "role", "locality__code", "department__code", "enterprise_tax_code"
        )
    )


# --- vanco user add -------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.LEADER, Role.COORDINATOR, Role.AUDITOR, Role.CADRE])
def test_user_add_city_wide_roles(world, role):
    out = _run("user", "add", "an.nguyen", "--role", role, "--password", PASSWORD)
    assert out == f"Created user an.nguyen ({role}).\n"
    assert _assignments("an.nguyen") == [(role, None, None, "")]
    user = User.objects.get(username="an.nguyen")
    assert user.check_password(PASSWORD) is True
    assert user.is_active is True
    assert user.is_system is False


def test_user_add_locality(world):
    _run(
        "user", "add", "an.nguyen", "--role", "locality", "--locality", "da", "--password", PASSWORD
    )
    assert _assignments("an.nguyen") == [("locality", "DA", None, "")]


def test_user_add_department(world):
    _run(
        "user",
        "add",
        "an.nguyen",
        "--role",
        "department",
        "--department",
        "SXD",
        "--password",
        PASSWORD,
    )
    assert _assignments("an.nguyen") == [("department", None, "SXD", "")]


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("0100109106", "0100109106"),
        ("0100109106001", "0100109106-001"),
        ("91350100m000100y43", "91350100M000100Y43"),
    ],
)
def test_user_add_enterprise(world, given, stored):
    _run(
        "user",
        "add",
        "an.nguyen",
        "--role",
        "enterprise",
        "--enterprise",
        given,
        "--password",
        PASSWORD,
    )
    assert _assignments("an.nguyen") == [("enterprise", None, None, stored)]


def test_user_add_scope_options_of_other_roles_ignored(world):
    _run(
        "user",
        "add",
        "an.nguyen",
        "--role",
        "leader",
        "--locality",
        "DA",
        "--department",
        "SXD",
        "--enterprise",
        "0100109106",
        "--password",
        PASSWORD,
    )
    assert _assignments("an.nguyen") == [("leader", None, None, "")]


def test_user_add_full_name_email_language(world):
    _run(
        "user",
        "add",
        "mai.tran",
        "--role",
        "cadre",
        "--full-name",
        "Trần Thị Mai",
        "--email",
        "mai.tran@example.org",
        "--language",
        "zh-hans",
        "--password",
        PASSWORD,
    )
    user = User.objects.get(username="mai.tran")
    assert (user.full_name, user.email, user.language) == (
        "Trần Thị Mai",
        "mai.tran@example.org",
        "zh-hans",
    )


def test_user_add_without_password_generates_one(world, client):
    # pytest's stdin is not a terminal: the command must not prompt, but print a password.
    out = _run("user", "add", "an.nguyen", "--role", "cadre")
    lines = out.splitlines()
    assert lines[0] == "Created user an.nguyen (cadre)."
    assert lines[1].startswith("Generated password: ")
    generated = lines[1].removeprefix("Generated password: ")
    assert len(generated) >= 12
    response = client.post("/accounts/login/", {"username": "an.nguyen", "password": generated})
    assert response.status_code == 302


def test_user_add_unknown_locality_code(world):
    assert _fails("user", "add", "x1", "--role", "locality", "--locality", "zz") == (
        "--locality: no locality with code 'zz'."
    )
    assert not User.objects.filter(username="x1").exists()


def test_user_add_locality_role_without_code(world):
    assert _fails("user", "add", "x1", "--role", "locality") == (
        "--locality: no locality with code ''."
    )


def test_user_add_unknown_department_code(world):
    assert _fails("user", "add", "x1", "--role", "department", "--department", "SYT") == (
        "--department: no department with code 'SYT'."
    )
    assert not User.objects.filter(username="x1").exists()


def test_user_add_enterprise_without_tax_code(world):
    assert _fails("user", "add", "x1", "--role", "enterprise") == (
        "--enterprise TAXCODE is required for role enterprise."
    )


def test_user_add_invalid_tax_code(world):
    message = _fails(
        "user",
        "add",
        "x1",
        "--role",
        "enterprise",
        "--enterprise",
        "0100109107",
        "--password",
        PASSWORD,
    )
    assert message == (
        "enterprise_tax_code: “0100109107” is not a valid Vietnamese tax code: 10 digits "
        "(or 10 + 3 for a branch) with a correct check digit."
    )
    # One transaction: no user without its role.
    assert not User.objects.filter(username="x1").exists()


def test_user_add_too_short_password(world):
    message = _fails("user", "add", "x1", "--role", "cadre", "--password", "Ng4n-qu4")
    assert message == "This password is too short. It must contain at least 12 characters."
    assert not User.objects.filter(username="x1").exists()


def test_user_add_duplicate_username(world):
    message = _fails("user", "add", "loc_a", "--role", "cadre", "--password", PASSWORD)
    assert message == "username: A user with that username already exists."
    assert _assignments("loc_a") == [("locality", "DA", None, "")]


def test_user_add_unknown_role_refused(world):
    with pytest.raises(CommandError) as excinfo:
        call_command("user", "add", "x1", "--role", "mayor", "--password", PASSWORD)
    assert "invalid choice: 'mayor'" in str(excinfo.value)


# --- vanco user list ------------------------------------------------------------------------


@pytest.fixture
def few_users(db):
    city = LocalityFactory(code="CITY", name="Thành phố Thử Nghiệm", kind="city")
    district = LocalityFactory(code="DA", name="Quận Ánh Dương", parent=city)
    user_with_role(Role.LOCALITY, locality=district, username="binh", full_name="Lê Văn Bình")
    user_with_role(Role.COORDINATOR, username="an", full_name="Nguyễn Văn An")
    user_with_role(
        Role.ENTERPRISE, tax_code="0100109106", username="cuong", full_name="Phạm Quốc Cường"
    )
    gone = user_with_role(Role.CADRE, username="dung", full_name="Hoàng Thị Dung")
    gone.is_active = False
    gone.save()
    system_user()


def test_user_list_lines(few_users):
    assert _run("user", "list").splitlines() == [
        "an\tNguyễn Văn An\tCoordinator",
        "binh\tLê Văn Bình\tLocality officer — Quận Ánh Dương",
        "cuong\tPhạm Quốc Cường\tEnterprise user — 0100109106",
    ]


def test_user_list_inactive(few_users):
    assert _run("user", "list", "--inactive").splitlines() == [
        "an\tNguyễn Văn An\tCoordinator",
        "binh\tLê Văn Bình\tLocality officer — Quận Ánh Dương",
        "cuong\tPhạm Quốc Cường\tEnterprise user — 0100109106",
        "dung\tHoàng Thị Dung\tPaired official [inactive]",
    ]


def test_user_list_by_role(few_users):
    assert _run("user", "list", "--role", "locality").splitlines() == [
        "binh\tLê Văn Bình\tLocality officer — Quận Ánh Dương",
    ]


def test_user_list_user_without_role_shows_dash(few_users):
    User.objects.create_user(username="em", full_name="Đỗ Văn Em", password=PASSWORD)
    assert _run("user", "list").splitlines()[-1] == "em\tĐỗ Văn Em\t-"


# --- vanco token ----------------------------------------------------------------------------


def test_token_prints_one_line_that_authenticates(client, world):
    out = _run("token", "loc_a")
    lines = out.splitlines()
    assert len(lines) == 1
    raw = lines[0]
    assert out == raw + "\n"
    assert raw.startswith("vnc_")
    token = ApiToken.objects.get(user__username="loc_a")
    assert token.key_hash == hash_token(raw)
    assert token.name == "command line"
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert response.json()["username"] == "loc_a"


def test_token_name_option(world):
    _run("token", "loc_a", "--name", "thống kê hằng tháng")
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["thống kê hằng tháng"]


def test_token_each_call_gives_a_new_token(world):
    first = _run("token", "loc_a").strip()
    second = _run("token", "loc_a").strip()
    assert first != second
    assert ApiToken.objects.filter(user__username="loc_a", revoked_at__isnull=True).count() == 2


def test_token_unknown_user(world):
    assert _fails("token", "ghost") == "No user 'ghost'."
    assert ApiToken.objects.count() == 0


def test_token_deactivated_user(world):
    officer = world["users"][Role.LOCALITY]
    officer.is_active = False
    officer.save()
    assert _fails("token", "loc_a") == "User 'loc_a' is deactivated."
    assert ApiToken.objects.count() == 0


def test_token_system_user_refused(world):
    system_user()
    assert _fails("token", "system") == "No user 'system'."


# --- /healthz -------------------------------------------------------------------------------


def test_healthz_reports_database_vendor(client, db):
    vendor = {
        "django.db.backends.sqlite3": "sqlite",
        "django.db.backends.postgresql": "postgresql",
    }[settings.DATABASES["default"]["ENGINE"]]
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": vendor}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_needs_no_login_and_refuses_post(client, db):
    assert client.get("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
