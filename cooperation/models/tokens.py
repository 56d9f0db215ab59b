"""Named API tokens, read-only unless said otherwise, several per user; and the permission to publish.

A token authenticates as its user (``cooperation.api.authentication``): what it reads is what that
user sees, and a read-write token writes what that user may write. A read-only one — the default,
for dashboards — is refused every write, whoever owns it.

Only the key's SHA-256 digest is stored, and its first characters to tell tokens apart: the key is
shown once, when it is issued (``manage.py issue_token``, or the admin's *API tokens*), and a lost
key is replaced by a new token.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

KEY_BYTES = 20  # 40 hex digits, as DRF's own tokens
PREFIX_LENGTH = 8


def digest_of(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenManager(models.Manager):
    def issue(self, user, *, name: str, read_only: bool = True) -> tuple[ApiToken, str]:
        """A new token of ``user``, and its key (stored nowhere: hand it over now)."""
        token = self.model(user=user, name=name, read_only=read_only)
        key = token.set_key()
        token.save()
        return token, key


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What it is for, e.g. “Grafana dashboard”.")
    read_only = models.BooleanField(
        default=True,
        help_text="A read-only token may only read (GET, HEAD, OPTIONS): for dashboards. A read-write one writes "
        "what its user's permissions allow.",
    )
    prefix = models.CharField("key starts with", max_length=PREFIX_LENGTH, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ApiTokenManager()

    class Meta:
        verbose_name = "API token"
        ordering = ("-created_at",)
        # The one permission to publish (``cooperation.workflow.may_publish``), for every kind of curated record. It
        # needs a model to belong to; this one is the app's access model.
        permissions = [("publish_record", "Can publish records, and withdraw or delete published ones")]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def set_key(self) -> str:
        """Give the token a new random key and return it; only its digest and first characters are kept."""
        key = secrets.token_hex(KEY_BYTES)
        self.prefix, self.digest = key[:PREFIX_LENGTH], digest_of(key)
        return key
