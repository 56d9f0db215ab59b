"""Derived fields and sync tombstones kept in step on every save and delete path.

These are signal handlers rather than ``Model.save()``/``delete()`` overrides or
``auto_now`` because ``loaddata`` saves raw, skipping ``save()`` and ``auto_now``,
and queryset deletes skip ``delete()``: fixture records need their timestamps and
date bounds, and every deletion its tombstone, as much as records changed in the
admin or the API.
"""

from django.db.models.signals import post_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone

from cooperation.models.base import Curated, Timestamped, UncertainDate
from cooperation.models.sync import Tombstone


@receiver(pre_save, dispatch_uid="cooperation.stamp_updated_at")
def stamp_updated_at(sender, instance, raw=False, **kwargs):
    if not isinstance(instance, Timestamped):
        return
    instance.updated_at = timezone.now()
    # Re-loading a fixture updates rows matched by natural key; keep their creation time.
    if raw and instance.pk is not None and instance._meta.get_field("created_at").model is sender:
        stored = sender._base_manager.filter(pk=instance.pk).values_list("created_at", flat=True).first()
        if stored:
            instance.created_at = stored


@receiver(pre_save, dispatch_uid="cooperation.derive_date_bounds")
def derive_date_bounds(sender, instance, raw=False, **kwargs):
    if not isinstance(instance, UncertainDate):
        return
    # A raw save of an inheriting model (JointOperation from a fixture) writes only
    # its own table; the Event row carrying the date is loaded and derived separately.
    if raw and instance._meta.get_field("date").model is not sender:
        return
    instance.derive_date_bounds()


def _holds_status(sender) -> bool:
    """Whether ``sender``'s own table has ``status``: a curated model, or ``Event`` for every event kind.

    Deleting or raw-saving a ``JointOperation`` also signals for its ``Event`` row,
    which carries the status and the kind: handling that one records an event once.
    """
    return issubclass(sender, Curated) and sender._meta.get_field("status").model is sender


@receiver(pre_save, dispatch_uid="cooperation.tombstone_status_change")
def tombstone_status_change(sender, instance, raw=False, update_fields=None, **kwargs):
    if not issubclass(sender, Curated) or instance.pk is None or (raw and not _holds_status(sender)):
        return
    if update_fields is not None and "status" not in update_fields:
        return  # the stored status stays whatever the instance holds
    # The record as stored: its status before this save, and the slug and id clients know it by.
    stored = sender._base_manager.filter(pk=instance.pk).first()
    if stored is not None and stored.status != instance.status:
        Tombstone.objects.record_status_changes([stored], instance.status)


@receiver(post_delete, dispatch_uid="cooperation.tombstone_deletion")
def tombstone_deletion(sender, instance, **kwargs):
    if _holds_status(sender):
        Tombstone.objects.record_deleted(instance)
