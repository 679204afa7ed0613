"""The Chinese catalogue is complete: nothing empty, nothing fuzzy, nothing missing."""

import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _entries(path: Path) -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(path)) if not entry.obsolete]


def test_every_chinese_entry_is_translated_and_not_fuzzy():
    problems = [
        entry.msgid
        for entry in _entries(CATALOGUE)
        if "fuzzy" in entry.flags
        or not (entry.msgstr or any(entry.msgstr_plural.values()))
    ]
    assert problems == []


def test_catalogue_header_is_not_fuzzy():
    assert not polib.pofile(str(CATALOGUE)).metadata_is_fuzzy


def test_catalogue_holds_every_source_string(tmp_path, settings, monkeypatch):
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext is needed to extract strings: apt-get install gettext")
    # makemessages writes into the locale folders it finds, so it runs on a copy.
    base = Path(settings.BASE_DIR)
    for folder in ("config", "warmbee", "locale"):
        shutil.copytree(
            base / folder, tmp_path / folder, ignore=shutil.ignore_patterns("tests")
        )
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command(
        "makemessages",
        locale=["zh_Hans"],
        no_obsolete=True,
        no_location=True,
        verbosity=0,
    )
    copy = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    extracted = {entry.msgid for entry in _entries(copy)}
    assert len(extracted) > 100
    committed = {entry.msgid for entry in _entries(CATALOGUE)}
    assert extracted - committed == set()
