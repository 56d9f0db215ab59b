"""API tokens in the admin: named, read-only unless unticked, several per user, the key shown once when issued.

DRF's own tokens (*Tokens*) stay listed, to be revoked, with their keys cut short as here; new tokens
are issued as API tokens, the only ones that can be read-only.
"""

from django.contrib import admin
from django.template.response import TemplateResponse
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from cooperation.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "read_only", "key_hint", "created_at")
    list_filter = ("read_only",)
    list_select_related = ("user",)
    search_fields = ("name", "user__username", "prefix")
    fields = ("name", "user", "read_only", "key_hint", "created_at")
    readonly_fields = ("key_hint", "created_at")
    autocomplete_fields = ("user",)

    def get_readonly_fields(self, request, obj=None):
        # A token stays its user's: issue another for someone else.
        return (*self.readonly_fields, "user") if obj else self.readonly_fields

    @admin.display(description="key")
    def key_hint(self, obj):
        """The key's first characters, to tell tokens apart; the key itself is shown once, when issued."""
        return f"{obj.prefix}…" if obj.prefix else "Shown once, when saved."

    def save_model(self, request, obj, form, change):
        if not change:
            obj.issued_key = obj.set_key()
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        """A page with the new key on it, once: only its digest is stored."""
        context = {
            **self.admin_site.each_context(request),
            "title": "API token issued",
            "opts": self.opts,
            "token": obj,
            "key": obj.issued_key,
        }
        return TemplateResponse(request, "admin/cooperation/apitoken/issued.html", context)


class DRFTokenAdmin(TokenAdmin):
    """DRF's tokens (``drf_create_token``): read-write, one per user; their keys no longer listed in full."""

    list_display = ("key_hint", "user", "created")

    @admin.display(description="key")
    def key_hint(self, obj):
        return f"{obj.key[:8]}…"

    def has_add_permission(self, request):
        return False  # its key could not be shown: issue an API token instead


admin.site.unregister(TokenProxy)
admin.site.register(TokenProxy, DRFTokenAdmin)
