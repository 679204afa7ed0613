from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from warmbee.devtools.demo import demo_logins, load_demo


class Command(BaseCommand):
    help = (
        "Load the Yangqu demo data (stations, users for every role, visits, a "
        "generated street network, departments and reports) once."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            # The demo has administrator accounts with a published password.
            raise CommandError(
                "load_demo runs only with DEBUG=1 (demo data, known passwords)."
            )
        created = load_demo()
        self.stdout.write(
            "Demo data loaded." if created else "Demo data already present."
        )
        self.stdout.write(
            "Road network: a generated street grid around the county seat "
            "(not real roads), for the planner at /coverage/."
        )
        self.stdout.write(
            "Reports: made-up hazard and opinion reports and five county departments "
            "at /reports/inbox/ (the department handler is in the urban management "
            "bureau)."
        )
        self.stdout.write("Demo logins (demo data, not real people):")
        for phone, name, password in demo_logins():
            self.stdout.write(f"  {phone}  {password}  {name}")
