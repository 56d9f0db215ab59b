"""The API's JSON renderer: DRF's output, byte for byte, written by orjson (several times faster on big lists).

Values orjson does not know natively (decimals, lazy translations, and datetimes, so that they keep DRF's
``Z`` suffix) go through DRF's own encoder. A client asking for indented JSON
(``Accept: application/json; indent=4``) gets DRF's renderer, which supports any width.
"""

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

# JSON allows these two in strings, JavaScript source did not until ES2019: DRF escapes them, so do we.
LINE_SEPARATORS = ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"))


class JSONRenderer(renderers.JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type or "", renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        body = orjson.dumps(data, default=JSONEncoder().default, option=orjson.OPT_PASSTHROUGH_DATETIME)
        for raw, escaped in LINE_SEPARATORS:
            if raw in body:
                body = body.replace(raw, escaped)
        return body
