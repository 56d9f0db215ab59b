"""Generate (or clear) the seeded synthetic dataset used by the benchmark."""

import time

from django.core.management.base import BaseCommand, CommandError

from cooperation import synthetic


class Command(BaseCommand):
    help = (
        "Bulk-insert a reproducible synthetic dataset of N events (slugs prefixed syn-); "
        "refuses a database with curated data unless told to."
    )

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, default=10_000, help="How many events (default 10000).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same data.")
        parser.add_argument("--clear", action="store_true", help="Delete synthetic data only, then stop.")
        parser.add_argument(
            "--allow-curated", action="store_true", help="Generate even though the database holds curated records."
        )

    def handle(self, *args, events, seed, clear, allow_curated, **options):
        if clear:
            removed = synthetic.clear()
            self.stdout.write(self.style.SUCCESS(f"Removed {removed} synthetic events and their records."))
            return
        if events < 1:
            raise CommandError("--events must be at least 1.")
        curated = synthetic.curated_count()
        if curated and not allow_curated:
            raise CommandError(
                f"This database holds {curated} curated (non-synthetic) records; "
                "use a dedicated database or pass --allow-curated."
            )
        if synthetic.synthetic_count():
            raise CommandError("Synthetic data already present; run with --clear first.")
        started = time.monotonic()
        writer = synthetic.default_writer()
        counts = synthetic.generate(events, seed, writer=writer)
        summary = ", ".join(f"{n} {name}" for name, n in counts.items())
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Generated {summary} in {elapsed:.1f} s ({writer.name})."))
