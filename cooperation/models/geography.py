from django.db import models

from cooperation.models.base import ReferenceQuerySet
from cooperation.search import SearchIndex


class CountryManager(models.Manager.from_queryset(ReferenceQuerySet)):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Country(models.Model):
    """A state, identified by its ISO 3166-1 alpha-2 code (loaded for every country)."""

    code = models.CharField(max_length=2, primary_key=True, help_text="ISO 3166-1 alpha-2 code, e.g. TJ.")
    alpha3 = models.CharField(max_length=3, unique=True, help_text="ISO 3166-1 alpha-3 code.")
    name = models.CharField(max_length=100, db_index=True)
    official_name = models.CharField(max_length=200, blank=True)

    objects = CountryManager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"
        indexes = [
            SearchIndex("name", name="cooperation_country_name_fts"),
            SearchIndex("code", "alpha3", "official_name", name="cooperation_country_code_fts"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[A-Z]{2}$"),
                name="cooperation_country_code_format",
                violation_error_message="A country code is two capital letters (ISO 3166-1 alpha-2).",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def natural_key(self):
        return (self.code,)
