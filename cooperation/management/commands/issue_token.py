"""Issue a named API token for a user and print its key, which is stored nowhere (only its digest is)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cooperation.models import ApiToken


class Command(BaseCommand):
    help = (
        "Issue an API token for USERNAME and print its key (once: only its digest is kept). Read-only unless "
        "--read-write: a dashboard's token should only read."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--read-write",
            action="store_true",
            help="Let the token write what the user's permissions allow (default: read-only).",
        )
        parser.add_argument("--name", default="", help="What it is for, e.g. “Grafana dashboard” (default: the kind).")

    def handle(self, *args, username, read_write, name, **options):
        User = get_user_model()
        try:
            user = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist as exc:
            raise CommandError(f"No user “{username}”.") from exc
        if not user.is_active:
            raise CommandError(f"The user “{username}” is inactive: a token of theirs would be refused.")
        kind = "read-write" if read_write else "read-only"
        name = name.strip() or f"{kind} token"
        max_length = ApiToken._meta.get_field("name").max_length
        if len(name) > max_length:
            raise CommandError(f"--name: at most {max_length} characters.")
        _, key = ApiToken.objects.issue(user, name=name, read_only=not read_write)
        self.stderr.write(f"Issued the {kind} token “{name}” of {username}; its key (not shown again):")
        self.stdout.write(key)
