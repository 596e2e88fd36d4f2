"""Every user-facing string exists in Vietnamese and Chinese, and the catalogues are compiled."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

LOCALE_DIR = Path(__file__).resolve().parents[2] / "src" / "vanco" / "locale"
FULLY_TRANSLATED = re.compile(r"^\d+ translated messages?\.$")


def _statistics(po_file: Path) -> str:
    result = subprocess.run(  # noqa: S603
        ["msgfmt", "--check-format", "--statistics", "-o", os.devnull, str(po_file)],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stderr.strip()


@pytest.mark.parametrize("language", ["vi", "zh_Hans"])
def test_catalogue_has_no_untranslated_or_fuzzy_entry(language):
    stats = _statistics(LOCALE_DIR / language / "LC_MESSAGES" / "django.po")
    assert FULLY_TRANSLATED.match(stats), stats


@pytest.mark.parametrize("language", ["vi", "en", "zh_Hans"])
def test_compiled_catalogue_is_current(language, tmp_path):
    po_file = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    fresh = tmp_path / "django.mo"
    subprocess.run(  # noqa: S603
        ["msgfmt", "--check-format", "-o", str(fresh), str(po_file)],  # noqa: S607
        check=True,
    )
    assert po_file.with_suffix(".mo").read_bytes() == fresh.read_bytes()


@pytest.mark.parametrize("language", ["vi", "zh_Hans"])
def test_source_strings_are_all_translated(language, tmp_path):
    """makemessages over the current source finds no string the catalogue lacks."""
    copy = tmp_path / "vanco"
    shutil.copytree(LOCALE_DIR.parent, copy, ignore=shutil.ignore_patterns("vendor", "__pycache__"))
    cwd = os.getcwd()
    os.chdir(copy)
    try:
        call_command(
            "makemessages", locale=[language], verbosity=0, no_obsolete=True, no_location=True
        )
    finally:
        os.chdir(cwd)
    stats = _statistics(copy / "locale" / language / "LC_MESSAGES" / "django.po")
    assert FULLY_TRANSLATED.match(stats), stats


def test_role_names_read_in_each_language():
    from vanco.accounts.enums import Role

    with translation.override("vi"):
        assert str(Role.COORDINATOR.label) == "Văn phòng thường trực"
    with translation.override("zh-hans"):
        assert str(Role.COORDINATOR.label) == "领导小组办公室"
    with translation.override("en"):
        assert str(Role.COORDINATOR.label) == "Coordinator"
