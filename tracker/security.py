"""Who the client is, and what a locked-out login gets (README, "Security").

``client_ip`` is the one answer to "which address is this client" for the API's throttles and the admin's
login lock-out (django-axes: ``AXES_CLIENT_IP_CALLABLE``), so the two can never disagree about a client.
"""

from __future__ import annotations

import ipaddress

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.throttling import BaseThrottle


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as DRF's throttles key it: ``REST_FRAMEWORK["NUM_PROXIES"]`` (DJANGO_TRUSTED_PROXIES).

    0: the connection's address, whatever X-Forwarded-For says; N: the N-th entry from the header's right end.
    An entry that is not an IP address falls back to the connection's address (django-axes stores it as one).
    """
    ident = BaseThrottle().get_ident(request)
    try:
        return str(ipaddress.ip_address(ident))
    except ValueError:
        return request.META.get("REMOTE_ADDR")


class LoginLockoutBackend(AxesStandaloneBackend):
    """django-axes' check, which refuses a locked-out username and address before any password is tried.

    A call without a request (the test client's ``login()``, a script calling ``authenticate()``) has no client
    address to count against: axes would raise, so it is let through to the next backend, which checks the
    password as usual. Every login over HTTP (the admin's form) passes its request, and is checked.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' answer to a locked-out login (``AXES_LOCKOUT_CALLABLE``): an admin page, 429, with Retry-After."""
    cooloff = settings.AXES_COOLOFF_TIME
    context = {
        **admin.site.each_context(request),
        "title": "Too many failed logins",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(cooloff.total_seconds() // 60) if cooloff else None,
    }
    response = render(request, "admin/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
    if cooloff:
        response["Retry-After"] = str(int(cooloff.total_seconds()))
    return response
