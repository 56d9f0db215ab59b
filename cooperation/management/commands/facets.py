"""Check or rebuild the timeline's derived rows (``cooperation.facets``): the facets and the search texts.

The database's triggers keep them exact on every write; a write that bypassed them (a restore of the tables
alone, triggers disabled by ``session_replication_role = replica``) is found by ``--check`` and mended by
``--rebuild``, which derives every row anew in one transaction.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from cooperation import facets
from cooperation.models import EventFacet, EventText


class Command(BaseCommand):
    help = "Check (default) that the timeline's facets and search texts are exact, or --rebuild them."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="Derive every row anew (one transaction).")

    def handle(self, *args, rebuild, **options):
        if rebuild:
            with transaction.atomic(), connection.cursor() as cursor:
                facets.rebuild(cursor)
            self.stdout.write(f"Rebuilt {EventFacet.objects.count()} facets and {EventText.objects.count()} texts.")
            return
        missing, unexpected = facets.differences()
        if missing or unexpected:
            raise CommandError(
                f"{len(missing)} derived rows missing and {len(unexpected)} unexpected: run manage.py facets --rebuild."
            )
        self.stdout.write(f"Exact: {EventFacet.objects.count()} facets, {EventText.objects.count()} texts.")
