from django.apps import AppConfig


class CooperationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cooperation"
    verbose_name = "Security cooperation"

    def ready(self):
        from cooperation import signals  # noqa: F401  (registers the handlers)
