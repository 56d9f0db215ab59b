"""Provenance: outlets and the documents they published.

``url`` is the record's address in this API, as everywhere; the outlet's or document's
own web address is ``web_url``.
"""

from rest_framework import serializers

from cooperation.api.fields import CountryField, SourceField
from cooperation.api.serializers.base import CURATED_FIELDS, CuratedSerializer
from cooperation.models import Document, Source


class SourceSerializer(CuratedSerializer):
    """``/sources/``: ``name``, ``kind``, ``country``, ``language``, ``state_affiliated``, ``web_url``."""

    url = serializers.HyperlinkedIdentityField(view_name="source-detail")
    country = CountryField(required=False, allow_null=True)
    web_url = serializers.URLField(source="url", required=False, allow_blank=True)

    class Meta:
        model = Source
        fields = (*CURATED_FIELDS, "name", "kind", "country", "language", "state_affiliated", "web_url")
        brief_fields = ("id", "url", "slug", "name", "kind")


class DocumentSerializer(CuratedSerializer):
    """``/documents/``: a ``source`` (written by slug) published ``title`` on ``published_on``; ``text`` if held."""

    url = serializers.HyperlinkedIdentityField(view_name="document-detail")
    # Null when the outlet is one the reader may not see (``selectors.visibility``); required on writes.
    source = SourceField(allow_null=True)
    web_url = serializers.URLField(source="url", required=False, allow_blank=True)

    class Meta:
        model = Document
        fields = (
            *CURATED_FIELDS,
            "source",
            "title",
            "kind",
            "published_on",
            "web_url",
            "volume",
            "issue",
            "language",
            "text",
        )
        brief_fields = ("id", "url", "slug", "title", "kind", "published_on")
