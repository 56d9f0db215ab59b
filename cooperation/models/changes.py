"""The data version: a number the database moves forward whenever the tracker's data changes.

Answers derived from the whole data set (the stats aggregates) are cached under it, so a cached
answer is never served once anything it may count has changed. Database triggers move it
(``cooperation.changes``), so every write counts, whatever makes it: the admin, the API, imports,
fixtures, bulk loads and raw SQL alike.
"""

from django.db import models


class DataVersion(models.Model):
    """One row: ``version``, a timestamp in microseconds (or the last version plus one), so it never repeats."""

    version = models.BigIntegerField()

    class Meta:
        verbose_name = "data version"

    def __str__(self):
        return str(self.version)
