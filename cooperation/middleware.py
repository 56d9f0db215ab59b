"""The app's own middleware, at the edge of every request.

- ``RefuseNulCharacters``: a request with a NUL character in its path, its query string or a header is refused.
  No record can hold one (PostgreSQL's text columns refuse it, and a lookup with one fails there), so wherever it
  was sent it is a mistake or a probe: a 400 naming the parameter, before any view, for the API and the admin
  alike. Request bodies are checked by their parsers (``cooperation.api.parsers``; Django's forms refuse NULs in
  the admin).
- ``CompressAPIResponses``: the API's JSON and CSV gzipped for clients that accept it (Django's GZipMiddleware,
  limited to them); never an HTML page.
"""

from __future__ import annotations

from django.http import HttpResponseBadRequest, JsonResponse
from django.middleware.gzip import GZipMiddleware, re_accepts_gzip
from django.utils.cache import patch_vary_headers

from cooperation.api.errors import is_api
from cooperation.api.parsers import NUL, NUL_MESSAGE

# What is compressed: the API's data (JSON, CSV) and its OpenAPI schema (YAML, JSON). Never HTML.
COMPRESSED_TYPES = frozenset(
    {
        "application/json",
        "text/csv",
        "application/vnd.oai.openapi",
        "application/vnd.oai.openapi+json",
        "application/yaml",
    }
)


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


class CompressAPIResponses(GZipMiddleware):
    """gzip (``Accept-Encoding: gzip``) for the API's JSON, CSV and schema; every other answer is left alone.

    BREACH: compressing a body that holds both a secret and text an attacker chose (a reflected parameter) lets the
    attacker read the secret from the compressed sizes of many requests. The admin's and the browsable API's pages
    carry a CSRF token (in their forms, in their scripts), so no HTML is compressed here, whatever its path. The API's
    JSON and CSV carry no token or other secret: only records the client may read, which a cross-site page cannot
    read as anyone but an anonymous client (session cookies are ``SameSite=Lax``, tokens are never sent by a browser
    on its own, CORS admits the configured origins only). Django's GZipMiddleware also pads each body by a random
    amount (``max_random_bytes``).

    Everything else is Django's: ``Vary: Accept-Encoding`` on what may be compressed (200 bytes or more), a streamed
    answer (CSV) compressed as it is sent, chunk by chunk, and a strong ETag sent weak (``W/"…"``) with a compressed
    body, as RFC 9110 asks; ``conditional`` takes that weak ETag back in ``If-Match``. A 304 says what its 200 would:
    ``Vary: Accept-Encoding``, and the ETag weak for a client that accepts gzip.
    """

    def process_response(self, request, response):
        if not is_api(request):
            return response
        if response.status_code == 304:
            patch_vary_headers(response, ("Accept-Encoding",))
            etag = response.get("ETag")
            if etag and etag.startswith('"') and re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
                response.headers["ETag"] = f"W/{etag}"
            return response
        if media_type(response) not in COMPRESSED_TYPES:
            return response
        return super().process_response(request, response)


def media_type(response) -> str:
    """``text/csv`` of ``text/csv; charset=utf-8``, lowercased; empty without a Content-Type."""
    return response.get("Content-Type", "").partition(";")[0].strip().lower()
