"""The language switcher, the per-user language and the translation catalogues."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories import PASSWORD
from vanco.accounts.enums import Role

LOGIN = "/accounts/login/"
PROFILE = "/accounts/me/"
HTML_LANG = re.compile(r'<html lang="([^"]*)">')


def _lang(response) -> str:
    assert response.status_code == 200
    match = HTML_LANG.search(response.content.decode())
    assert match is not None
    return match.group(1)


def _translated(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


@pytest.fixture
def officer(world):
    return world["users"][Role.LOCALITY]


# --- catalogues -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "my_account", "localities"),
    [
        ("vi", "Tài khoản của tôi", "Địa bàn"),
        ("zh-hans", "我的账号", "县区 / 园区"),
        ("en", "My account", "Localities"),
    ],
)
def test_catalogues_translate_menu_words(language, my_account, localities):
    assert _translated(language, "My account") == my_account
    assert _translated(language, "Localities") == localities


# --- anonymous visitors ---------------------------------------------------------------------


def test_login_page_vietnamese_by_default(client, db):
    assert settings.LANGUAGE_CODE == "vi"
    assert _lang(client.get(LOGIN)) == "vi"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_switcher_changes_login_page_language(client, db, language):
    response = client.post(reverse("set-language"), {"language": language, "next": LOGIN})
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == language
    page = client.get(LOGIN)
    assert _lang(page) == language
    assert _translated(language, "Log in") in page.content.decode()


def test_switcher_cookie_attributes(client, db):
    response = client.post(reverse("set-language"), {"language": "en", "next": LOGIN})
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"] is True
    assert cookie["max-age"] == 365 * 24 * 3600


# --- signed-in users ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "language"), [("vi", "en"), ("vi", "zh-hans"), ("zh-hans", "vi"), ("en", "vi")]
)
def test_switcher_saves_signed_in_users_choice(client, officer, start, language):
    officer.language = start
    officer.save()
    client.force_login(officer)
    assert _lang(client.get(PROFILE)) == start
    response = client.post(reverse("set-language"), {"language": language, "next": PROFILE})
    assert response.status_code == 302
    assert response["Location"] == PROFILE
    officer.refresh_from_db()
    assert officer.language == language
    page = client.get(PROFILE)
    assert _lang(page) == language
    content = page.content.decode()
    assert _translated(language, "My account") in content
    assert _translated(language, "Localities") in content  # a menu entry


def test_saved_language_wins_on_login_from_another_browser(client, officer):
    client.force_login(officer)
    client.post(reverse("set-language"), {"language": "zh-hans", "next": PROFILE})

    other = Client()
    other.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # this browser chose English before
    assert _lang(other.get(LOGIN)) == "en"
    response = other.post(LOGIN, {"username": "loc_a", "password": PASSWORD}, follow=True)
    assert response.redirect_chain == [(reverse("home"), 302)]
    assert _lang(response) == "zh-hans"
    assert _lang(other.get(PROFILE)) == "zh-hans"


def test_saved_language_used_in_fresh_browser(officer):
    officer.language = "en"
    officer.save()
    browser = Client()
    response = browser.post(LOGIN, {"username": "loc_a", "password": PASSWORD}, follow=True)
    assert _lang(response) == "en"
    assert _translated("en", "My account") in response.content.decode()


def test_profile_preferences_save_language(client, officer):
    client.force_login(officer)
    response = client.post(reverse("accounts:profile"), {"language": "zh-hans"})
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.language == "zh-hans"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert _lang(client.get(PROFILE)) == "zh-hans"


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "next_url",
    ["http://evil.example/", "https://evil.example/accounts/me/", "//evil.example/", ""],
)
def test_switcher_unsafe_next_redirects_home(client, officer, next_url):
    client.force_login(officer)
    response = client.post(reverse("set-language"), {"language": "en", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    officer.refresh_from_db()
    assert officer.language == "en"


def test_switcher_unknown_language_ignored(client, officer):
    client.force_login(officer)
    # French has a Django catalogue, but it is not one of Vanco's LANGUAGES.
    response = client.post(reverse("set-language"), {"language": "fr", "next": PROFILE})
    assert response.status_code == 302
    assert response["Location"] == PROFILE
    officer.refresh_from_db()
    assert officer.language == "vi"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert _lang(client.get(PROFILE)) == "vi"


def test_switcher_made_up_language_ignored(client, officer):
    client.force_login(officer)
    response = client.post(reverse("set-language"), {"language": "xx", "next": PROFILE})
    assert response["Location"] == PROFILE
    officer.refresh_from_db()
    assert officer.language == "vi"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_switcher_get_not_allowed(client, db):
    response = client.get(reverse("set-language"), {"language": "en", "next": LOGIN})
    assert response.status_code == 405
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
