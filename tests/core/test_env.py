"""Environment readers (vanco.core.env) and the settings module as a whole.

The unit tests call the helpers directly with monkeypatched variables. The settings tests start
a fresh Python process with a controlled environment, because settings are read once at start-up:
a bad value must stop the process with a message naming the variable.
"""

import json
import os
import re
import secrets
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

import vanco.settings
from vanco.core.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_path,
    env_str,
    load_or_create_secret_key,
)

VAR = "VANCO_TEST_VARIABLE"
MONEY_UNITS = {"ty_dong", "trieu_dong", "wan_yuan"}


# --- env_bool -------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "True", " yes ", "on", "ON"])
def test_env_bool_true_spellings_read_true(monkeypatch, raw):
    monkeypatch.setenv(VAR, raw)
    assert env_bool(VAR, False) is True


@pytest.mark.parametrize("raw", ["0", "false", "FALSE", "No", " off "])
def test_env_bool_false_spellings_read_false(monkeypatch, raw):
    monkeypatch.setenv(VAR, raw)
    assert env_bool(VAR, True) is False


@pytest.mark.parametrize("default", [True, False])
def test_env_bool_unset_gives_default(monkeypatch, default):
    monkeypatch.delenv(VAR, raising=False)
    assert env_bool(VAR, default) is default


@pytest.mark.parametrize("default", [True, False])
def test_env_bool_empty_counts_as_unset(monkeypatch, default):
    # With default=True an empty value must not read as "false".
    monkeypatch.setenv(VAR, "")
    assert env_bool(VAR, default) is default


@pytest.mark.parametrize("raw", ["maybe", "2", "truee", "y"])
def test_env_bool_bad_value_fails_naming_variable(monkeypatch, raw):
    monkeypatch.setenv(VAR, raw)
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_bool(VAR, False)
    assert str(excinfo.value) == (
        f"Environment variable {VAR}={raw!r} is not a boolean; use one of 1/0, true/false, yes/no."
    )


# --- env_int --------------------------------------------------------------------------------


def test_env_int_reads_integer(monkeypatch):
    monkeypatch.setenv(VAR, " 42 ")
    assert env_int(VAR, 7) == 42


def test_env_int_negative_without_minimum(monkeypatch):
    monkeypatch.setenv(VAR, "-3")
    assert env_int(VAR, 7) == -3


def test_env_int_unset_gives_default(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    assert env_int(VAR, 7, minimum=1) == 7


def test_env_int_empty_counts_as_unset(monkeypatch):
    monkeypatch.setenv(VAR, "")
    assert env_int(VAR, 7, minimum=1) == 7


@pytest.mark.parametrize("raw", ["abc", "4.5", "1e3", "12 000"])
def test_env_int_bad_value_fails_naming_variable(monkeypatch, raw):
    monkeypatch.setenv(VAR, raw)
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_int(VAR, 7)
    assert str(excinfo.value) == f"Environment variable {VAR}={raw!r} is not an integer."


def test_env_int_below_minimum_fails_naming_variable(monkeypatch):
    monkeypatch.setenv(VAR, "0")
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_int(VAR, 5, minimum=1)
    assert str(excinfo.value) == f"Environment variable {VAR}=0 must be >= 1."


def test_env_int_at_minimum_is_accepted(monkeypatch):
    monkeypatch.setenv(VAR, "1")
    assert env_int(VAR, 5, minimum=1) == 1


# --- env_list -------------------------------------------------------------------------------


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv(VAR, " vanco.example.gov.vn, ,127.0.0.1,, [::1] ")
    assert env_list(VAR, ["localhost"]) == ["vanco.example.gov.vn", "127.0.0.1", "[::1]"]


def test_env_list_unset_gives_copy_of_default(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    default = ["localhost"]
    result = env_list(VAR, default)
    assert result == ["localhost"]
    result.append("evil.example")
    assert default == ["localhost"]


def test_env_list_empty_counts_as_unset(monkeypatch):
    monkeypatch.setenv(VAR, "")
    assert env_list(VAR, ["localhost", "127.0.0.1"]) == ["localhost", "127.0.0.1"]


# --- env_choice -----------------------------------------------------------------------------


def test_env_choice_reads_allowed_value(monkeypatch):
    monkeypatch.setenv(VAR, "wan_yuan")
    assert env_choice(VAR, "ty_dong", MONEY_UNITS) == "wan_yuan"


def test_env_choice_unset_gives_default(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    assert env_choice(VAR, "ty_dong", MONEY_UNITS) == "ty_dong"


def test_env_choice_empty_counts_as_unset(monkeypatch):
    monkeypatch.setenv(VAR, "")
    assert env_choice(VAR, "trieu_dong", MONEY_UNITS) == "trieu_dong"


def test_env_choice_bad_value_fails_naming_variable_and_choices(monkeypatch):
    monkeypatch.setenv(VAR, "bogus")
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_choice(VAR, "ty_dong", MONEY_UNITS)
    assert str(excinfo.value) == (
        f"Environment variable {VAR}='bogus' is not one of: trieu_dong, ty_dong, wan_yuan."
    )


# --- env_path -------------------------------------------------------------------------------


def test_env_path_expands_home(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv(VAR, "~/vanco-data")
    assert env_path(VAR, Path("/nowhere")) == (tmp_path / "vanco-data").resolve()


def test_env_path_relative_resolves_against_cwd(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(VAR, "rel/data")
    assert env_path(VAR, Path("/nowhere")) == tmp_path.resolve() / "rel" / "data"


def test_env_path_unset_gives_resolved_default(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(VAR, raising=False)
    assert env_path(VAR, Path("var")) == tmp_path.resolve() / "var"


def test_env_path_empty_counts_as_unset(monkeypatch, tmp_path):
    monkeypatch.setenv(VAR, "")
    assert env_path(VAR, tmp_path / "default") == (tmp_path / "default").resolve()


# --- env_str --------------------------------------------------------------------------------


def test_env_str_reads_value(monkeypatch):
    monkeypatch.setenv(VAR, "Asia/Shanghai")
    assert env_str(VAR, "Asia/Ho_Chi_Minh") == "Asia/Shanghai"


def test_env_str_unset_required_fails_naming_variable(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_str(VAR)
    assert str(excinfo.value) == f"Environment variable {VAR} is required."


def test_env_str_empty_counts_as_unset(monkeypatch):
    # env.py: "An empty variable counts as unset, as in a copied .env.example". TIME_ZONE=,
    # LOG_LEVEL=, EMAIL_BACKEND= ... are read with env_str and must fall back to the default.
    monkeypatch.setenv(VAR, "")
    assert env_str(VAR, "Asia/Ho_Chi_Minh") == "Asia/Ho_Chi_Minh"


# --- load_or_create_secret_key --------------------------------------------------------------


def test_secret_key_generated_once_into_data_dir_with_mode_0600(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    data_dir = tmp_path / "not" / "yet" / "there"
    key = load_or_create_secret_key(data_dir)
    key_file = data_dir / "secret_key"
    assert key_file.read_text() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key) >= 50
    assert len(set(key)) >= 5  # what Django's own security.W009 check demands


def test_secret_key_reused_on_second_call(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_or_create_secret_key(tmp_path)
    second = load_or_create_secret_key(tmp_path)
    assert second == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]


def test_secret_key_generated_keys_differ_between_data_dirs(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    assert load_or_create_secret_key(tmp_path / "a") != load_or_create_secret_key(tmp_path / "b")


def test_secret_key_empty_counts_as_unset(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "")
    key = load_or_create_secret_key(tmp_path)
    assert (tmp_path / "secret_key").read_text() == key


def test_secret_key_given_wins_and_writes_nothing(monkeypatch, tmp_path):
    given = "k" * 25 + "K" * 25  # exactly 50 characters: the minimum
    monkeypatch.setenv("SECRET_KEY", given)
    assert load_or_create_secret_key(tmp_path) == given
    assert list(tmp_path.iterdir()) == []


def test_secret_key_given_shorter_than_50_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x" * 49)
    with pytest.raises(ImproperlyConfigured) as excinfo:
        load_or_create_secret_key(tmp_path)
    assert str(excinfo.value) == "SECRET_KEY must be at least 50 characters long."
    assert list(tmp_path.iterdir()) == []


# --- settings as a whole (fresh processes) --------------------------------------------------

SETTINGS_SOURCE = Path(vanco.settings.__file__).read_text()
# Every variable settings.py reads through a helper, e.g. env_int("AXES_FAILURE_LIMIT", ...).
SETTINGS_VARIABLES = sorted(set(re.findall(r'env_\w+\(\s*"([A-Z0-9_]+)"', SETTINGS_SOURCE)))


def _run(tmp_path, args, **env):
    """Run `python args...` with only the given variables (plus PATH/HOME) in the environment."""
    data_dir = tmp_path / "data"
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "vanco.settings",
        "VANCO_DATA_DIR": str(data_dir),
        **env,
    }
    return subprocess.run(  # noqa: S603  (our own interpreter, fixed arguments)
        [sys.executable, *args],
        env=environment,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


SETUP = ["-c", "import django; django.setup()"]
VANCO = ["-m", "vanco"]


def test_settings_variables_found_in_source():
    # Guards the regex above, so the empty-environment test really covers the variables.
    for name in ("DEBUG", "DATABASE_URL", "VANCO_MONEY_UNIT", "AXES_FAILURE_LIMIT", "TIME_ZONE"):
        assert name in SETTINGS_VARIABLES


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "mysql://vanco:vanco@127.0.0.1:3306/vanco"),
        ("VANCO_MONEY_UNIT", "bogus"),
        ("AXES_FAILURE_LIMIT", "0"),
        ("VANCO_HTTPS", "si"),
        ("SESSION_COOKIE_AGE", "eight hours"),
        ("SECRET_KEY", "too-short"),
    ],
)
def test_settings_bad_variable_stops_start_up_naming_it(tmp_path, name, value):
    result = _run(tmp_path, SETUP, **{name: value})
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: ")
    assert name in last_line


def test_settings_default_environment_uses_sqlite_with_wal(tmp_path):
    script = (
        "import json, django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('CREATE TABLE probe (x integer)')\n"
        "    out = {}\n"
        "    for pragma in ('journal_mode', 'busy_timeout', 'foreign_keys', 'synchronous'):\n"
        "        c.execute('PRAGMA ' + pragma)\n"
        "        out[pragma] = c.fetchone()[0]\n"
        "db = settings.DATABASES['default']\n"
        "out['engine'] = db['ENGINE']\n"
        "out['name'] = str(db['NAME'])\n"
        "out['transaction_mode'] = db['OPTIONS']['transaction_mode']\n"
        "out['conn_max_age'] = db['CONN_MAX_AGE']\n"
        "print(json.dumps(out))\n"
    )
    result = _run(tmp_path, ["-c", script])
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    db_file = tmp_path / "data" / "vanco.sqlite3"
    assert out == {
        "journal_mode": "wal",
        "busy_timeout": 20000,  # SQLITE_BUSY_TIMEOUT default 20 s
        "foreign_keys": 1,
        "synchronous": 1,  # NORMAL
        "engine": "django.db.backends.sqlite3",
        "name": str(db_file),
        "transaction_mode": "IMMEDIATE",
        "conn_max_age": 0,
    }
    # WAL is a property of the database file: a plain sqlite3 connection sees it too.
    with sqlite3.connect(db_file) as plain:
        assert plain.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_settings_default_environment_passes_system_checks(tmp_path):
    result = _run(tmp_path, [*VANCO, "check", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_settings_empty_variables_count_as_unset(tmp_path):
    # A copied .env.example: every variable present, every value empty. Each must fall back to
    # its default, so the process starts and reads the same values as with no variables.
    empties = {name: "" for name in SETTINGS_VARIABLES if name != "VANCO_DATA_DIR"}
    script = (
        "import json, django; django.setup()\n"
        "from django.conf import settings as s\n"
        "print(json.dumps([s.TIME_ZONE, s.VANCO_CURRENCY, s.VANCO_MONEY_UNIT, s.DEBUG,\n"
        "    s.TASKS['default']['BACKEND'], s.MAILERS['default']['BACKEND'],\n"
        "    s.DEFAULT_FROM_EMAIL, s.AXES_FAILURE_LIMIT, s.ALLOWED_HOSTS]))\n"
    )
    result = _run(tmp_path, ["-c", script], **empties)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout) == [
        "Asia/Ho_Chi_Minh",
        "VND",
        "ty_dong",
        False,
        "django_tasks_db.DatabaseBackend",
        "django.core.mail.backends.console.EmailBackend",
        "vanco@localhost",
        5,
        ["127.0.0.1", "localhost", "[::1]"],
    ]


def test_settings_production_environment_passes_deploy_checks(tmp_path):
    secret = secrets.token_urlsafe(48)
    assert len(secret) == 64
    result = _run(
        tmp_path,
        [*VANCO, "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="false",
        VANCO_HTTPS="true",
        SECRET_KEY=secret,
        ALLOWED_HOSTS="vanco.example.gov.vn",
        # Production sends its notifications: a console mailer is rightly refused by Django.
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="mail.example.gov.vn",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
