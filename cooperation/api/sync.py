"""``/api/v1/deleted/``: what left the API since a time, so a dashboard syncing with ``updated_since`` can drop it.

``GET /api/v1/deleted/?since=2006-04-21T00:00:00Z[&resource=operations]`` lists, oldest
first and paginated, ``{resource, id, slug, reason, at}`` for every record deleted,
withdrawn or otherwise unpublished since then (``cooperation.models.sync.Tombstone``).
An event appears under ``events`` and under its kind's resource. Anonymous clients see
the records they could have read (those that were published); staff see every one.
"""

from rest_framework import mixins, viewsets

from cooperation.api import filters, serializers
from cooperation.api.views import VisibleQuerysetMixin
from cooperation.models import Tombstone


class DeletedViewSet(VisibleQuerysetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Records gone from the API since ``since`` (required), optionally of one ``resource``."""

    model = Tombstone
    serializer_class = serializers.TombstoneSerializer
    filterset_class = filters.TombstoneFilterSet
    ordering_fields = {"at": "at"}
    ordering = ("at",)
