"""Whether the app and the baseline answered the same: the "same JSON" column of the benchmark.

JSON bodies are compared parsed, so key order and whitespace do not matter; lists must be in
the same order. Two things legitimately differ and are normalised: the host:port of absolute
URLs (each server builds them from its own Host header), and the ``next``/``previous`` links of
a page, compared only as present or null (both encode the same position, but a link is the
server's URL). A CSV export is compared by its header, its first row and its row count.
"""

from __future__ import annotations

import re

URL_ORIGIN = re.compile(r"^(https?://)[^/]+")
LINKS = ("next", "previous")
SHOWN = 60  # characters of a differing value shown in the report


def normalise(value):
    """``value`` with every absolute URL's host:port replaced by ``HOST``."""
    if isinstance(value, str):
        return URL_ORIGIN.sub(r"\1HOST", value)
    return value


def first_difference(app, baseline, path: str = "$") -> str | None:
    """The first place where two parsed JSON documents differ, as ``$.results[3].participants: …``; None if equal."""
    if isinstance(app, dict) and isinstance(baseline, dict):
        if missing := [key for key in app if key not in baseline]:
            return f"{path}: baseline lacks {', '.join(map(repr, missing))}"
        if extra := [key for key in baseline if key not in app]:
            return f"{path}: app lacks {', '.join(map(repr, extra))}"
        for key in app:
            if path == "$" and key in LINKS:
                if (app[key] is None) != (baseline[key] is None):
                    return f"$.{key}: {shown(app[key])} ≠ {shown(baseline[key])}"
                continue
            if difference := first_difference(app[key], baseline[key], f"{path}.{key}"):
                return difference
        return None
    if isinstance(app, list) and isinstance(baseline, list):
        for index, (one, other) in enumerate(zip(app, baseline, strict=False)):
            if difference := first_difference(one, other, f"{path}[{index}]"):
                return difference
        if len(app) != len(baseline):
            return f"{path}: {len(app)} items ≠ {len(baseline)}"
        return None
    # bool is an int to Python, not to JSON: true must not equal 1.
    if type(app) is not type(baseline) and not {type(app), type(baseline)} <= {int, float}:
        return f"{path}: {shown(app)} ≠ {shown(baseline)}"
    if normalise(app) != normalise(baseline):
        return f"{path}: {shown(app)} ≠ {shown(baseline)}"
    return None


def first_csv_difference(app: dict, baseline: dict) -> str | None:
    """Of two exports' ``header``, ``first`` row and ``rows`` count (``None`` when not read to the end)."""
    for part in ("header", "first"):
        if [normalise(cell) for cell in app[part] or []] != [normalise(cell) for cell in baseline[part] or []]:
            return f"{part}: {shown(app[part])} ≠ {shown(baseline[part])}"
    if None not in (app["rows"], baseline["rows"]) and app["rows"] != baseline["rows"]:
        return f"rows: {app['rows']} ≠ {baseline['rows']}"
    return None


def shown(value) -> str:
    text = repr(value)
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"
