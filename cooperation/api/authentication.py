"""``Authorization: Token <key>``: the tracker's named tokens (``models.ApiToken``), and DRF's own as before.

``request.auth`` is the token: ``permissions.ModelPermissionsOrReadOnly`` refuses every write made with
a read-only one. A key that is not one of ours is looked up among DRF's tokens (``drf_create_token``,
the admin's *Tokens*), which keep working as they did: read-write, one per user.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from cooperation.models import ApiToken
from cooperation.models.tokens import digest_of


class TokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"
    model = ApiToken

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user").filter(digest=digest_of(key)).first()
        if token is None:
            return DRF_TOKENS.authenticate_credentials(key)  # "Invalid token." if it is not one of those either
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token


DRF_TOKENS = authentication.TokenAuthentication()  # its model is rest_framework.authtoken's Token
