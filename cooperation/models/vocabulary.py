"""Curated vocabularies: topics events are about, metrics figures are counted in."""

from django.db import models

from cooperation.models.base import ReferenceQuerySet, lowercase_slug
from cooperation.search import SearchIndex


class VocabularyManager(models.Manager.from_queryset(ReferenceQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Vocabulary(models.Model):
    slug = models.SlugField(max_length=80, unique=True, validators=[lowercase_slug])
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)

    objects = VocabularyManager()

    class Meta:
        abstract = True
        ordering = ["name"]
        indexes = [SearchIndex("slug", "name", name="cooperation_%(class)s_fts")]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class Topic(Vocabulary):
    """What an event or partnership is about (terrorism, drug trafficking, energy…)."""


class Metric(Vocabulary):
    """What a figure counts (crimes solved, persons detained, investment…)."""

    default_unit = models.CharField(
        max_length=40, help_text="Unit a figure of this metric is given in unless stated, e.g. “persons”."
    )
