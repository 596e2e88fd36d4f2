"""Login, lockout, passwords, cookies, CSRF, CSP and the security log."""

import logging
import re
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

import vanco
from tests.factories import PASSWORD
from vanco.accounts.enums import Role
from vanco.accounts.models import User
from vanco.accounts.services import RoleSpec, create_user

LOGIN = "/accounts/login/"
SHORT_PASSWORD = "Kx7#mQ2vL9p"  # 11 characters
GOOD_PASSWORD = "Kx7#mQ2vL9pZ"  # 12 characters, not a common password


@pytest.fixture
def officer(world):
    return world["users"][Role.LOCALITY]


@pytest.fixture
def security_log(caplog):
    """Records of the `vanco.security` logger (it does not propagate to the root logger)."""
    logger = logging.getLogger("vanco.security")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="vanco.security")
    yield caplog
    logger.removeHandler(caplog.handler)


def _security_messages(caplog) -> list[tuple[str, str]]:
    return [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "vanco.security"]


def _logged_in_as(client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None


# --- login ----------------------------------------------------------------------------------


def test_login_with_username_and_password(client, officer):
    assert officer.last_login is None
    response = client.post(LOGIN, {"username": "loc_a", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert _logged_in_as(client) == officer.pk
    officer.refresh_from_db()
    assert officer.last_login is not None


def test_login_wrong_password_refused(client, officer):
    response = client.post(LOGIN, {"username": "loc_a", "password": PASSWORD + "x"})
    assert response.status_code == 200
    assert response.context["form"].errors["__all__"]
    assert _logged_in_as(client) is None
    officer.refresh_from_db()
    assert officer.last_login is None


def test_login_follows_safe_next(client, officer):
    response = client.post(
        LOGIN, {"username": "loc_a", "password": PASSWORD, "next": "/accounts/me/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/me/"


def test_login_ignores_unsafe_next(client, officer):
    response = client.post(
        LOGIN, {"username": "loc_a", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_login_deactivated_user_refused(client, officer):
    officer.is_active = False
    officer.save()
    response = client.post(LOGIN, {"username": "loc_a", "password": PASSWORD})
    assert response.status_code == 200
    assert _logged_in_as(client) is None


# --- lockout (django-axes) ------------------------------------------------------------------


def test_lockout_after_failure_limit(client, officer):
    assert settings.AXES_FAILURE_LIMIT == 5
    statuses = [
        client.post(LOGIN, {"username": "loc_a", "password": f"wrong-{n}"}).status_code
        for n in range(5)
    ]
    # The fifth failure reaches the limit and is already answered with the lockout page.
    assert statuses == [200, 200, 200, 200, 429]
    response = client.post(LOGIN, {"username": "loc_a", "password": PASSWORD})
    assert response.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    assert _logged_in_as(client) is None
    officer.refresh_from_db()
    assert officer.last_login is None


def test_lockout_not_reached_below_limit_and_success_resets(client, officer):
    for n in range(4):
        assert (
            client.post(LOGIN, {"username": "loc_a", "password": f"wrong-{n}"}).status_code == 200
        )
    response = client.post(LOGIN, {"username": "loc_a", "password": PASSWORD})
    assert response.status_code == 302
    # AXES_RESET_ON_SUCCESS: the count starts again from zero.
    assert AccessAttempt.objects.filter(username="loc_a").count() == 0


def test_lockout_is_per_username(client, world):
    for n in range(5):
        client.post(LOGIN, {"username": "loc_a", "password": f"wrong-{n}"})
    response = client.post(LOGIN, {"username": "loc_b", "password": PASSWORD})
    assert response.status_code == 302
    assert _logged_in_as(client) == world["others"]["loc_b"].pk


# --- password rules -------------------------------------------------------------------------


def _user_form(password: str, username: str = "tran.mai") -> dict:
    return {
        "username": username,
        "full_name": "Trần Thị Mai",
        "title": "",
        "email": "",
        "phone": "",
        "language": "vi",
        "new_password": password,
        "version": "",
        "roles-TOTAL_FORMS": "1",
        "roles-INITIAL_FORMS": "0",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "10",
        "roles-0-role": "cadre",
    }


def test_user_form_refuses_11_character_password(coordinator_client):
    response = coordinator_client.post(reverse("accounts:user-create"), _user_form(SHORT_PASSWORD))
    assert response.status_code == 400
    errors = response.context["form"].errors.as_data()["new_password"]
    assert [e.code for e in errors] == ["password_too_short"]
    assert not User.objects.filter(username="tran.mai").exists()


def test_user_form_accepts_12_character_password(coordinator_client):
    response = coordinator_client.post(reverse("accounts:user-create"), _user_form(GOOD_PASSWORD))
    assert response.status_code == 302
    user = User.objects.get(username="tran.mai")
    assert user.check_password(GOOD_PASSWORD) is True
    browser = Client()
    response = browser.post(LOGIN, {"username": "tran.mai", "password": GOOD_PASSWORD})
    assert response.status_code == 302
    assert _logged_in_as(browser) == user.pk


def test_user_form_refuses_common_password(coordinator_client):
    response = coordinator_client.post(reverse("accounts:user-create"), _user_form("password1234"))
    assert response.status_code == 400
    errors = response.context["form"].errors.as_data()["new_password"]
    assert "password_too_common" in [e.code for e in errors]


def test_create_user_service_refuses_11_character_password(world):
    with pytest.raises(ValidationError) as excinfo:
        create_user(
            actor=world["users"][Role.COORDINATOR],
            username="tran.mai",
            full_name="Trần Thị Mai",
            password=SHORT_PASSWORD,
            roles=[RoleSpec(role=Role.CADRE)],
        )
    assert [e.code for e in excinfo.value.error_list] == ["password_too_short"]
    assert not User.objects.filter(username="tran.mai").exists()


def test_create_user_service_accepts_12_character_password(world):
    user = create_user(
        actor=world["users"][Role.COORDINATOR],
        username="tran.mai",
        full_name="Trần Thị Mai",
        password=GOOD_PASSWORD,
        roles=[RoleSpec(role=Role.CADRE)],
    )
    assert user.check_password(GOOD_PASSWORD) is True
    assert list(user.role_assignments.values_list("role", flat=True)) == ["cadre"]


# --- system user ----------------------------------------------------------------------------


def test_system_user_cannot_be_made_to_log_in(coordinator_client, world):
    # "Acts for commands and background jobs; cannot log in": a coordinator must not be able to
    # give the system account a password and activate it (and then act as "system").
    from vanco.core.audit import system_user

    system = system_user()
    form = _user_form(GOOD_PASSWORD, username="system")
    form["version"] = system.version
    coordinator_client.post(reverse("accounts:user-edit", args=[system.pk]), form)
    coordinator_client.post(reverse("accounts:user-toggle", args=[system.pk]), {"active": "1"})
    browser = Client()
    response = browser.post(LOGIN, {"username": "system", "password": GOOD_PASSWORD})
    assert _logged_in_as(browser) != system.pk, "signed in as the system account"
    assert _logged_in_as(browser) is None
    assert response.status_code == 200


# --- cookies, CSRF, logout ------------------------------------------------------------------


def test_session_cookie_httponly_samesite_lax(client, officer):
    response = client.post(LOGIN, {"username": "loc_a", "password": PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_csrf_enforced_on_login(officer):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(LOGIN, {"username": "loc_a", "password": PASSWORD})
    assert response.status_code == 403
    assert strict.session.get("_auth_user_id") is None


def test_csrf_token_from_form_accepted_on_login(officer):
    strict = Client(enforce_csrf_checks=True)
    page = strict.get(LOGIN)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token is not None
    response = strict.post(
        LOGIN,
        {"username": "loc_a", "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
    )
    assert response.status_code == 302


def test_csrf_enforced_on_signed_in_post(officer):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(officer)
    response = strict.post(reverse("accounts:token-create"), {"name": "script"})
    assert response.status_code == 403
    assert officer.api_tokens.count() == 0


def test_logout_get_not_allowed(client, officer):
    client.force_login(officer)
    response = client.get(reverse("logout"))
    assert response.status_code == 405
    assert _logged_in_as(client) == officer.pk


def test_logout_post_signs_out(client, officer):
    client.force_login(officer)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert _logged_in_as(client) is None
    assert client.get(reverse("home")).status_code == 302


# --- Content-Security-Policy ----------------------------------------------------------------


def _directives(header: str) -> dict[str, list[str]]:
    parts = [p.strip().split() for p in header.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


def _assert_strict_csp(response, label):
    assert response["Content-Type"].startswith("text/html"), label
    header = response.get("Content-Security-Policy")
    assert header, f"{label}: no Content-Security-Policy"
    directives = _directives(header)
    assert directives["script-src"] == ["'self'"], label
    assert "'unsafe-inline'" not in directives.get("default-src", []), label
    assert directives["object-src"] == ["'none'"], label
    assert directives["frame-ancestors"] == ["'none'"], label


def test_csp_header_on_every_html_page(client, world):
    anonymous = [
        ("login", client.get(LOGIN)),
        ("404", client.get("/no/such/page/")),
    ]
    for label, response in anonymous:
        _assert_strict_csp(response, label)
    client.force_login(world["users"][Role.COORDINATOR])
    pages = [
        reverse("home"),
        reverse("accounts:profile"),
        reverse("accounts:password-change"),
        reverse("accounts:user-list"),
        reverse("accounts:user-create"),
        reverse("accounts:user-detail", args=[world["users"][Role.LEADER].pk]),
        reverse("org:locality-list"),
        reverse("org:locality-detail", args=[world["district_a"].pk]),
        reverse("org:department-list"),
        reverse("industries:industry-list"),
        reverse("audit-log"),
        reverse("api:openapi-view"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_strict_csp(response, url)
    # An error page carries it too.
    client.force_login(world["users"][Role.LOCALITY])
    response = client.get(reverse("audit-log"))
    assert response.status_code == 403
    _assert_strict_csp(response, "403")


def test_csp_header_on_lockout_page(client, officer):
    for n in range(5):
        response = client.post(LOGIN, {"username": "loc_a", "password": f"wrong-{n}"})
    assert response.status_code == 429
    _assert_strict_csp(response, "lockout")


# --- templates: no inline script ------------------------------------------------------------

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)


def _templates() -> list[Path]:
    root = Path(vanco.__file__).parent
    return sorted(p for p in root.rglob("*.html") if "static" not in p.relative_to(root).parts)


def test_templates_found():
    names = [p.name for p in _templates()]
    assert "base.html" in names
    assert "login.html" in names


def test_templates_have_no_inline_script():
    offenders = []
    for path in _templates():
        for attributes, body in SCRIPT_TAG.findall(path.read_text()):
            if re.search(r"\bsrc\s*=", attributes):
                if body.strip():
                    offenders.append(f"{path.name}: <script src> with a body")
                continue
            if re.search(r"""\btype\s*=\s*["']application/json["']""", attributes):
                continue  # a data island, not executed
            offenders.append(f"{path.name}: <script{attributes}>")
    assert offenders == []


def test_templates_have_no_inline_event_handlers():
    offenders = [
        f"{path.name}: {match.group(0)[:60]}"
        for path in _templates()
        for match in EVENT_HANDLER.finditer(path.read_text())
    ]
    assert offenders == []


def test_script_tag_pattern_catches_inline_script():
    # Guards the regular expression the two tests above rely on.
    sample = '<script>alert(1)</script><script src="/a.js"></script><a href=x onclick="f()">'
    assert SCRIPT_TAG.findall(sample) == [("", "alert(1)"), (' src="/a.js"', "")]
    assert EVENT_HANDLER.search(sample) is not None


# --- security log ---------------------------------------------------------------------------


def test_login_logged_on_security_logger(client, officer, security_log):
    client.post(LOGIN, {"username": "loc_a", "password": PASSWORD}, REMOTE_ADDR="10.0.0.5")
    assert _security_messages(security_log) == [("INFO", "login user=loc_a addr=10.0.0.5")]


def test_failed_login_logged_on_security_logger(client, officer, security_log):
    client.post(LOGIN, {"username": "loc_a", "password": "wrong"}, REMOTE_ADDR="10.0.0.6")
    assert _security_messages(security_log) == [
        ("WARNING", "login failed user=loc_a addr=10.0.0.6")
    ]


def test_logout_logged_on_security_logger(client, officer, security_log):
    client.force_login(officer)
    security_log.clear()
    client.post(reverse("logout"), REMOTE_ADDR="10.0.0.7")
    assert _security_messages(security_log) == [("INFO", "logout user=loc_a addr=10.0.0.7")]
