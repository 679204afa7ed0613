import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from warmbee.workers.models import WorkerProfile
from warmbee.workers.tests.factories import WorkerProfileFactory

pytestmark = pytest.mark.django_db


def purge(*args):
    out = StringIO()
    call_command("purge_inactive_workers", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def old_file():
    """A file registered three years ago, with no activity since."""
    return WorkerProfileFactory(
        name="张师傅",
        user__phone="13812345678",
        registered_at=timezone.now() - dt.timedelta(days=3 * 365),
    )


def test_runs_dry_by_default_and_says_so(old_file):
    output = purge()

    old_file.refresh_from_db()
    assert old_file.anonymised_at is None
    assert old_file.name == "张师傅"
    assert "Retention period: 730 days" in output
    cutoff = timezone.localtime() - dt.timedelta(days=730)
    assert f"since before {cutoff:%Y-%m-%d}" in output
    assert "Dry run: 1 inactive worker files would be anonymised." in output
    assert "run again with --apply" in output


def test_lists_files_with_masked_numbers_only(old_file):
    output = purge("--verbosity", "2")

    assert f"file {old_file.pk}  138****5678  last active" in output
    assert "13812345678" not in output
    assert "张师傅" not in output


def test_apply_anonymises_the_inactive_files(old_file):
    recent = WorkerProfileFactory(registered_at=timezone.now() - dt.timedelta(days=10))

    output = purge("--apply")

    assert "Anonymised 1 of 1 inactive worker files." in output
    assert list(WorkerProfile.objects.filter(anonymised_at__isnull=False)) == [old_file]
    recent.refresh_from_db()
    assert recent.anonymised_at is None


def test_days_overrides_the_setting(old_file):
    output = purge("--days", "5000")

    assert "Retention period: 5000 days" in output
    assert "Dry run: 0 inactive worker files would be anonymised." in output


@pytest.mark.parametrize("days", ["0", "-3", "two", "1.5"])
def test_refuses_a_retention_period_that_is_not_a_positive_whole_number(old_file, days):
    with pytest.raises(CommandError, match="at least 1"):
        purge("--days", days, "--apply")

    old_file.refresh_from_db()
    assert old_file.anonymised_at is None
