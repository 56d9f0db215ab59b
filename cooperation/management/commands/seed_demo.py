"""Load the demo fixtures and make sure a demo staff login exists."""

import os

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


def ensure_demo_admin(username: str, password: str) -> bool:
    """Create the demo superuser unless it exists; True if created."""
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        return False
    User.objects.create_superuser(username=username, email="", password=password)
    return True


class Command(BaseCommand):
    help = "Load demo fixtures (by natural key, so re-running adds nothing) and a demo admin login."

    def add_arguments(self, parser):
        parser.add_argument("fixtures", nargs="+", help="Fixture names, e.g. edm-2006-v3-i79.")
        parser.add_argument("--username", default=os.environ.get("DEMO_ADMIN_USER", "admin"))
        parser.add_argument("--password", default=os.environ.get("DEMO_ADMIN_PASSWORD", "admin"))

    def handle(self, *args, fixtures, username, password, **options):
        if not password:
            raise CommandError("The demo admin password may not be empty (set DEMO_ADMIN_PASSWORD).")
        with transaction.atomic():
            call_command("loaddata", *fixtures, stdout=self.stdout, verbosity=options["verbosity"])
            created = ensure_demo_admin(username, password)
        state = "created" if created else "exists"
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo admin login ({state}): http://127.0.0.1:8000/admin/ "
                f"user “{username}”, password “{password}” (demo only)."
            )
        )
