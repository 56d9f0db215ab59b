from django.db import models
from django.db.models import Q

from cooperation.choices import PartnershipKind, PartnershipStage
from cooperation.models.base import Curated, Keyed, UncertainDate, exactly_one
from cooperation.search import SearchIndex


class Partnership(Curated, UncertainDate):
    """A relation over time between two or more parties (countries or organizations).

    ``date`` is the period (an EDTF interval, open-ended while it lasts);
    ``events`` are the events and statements that evidence it.
    """

    DATE_REQUIRED = False

    title = models.CharField(max_length=250)
    kind = models.CharField(max_length=24, choices=PartnershipKind.choices, db_index=True)
    stage = models.CharField(
        max_length=16, choices=PartnershipStage.choices, default=PartnershipStage.ACTIVE, db_index=True
    )
    summary = models.TextField(blank=True, help_text="Its substance: what the parties cooperate on.")
    topics = models.ManyToManyField("cooperation.Topic", blank=True, related_name="partnerships")
    events = models.ManyToManyField("cooperation.Event", blank=True, related_name="partnerships", help_text="Evidence.")

    class Meta:
        ordering = ["title"]
        indexes = [SearchIndex("title", "summary", name="cooperation_partnership_fts")]
        constraints = UncertainDate.date_constraints("partnership")

    def __str__(self):
        return self.title


class PartnershipParty(Keyed):
    """One side of a partnership: a country or an organization."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="parties")
    country = models.ForeignKey(
        "cooperation.Country", on_delete=models.PROTECT, null=True, blank=True, related_name="partnership_parties"
    )
    organization = models.ForeignKey(
        "cooperation.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partnership_parties",
    )
    role = models.CharField(max_length=80, blank=True, help_text="e.g. “donor”, “recipient”.")

    class Meta:
        ordering = ["partnership", "pk"]
        verbose_name_plural = "partnership parties"
        constraints = [
            models.CheckConstraint(
                condition=exactly_one("country", "organization"),
                name="cooperation_partnershipparty_exactly_one_party",
                violation_error_message="Choose exactly one of country or organization.",
            ),
            models.UniqueConstraint(
                fields=["partnership", "country"],
                condition=Q(country__isnull=False),
                name="cooperation_partnershipparty_unique_country",
                violation_error_message="This country is already a party.",
            ),
            models.UniqueConstraint(
                fields=["partnership", "organization"],
                condition=Q(organization__isnull=False),
                name="cooperation_partnershipparty_unique_organization",
                violation_error_message="This organization is already a party.",
            ),
        ]

    def __str__(self):
        return str(self.country or self.organization)
