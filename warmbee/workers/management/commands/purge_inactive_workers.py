import argparse
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from warmbee.workers.retention import PurgeSummary, purge_inactive_workers


def positive_days(raw: str) -> int:
    try:
        days = int(raw)
    except ValueError:
        days = 0
    if days < 1:
        raise argparse.ArgumentTypeError(
            f"--days must be a whole number of days, at least 1 (got {raw!r})"
        )
    return days


class Command(BaseCommand):
    help = (
        "Anonymise worker files with no activity (log-in, visit, consent change) for "
        "longer than the retention period (WORKER_RETENTION_DAYS). Without --apply it "
        "only reports what it would do."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--apply",
            action="store_true",
            help="Anonymise the files; without it nothing is changed (a dry run).",
        )
        parser.add_argument(
            "--days",
            type=positive_days,
            default=None,
            help="Retention period in days (default: WORKER_RETENTION_DAYS, "
            f"now {settings.WORKER_RETENTION_DAYS}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = purge_inactive_workers(
            retention_days=options["days"], apply=options["apply"]
        )
        self._report(summary, verbosity=int(options["verbosity"]))

    def _report(self, summary: PurgeSummary, *, verbosity: int) -> None:
        cutoff = timezone.localtime(summary.cutoff_at)
        self.stdout.write(
            f"Retention period: {summary.retention_days} days; files with no activity "
            f"since before {cutoff:%Y-%m-%d %H:%M} ({cutoff:%Z}) are inactive."
        )
        if verbosity >= 2:
            for file in summary.inactive:
                last = timezone.localtime(file.last_activity_at)
                self.stdout.write(
                    f"  file {file.profile_id}  {file.masked_phone}  "
                    f"last active {last:%Y-%m-%d}"
                )
        found = len(summary.inactive)
        if summary.applied:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Anonymised {summary.anonymised_count} of {found} inactive "
                    "worker files."
                )
            )
        else:
            self.stdout.write(
                f"Dry run: {found} inactive worker files would be anonymised. "
                "Nothing was changed; run again with --apply to anonymise them."
            )
