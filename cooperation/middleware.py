"""Refused at the edge: a request with a NUL character in its path, its query string or a header.

No record can hold one (PostgreSQL's text columns refuse it, and a lookup with one fails there), so
wherever it was sent it is a mistake or a probe: a 400 naming the parameter, before any view, for the
API and the admin alike. Request bodies are checked by their parsers (``cooperation.api.parsers``;
Django's forms refuse NULs in the admin).
"""

from __future__ import annotations

from django.http import HttpResponseBadRequest, JsonResponse

from cooperation.api.errors import is_api
from cooperation.api.parsers import NUL, NUL_MESSAGE


class RefuseNulCharacters:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if where := nul_in(request):
            if is_api(request):  # the API's 400 body: ``{"parameter": ["message"]}``
                return JsonResponse({where: [NUL_MESSAGE]}, status=400)
            return HttpResponseBadRequest(f"{where}: {NUL_MESSAGE}", content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def nul_in(request) -> str | None:
    """What holds a NUL: ``"path"``, a query parameter's name, or a header's; None when nothing does."""
    if NUL in request.path_info:
        return "path"
    for name, values in request.GET.lists():
        if NUL in name or any(NUL in value for value in values):
            return name.replace(NUL, "\\u0000")
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str) and NUL in value:
            return key.removeprefix("HTTP_").replace("_", "-").title()
    return None
