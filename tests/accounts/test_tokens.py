"""API tokens: stored hashed, shown once, revocable, dead with their user."""

import hashlib
import re

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD
from vanco.accounts.enums import Role
from vanco.accounts.models import ApiToken
from vanco.accounts.services import issue_token, revoke_token

ME = "/api/v1/me"


def _bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def officer(world):
    return world["users"][Role.LOCALITY]


@pytest.fixture
def script():
    """A client with no session: what a script calling the API with a token looks like."""
    return Client()


# --- storage --------------------------------------------------------------------------------


def test_token_stored_hashed(officer):
    token, raw = issue_token(user=officer, name="script")
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert row["key_hash"] == hashlib.sha256(raw.encode()).hexdigest()
    assert row["key_prefix"] == raw[:12]
    assert [name for name, value in row.items() if raw in str(value)] == []
    assert len(raw) > 40  # the prefix alone cannot be used


def test_token_raw_value_not_in_audit_log(officer):
    token, raw = issue_token(user=officer, name="script")
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ApiToken), object_pk=str(token.pk)
    )
    assert entries.count() == 1
    for entry in entries:
        assert raw not in str(entry.changes) + entry.changes_text + entry.object_repr


def test_token_authenticates_api(officer, script):
    _token, raw = issue_token(user=officer)
    response = script.get(ME, **_bearer(raw))
    assert response.status_code == 200
    assert response.json()["username"] == "loc_a"


@pytest.mark.parametrize(
    "header",
    ["Bearer vnc_not-a-real-token", "Bearer ", "Token {raw}", "Bearer {raw}x", "Bearer {prefix}"],
)
def test_token_wrong_values_refused(officer, header, script):
    _token, raw = issue_token(user=officer)
    value = header.format(raw=raw, prefix=raw[:12])
    assert script.get(ME, HTTP_AUTHORIZATION=value).status_code == 401


def test_token_records_last_use(officer, script):
    token, raw = issue_token(user=officer)
    assert token.last_used_at is None
    script.get(ME, **_bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at is not None


# --- revocation -----------------------------------------------------------------------------


def test_revoked_token_stops_working(client, officer, script):
    token, raw = issue_token(user=officer)
    assert script.get(ME, **_bearer(raw)).status_code == 200
    client.force_login(officer)
    response = client.post(reverse("accounts:token-revoke", args=[token.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    client.logout()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert script.get(ME, **_bearer(raw)).status_code == 401


def test_revoking_one_token_keeps_the_others(officer, script):
    first, first_raw = issue_token(user=officer, name="first")
    _second, second_raw = issue_token(user=officer, name="second")
    revoke_token(actor=officer, token=first)
    assert script.get(ME, **_bearer(first_raw)).status_code == 401
    assert script.get(ME, **_bearer(second_raw)).status_code == 200


def test_user_cannot_revoke_another_users_token(client, world, officer, script):
    coordinator = world["users"][Role.COORDINATOR]
    token, raw = issue_token(user=coordinator)
    client.force_login(officer)
    response = client.post(reverse("accounts:token-revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    client.logout()
    assert script.get(ME, **_bearer(raw)).status_code == 200


@pytest.mark.parametrize("role", [Role.LEADER, Role.AUDITOR])
def test_whole_city_readers_cannot_revoke_others_tokens(client, world, officer, role):
    token, _raw = issue_token(user=officer)
    client.force_login(world["users"][role])
    assert client.post(reverse("accounts:token-revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_coordinator_can_revoke_another_users_token(coordinator_client, officer, script):
    token, raw = issue_token(user=officer)
    response = coordinator_client.post(reverse("accounts:token-revoke", args=[token.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user-detail", args=[officer.pk])
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert script.get(ME, **_bearer(raw)).status_code == 401


def test_token_revoke_get_not_allowed(client, officer):
    token, _raw = issue_token(user=officer)
    client.force_login(officer)
    assert client.get(reverse("accounts:token-revoke", args=[token.pk])).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


# --- deactivation ---------------------------------------------------------------------------


def test_deactivating_user_revokes_tokens_and_blocks_login(coordinator_client, officer, script):
    tokens = [issue_token(user=officer, name=name) for name in ("a", "b")]
    session = Client()
    session.force_login(officer)
    assert session.get(reverse("home")).status_code == 200

    response = coordinator_client.post(
        reverse("accounts:user-toggle", args=[officer.pk]), {"active": "0"}
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.is_active is False
    for token, raw in tokens:
        token.refresh_from_db()
        assert token.revoked_at is not None
        assert script.get(ME, **_bearer(raw)).status_code == 401
    # The password no longer logs in, and an open session is gone.
    response = script.post("/accounts/login/", {"username": "loc_a", "password": PASSWORD})
    assert response.status_code == 200
    assert script.session.get("_auth_user_id") is None
    assert session.get(reverse("home")).status_code == 302


def test_reactivating_user_does_not_revive_tokens(coordinator_client, officer, script):
    _token, raw = issue_token(user=officer)
    url = reverse("accounts:user-toggle", args=[officer.pk])
    coordinator_client.post(url, {"active": "0"})
    coordinator_client.post(url, {"active": "1"})
    officer.refresh_from_db()
    assert officer.is_active is True
    assert script.get(ME, **_bearer(raw)).status_code == 401
    response = script.post("/accounts/login/", {"username": "loc_a", "password": PASSWORD})
    assert response.status_code == 302


def test_deactivating_user_token_revocation_is_audited(coordinator_client, coordinator, officer):
    # Signals do not fire for QuerySet.update(): "bulk paths write their audit themselves".
    token, _raw = issue_token(user=officer)
    coordinator_client.post(reverse("accounts:user-toggle", args=[officer.pk]), {"active": "0"})
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ApiToken),
        object_pk=str(token.pk),
        action=LogEntry.Action.UPDATE,
    )
    assert [(e.actor, "revoked_at" in (e.changes_dict or {})) for e in entries] == [
        (coordinator, True)
    ]


@pytest.mark.parametrize("role", [Role.LEADER, Role.AUDITOR, Role.LOCALITY])
def test_only_coordinator_deactivates_users(client, world, officer, role, script):
    _token, raw = issue_token(user=officer)
    client.force_login(world["users"][role] if role != Role.LOCALITY else officer)
    response = client.post(reverse("accounts:user-toggle", args=[officer.pk]), {"active": "0"})
    assert response.status_code == 403
    officer.refresh_from_db()
    assert officer.is_active is True
    client.logout()
    assert script.get(ME, **_bearer(raw)).status_code == 200


# --- profile page ---------------------------------------------------------------------------


def test_profile_creates_token_and_shows_it_once(client, officer, script):
    client.force_login(officer)
    response = client.post(reverse("accounts:token-create"), {"name": "thống kê tháng"})
    assert response.status_code == 200
    raw = response.context["new_token"]
    assert raw.startswith("vnc_")
    assert raw in response.content.decode()
    token = ApiToken.objects.get(user=officer)
    assert token.name == "thống kê tháng"
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()

    page = client.get(reverse("accounts:profile")).content.decode()
    assert raw not in page
    assert token.key_prefix in page
    assert script.get(ME, **_bearer(raw)).status_code == 200


def test_profile_token_without_name_refused(client, officer):
    client.force_login(officer)
    response = client.post(reverse("accounts:token-create"), {"name": ""})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert response.context["token_form"].errors["name"]
    assert ApiToken.objects.count() == 0


def test_profile_lists_only_own_tokens(client, world, officer):
    own, _ = issue_token(user=officer, name="của tôi")
    other, _ = issue_token(user=world["others"]["loc_b"], name="của người khác")
    client.force_login(officer)
    response = client.get(reverse("accounts:profile"))
    assert [t.pk for t in response.context["tokens"]] == [own.pk]
    content = response.content.decode()
    assert re.search(re.escape(own.key_prefix), content)
    assert other.key_prefix not in content
