"""Planning housekeeping for cron: stalled runs, unused network files, expired origins."""

import argparse
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from warmbee.coverage.housekeeping import fail_stalled_runs, remove_unused_network_files
from warmbee.visits.origins import delete_expired_origins


def whole_days(raw: str) -> int:
    try:
        days = int(raw)
    except ValueError:
        days = -1
    if days < 0:
        raise argparse.ArgumentTypeError(
            f"--keep-days must be a whole number of days, at least 0 (got {raw!r})"
        )
    return days


class Command(BaseCommand):
    help = (
        "Mark failed the coverage runs still running COVERAGE_RUN_STALL_AFTER_S after "
        "they started (their worker was killed), and delete the road network files "
        "that neither the active networks nor queued, running or recent runs use; "
        "delete the check-in origins older than CHECKIN_ORIGIN_RETENTION_MONTHS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--keep-days",
            type=whole_days,
            default=None,
            help="Keep the files of networks used within this many days (default: "
            f"COVERAGE_NETWORK_KEEP_DAYS, now {settings.COVERAGE_NETWORK_KEEP_DAYS}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        failed = fail_stalled_runs()
        self.stdout.write(
            f"Stalled coverage runs marked failed: {failed} (running longer than "
            f"{settings.COVERAGE_RUN_STALL_AFTER_S} s)."
        )
        removed = remove_unused_network_files(keep_days=options["keep_days"])
        self.stdout.write(f"Unused road network files removed: {len(removed)}.")
        for name in removed:
            self.stdout.write(f"  {name}")
        expired = delete_expired_origins()
        self.stdout.write(
            f"Check-in origins deleted: {expired} (older than "
            f"{settings.CHECKIN_ORIGIN_RETENTION_MONTHS} months)."
        )
