"""Who acts: organizations, their councils, and people with the offices they held."""

from django.db import models

from cooperation.choices import OrganizationKind
from cooperation.models.base import Curated, Keyed, UncertainDate
from cooperation.search import SearchIndex


class Organization(Curated):
    """An intergovernmental body, ministry, agency, police force, military unit or outlet."""

    name = models.CharField(max_length=200, db_index=True)
    abbreviation = models.CharField(max_length=30, blank=True, db_index=True)
    kind = models.CharField(max_length=24, choices=OrganizationKind.choices, db_index=True)
    country = models.ForeignKey(
        "cooperation.Country",
        on_delete=models.PROTECT,  # countries are reference data, never deleted under records
        null=True,
        blank=True,
        related_name="organizations",
        help_text="The state it belongs to; empty for intergovernmental bodies.",
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,  # a sub-unit outlives a deleted parent record
        null=True,
        blank=True,
        related_name="children",
    )
    members = models.ManyToManyField(
        "cooperation.Country",
        blank=True,
        related_name="memberships",
        help_text="Member states of an intergovernmental body.",
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            SearchIndex("name", "abbreviation", name="cooperation_org_name_fts"),
            SearchIndex("description", name="cooperation_org_text_fts"),
        ]

    def __str__(self):
        return f"{self.name} ({self.abbreviation})" if self.abbreviation else self.name


class Council(Curated):
    """A standing body of an organization that meets in sessions (CIS Council of Interior Ministers)."""

    name = models.CharField(max_length=200, db_index=True)
    abbreviation = models.CharField(max_length=30, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,  # a council cannot outlive the body it belongs to
        related_name="councils",
    )
    members = models.ManyToManyField("cooperation.Country", blank=True, related_name="councils")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            SearchIndex("name", "abbreviation", name="cooperation_council_name_fts"),
            SearchIndex("description", name="cooperation_council_text_fts"),
        ]

    def __str__(self):
        return self.name


class Person(Curated):
    """A named individual; transliterations of the name are kept as ``names``."""

    name = models.CharField(max_length=200, db_index=True, help_text="Preferred spelling.")
    country = models.ForeignKey(
        "cooperation.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        help_text="The state the person serves or is a national of.",
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        indexes = [SearchIndex("name", name="cooperation_person_fts")]

    def __str__(self):
        return self.name


class PersonNameManager(models.Manager):
    def get_by_natural_key(self, person_slug, name):
        return self.get(person__slug=person_slug, name=name)


class PersonName(models.Model):
    """A spelling of a person's name (Rahmonov / Rakhmonov / Rahmon)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(max_length=200, db_index=True)
    note = models.CharField(
        max_length=200, blank=True, help_text="Where this spelling is used, e.g. “Russian transliteration”."
    )

    objects = PersonNameManager()

    class Meta:
        ordering = ["person", "name"]
        indexes = [SearchIndex("name", name="cooperation_personname_fts")]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "name"],
                name="cooperation_personname_unique",
                violation_error_message="This person already has this name variant.",
            )
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.person.slug, self.name)

    natural_key.dependencies = ["cooperation.person"]


class Position(Keyed, UncertainDate):
    """An office a person held: title, rank, organization, and when (EDTF interval)."""

    DATE_REQUIRED = False

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="positions")
    title = models.CharField(max_length=200, help_text="e.g. Interior Minister.")
    rank = models.CharField(max_length=100, blank=True, help_text="e.g. Colonel-General.")
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="positions",
    )
    country = models.ForeignKey(
        "cooperation.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="positions",
        help_text="The state the office belongs to (e.g. President of Tajikistan).",
    )

    class Meta:
        ordering = ["person", "date_lower"]
        constraints = UncertainDate.date_constraints("position")

    def __str__(self):
        return f"{self.person}: {self.title}"
