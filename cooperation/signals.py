"""Derived fields kept in step on every save path.

These are ``pre_save`` handlers rather than ``Model.save()`` or ``auto_now``
because ``loaddata`` saves raw, skipping both, and fixture records need their
timestamps and date bounds as much as records entered in the admin or the API.
"""

from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone

from cooperation.models.base import Timestamped, UncertainDate


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
