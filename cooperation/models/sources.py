"""Provenance: outlets, the documents they published, and citations tying facts to them."""

from django.db import models

from cooperation.choices import DocumentKind, SourceKind
from cooperation.models.base import Curated, Keyed, exactly_one
from cooperation.search import SearchIndex


class Source(Curated):
    """An outlet: a news agency, broadcaster or journal (Interfax, Asia-Plus, EDM…)."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=SourceKind.choices, db_index=True)
    country = models.ForeignKey(
        "cooperation.Country", on_delete=models.PROTECT, null=True, blank=True, related_name="sources"
    )
    language = models.CharField(max_length=16, blank=True, help_text="Main language, e.g. ru, en, tg.")
    state_affiliated = models.BooleanField(
        null=True, blank=True, help_text="Owned or controlled by a state; empty if unknown."
    )
    url = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [SearchIndex("name", name="cooperation_source_fts")]

    def __str__(self):
        return self.name


class Document(Curated):
    """A report, article or broadcast published by a source on a date."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=16, choices=DocumentKind.choices, default=DocumentKind.REPORT)
    published_on = models.DateField(db_index=True)
    url = models.URLField(blank=True)
    volume = models.CharField(max_length=20, blank=True)
    issue = models.CharField(max_length=20, blank=True)
    language = models.CharField(max_length=16, blank=True)
    text = models.TextField(blank=True, help_text="Full text, where we hold it.")

    class Meta:
        ordering = ["-published_on", "title"]
        indexes = [SearchIndex("title", name="cooperation_document_fts")]

    def __str__(self):
        return f"{self.source}, {self.published_on:%d %b %Y}: {self.title}"


CITED = ("event", "participation", "outcome", "partnership", "position", "proposal")


class Citation(Keyed):
    """Ties one record — or one figure, participation, office or proposal — to a document.

    ``quote`` is the exact sentence the fact rests on; ``claim`` says which part of
    the record it supports when not the whole (e.g. “date”).
    """

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="citations")
    event = models.ForeignKey(
        "cooperation.Event", on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
    )
    participation = models.ForeignKey(
        "cooperation.Participation", on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
    )
    outcome = models.ForeignKey(
        "cooperation.Outcome", on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
    )
    partnership = models.ForeignKey(
        "cooperation.Partnership", on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
    )
    position = models.ForeignKey(
        "cooperation.Position", on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
    )
    proposal = models.ForeignKey(
        "cooperation.Proposal", on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
    )
    quote = models.TextField(blank=True, help_text="The exact words of the document the fact rests on.")
    locator = models.CharField(max_length=60, blank=True, help_text="Paragraph, page or timestamp.")
    claim = models.CharField(max_length=60, blank=True, help_text="Which part it supports, e.g. “date”.")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["document", "pk"]
        indexes = [SearchIndex("quote", name="cooperation_citation_fts")]
        constraints = [
            models.CheckConstraint(
                condition=exactly_one(*CITED),
                name="cooperation_citation_exactly_one_target",
                violation_error_message=(
                    "Cite exactly one of event, participation, outcome, partnership, position or proposal."
                ),
            )
        ]

    def __str__(self):
        return f"{self.document.source} ({self.document.published_on:%Y-%m-%d})"

    @property
    def target(self):
        return next(getattr(self, name) for name in CITED if getattr(self, f"{name}_id"))
