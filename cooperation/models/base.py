"""Abstract bases and constraint helpers shared by every domain model."""

from __future__ import annotations

import uuid
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cooperation.choices import Status
from cooperation.dates import parse_edtf

# Slugs are lowercase: "CIS" and "cis" would be two records to the database but one to every reader.
lowercase_slug = RegexValidator(
    r"^[-a-z0-9_]+\Z", "Use lowercase letters, digits, hyphens and underscores only.", code="invalid_slug"
)


def exactly_one(*fields: str) -> Q:
    """A Q that holds when exactly one of the nullable ``fields`` is set."""
    alternatives = []
    for chosen in fields:
        alternatives.append(Q(**{f"{chosen}__isnull": False}, **{f"{f}__isnull": True for f in fields if f != chosen}))
    return reduce(or_, alternatives)


class Timestamped(models.Model):
    """Creation and last-change times; ``updated_at`` drives incremental sync.

    Stamped by a ``pre_save`` handler (``cooperation.signals``) rather than
    ``auto_now``, which raw fixture loads skip.
    """

    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    class Meta:
        abstract = True


class NullsLastIndex(models.Index):
    """An index whose ``OrderBy`` terms may say ``NULLS LAST``/``FIRST``, which only PostgreSQL accepts in an index.

    Elsewhere (SQLite, where ``ORDER BY`` still sorts nulls as asked) it is the same index without the modifier.
    """

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        plain = [
            models.OrderBy(term.expression, descending=term.descending) if isinstance(term, models.OrderBy) else term
            for term in self.expressions
        ]
        stand_in = models.Index(*plain, name=self.name, condition=self.condition)
        return stand_in.create_sql(model, schema_editor, using=using, **kwargs)


def is_curator(user) -> bool:
    """Active staff: they see unpublished records and may write; everyone else reads published ones."""
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)


def sees_status(user, status: str) -> bool:
    """Whether ``user`` may see a record in ``status``: ``CuratedQuerySet.visible_to`` for one record in hand."""
    return status == Status.PUBLISHED or is_curator(user)


def visible_at(path: str, user) -> Q:
    """``CuratedQuerySet.visible_to`` as a condition on the record a query reaches by ``path`` (a join)."""
    return Q() if is_curator(user) else Q(**{f"{path}__status": Status.PUBLISHED})


class ReferenceQuerySet(models.QuerySet):
    """Reference data (countries, topics, metrics) has no review status: all public."""

    def visible_to(self, user):
        return self


class CuratedQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)

    def visible_to(self, user):
        """The one rule for who sees what: staff see everything, others published only (``sees_status``).

        What a visible record may show of the records it refers to is ``cooperation.selectors.visibility``'s.
        """
        if is_curator(user):
            return self
        return self.published()

    def hidden_from(self, user):
        """What ``visible_to`` leaves out: few rows, found through the status index (drafts, reviewed, withdrawn)."""
        if is_curator(user):
            return self.none()
        return self.exclude(status=Status.PUBLISHED)


class SlugManager(models.Manager.from_queryset(CuratedQuerySet)):
    """Natural key ``(slug,)`` so fixtures load twice without duplicates."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Curated(Timestamped):
    """A record staff curate: it has a review status and a stable slug."""

    slug = models.SlugField(
        max_length=120,
        unique=True,
        validators=[lowercase_slug],
        help_text="Stable identifier used in URLs, fixtures and imports.",
    )
    status = models.CharField(
        max_length=16,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
        help_text="Only published records are visible to anonymous API clients.",
    )

    objects = SlugManager()

    class Meta:
        abstract = True

    def natural_key(self):
        return (self.slug,)


class UidManager(models.Manager):
    def get_by_natural_key(self, uid):
        return self.get(uid=uid)


class Keyed(Timestamped):
    """A child record (participation, outcome, citation…) with a UUID natural key.

    Child rows have no readable identity of their own; the UUID lets fixtures
    and imports match them on re-load instead of duplicating them.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name="UID")

    objects = UidManager()

    class Meta:
        abstract = True

    def natural_key(self):
        return (str(self.uid),)


class UncertainDate(models.Model):
    """A date as the source gives it (EDTF), with derived bounds for filtering.

    ``date_lower``/``date_upper`` are derived from ``date`` by a ``pre_save``
    handler (see ``cooperation.signals``): fixtures are loaded with raw saves
    that skip ``Model.save()``, and the bounds must never disagree with the text.
    """

    DATE_REQUIRED = True

    date = models.CharField(
        max_length=64,
        blank=True,
        help_text="EDTF: 2006-04-21, 2005-12, 2005-41 (second half of 2005), "
        "2006-04-21/2006-04-22, 2004-07/.. (open-ended).",
    )
    date_text = models.CharField(max_length=200, blank=True, help_text="The source's own wording, e.g. “late 2005”.")
    date_lower = models.DateField(null=True, blank=True, editable=False, db_index=True)
    date_upper = models.DateField(null=True, blank=True, editable=False, db_index=True)
    date_precision = models.CharField(max_length=16, blank=True, editable=False)

    class Meta:
        abstract = True

    @classmethod
    def date_constraints(cls, name: str):
        return [
            models.CheckConstraint(
                condition=Q(date_upper__gte=models.F("date_lower"))
                | Q(date_lower__isnull=True)
                | Q(date_upper__isnull=True),
                name=f"cooperation_{name}_date_order",
                violation_error_message="The date ends before it starts.",
            )
        ]

    def derive_date_bounds(self):
        """Set the bounds from ``date``; raises ValidationError on bad text."""
        if not self.date:
            if self.DATE_REQUIRED:
                raise ValidationError({"date": "Enter a date."})
            self.date_lower = self.date_upper = None
            self.date_precision = ""
            return
        bounds = parse_edtf(self.date)
        self.date_lower, self.date_upper, self.date_precision = (
            bounds.lower,
            bounds.upper,
            bounds.precision,
        )

    def clean(self):
        super().clean()
        try:
            self.derive_date_bounds()
        except ValidationError as exc:
            raise ValidationError({"date": exc.messages}) from exc
