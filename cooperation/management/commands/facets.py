"""Check or rebuild the timeline's derived rows (``cooperation.facets``): the facets, the search texts and the counts.

The database's triggers keep them exact on every write; a write that bypassed them (a restore of the tables
alone, triggers disabled by ``session_replication_role = replica``) is found by ``--check`` and mended by
``--rebuild``, which derives every row anew in one transaction (the triggers set aside meanwhile, ``suspended``).
"""

from django.core.management.base import BaseCommand, CommandError

from cooperation import facets
from cooperation.models import EventFacet, EventTally, EventText


class Command(BaseCommand):
    help = "Check (default) that the timeline's facets, search texts and counts are exact, or --rebuild them."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="Derive every row anew (one transaction).")

    def handle(self, *args, rebuild, **options):
        if rebuild:
            with facets.suspended():
                pass  # nothing to write meanwhile: what suspended() does at the end is the rebuild
            self.stdout.write(f"Rebuilt {self.sizes()}.")
            return
        missing, unexpected = facets.differences()
        if missing or unexpected:
            raise CommandError(
                f"{len(missing)} derived rows missing and {len(unexpected)} unexpected: run manage.py facets --rebuild."
            )
        self.stdout.write(f"Exact: {self.sizes()}.")

    def sizes(self) -> str:
        counts = EventTally.objects.exclude(events=0).count()
        return f"{EventFacet.objects.count()} facets, {EventText.objects.count()} texts, {counts} counts"
