"""Uncertain dates: the one helper that model, API and admin all use.

Sources give dates as "April 21", "late 2005" or "within the next few years".
We store the date as an EDTF string (Extended Date/Time Format, ISO 8601-2)
and derive sortable lower/upper bounds from it, so that filters can ask
"could this have happened in 2005?" (overlap) or "certainly in 2005?" (within).

Parsing is delegated to the ``edtf`` library; we add open-ended intervals
(``2004-07/..``), which it does not bound, and turn every failure into a
``ValidationError`` with a message a curator can act on.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import edtf
from django.core.exceptions import ValidationError

OPEN = {"", ".."}

# EDTF precision names, coarsest last; an interval takes its coarser end's.
PRECISIONS = ("day", "month", "season", "year", "decade", "century")

EDTF_HELP = (
    "Use EDTF, e.g. 2006-04-21 (a day), 2005-12 (a month), 2005 (a year), "
    "2005-41 (second half of 2005), 2005-36 (fourth quarter of 2005), "
    "2005? (uncertain), 2005~ (approximate), 2006-04-21/2006-04-22 (an "
    "interval) or 2004-07/.. (open-ended)."
)


@dataclass(frozen=True)
class DateBounds:
    """The earliest and latest day an EDTF date can mean (None = open)."""

    lower: datetime.date | None
    upper: datetime.date | None
    precision: str


def _invalid(text: str) -> ValidationError:
    return ValidationError(
        "“%(value)s” is not a valid EDTF date. " + EDTF_HELP,
        code="invalid_edtf",
        params={"value": text},
    )


def _precision(parsed) -> str:
    text = str(parsed).rstrip("?~%")
    if "X" in text.upper():
        if text.upper().endswith("XX") and len(text) == 4:
            return "century"
        if len(text) == 4:
            return "decade"
        return "year" if len(text) <= 7 else "month"
    parts = text.split("-")
    if len(parts) >= 3:
        return "day"
    if len(parts) == 2:
        return "season" if int(parts[1]) > 12 else "month"
    return "year"


def _single(text: str) -> tuple[datetime.date, datetime.date, str]:
    if text[:1] in "{[":
        # EDTF sets ("one of", "all of") are valid EDTF, but a record has one date or one interval.
        raise ValidationError(
            "“%(value)s” is a set of dates; give one date or one interval. " + EDTF_HELP,
            code="edtf_set",
            params={"value": text},
        )
    try:
        parsed = edtf.parse_edtf(text)
        if isinstance(parsed, edtf.Interval):
            raise ValueError("nested interval")
        lower = edtf.struct_time_to_date(parsed.lower_strict())
        upper = edtf.struct_time_to_date(parsed.upper_strict())
        precision = _precision(parsed)
    except Exception as exc:  # the library raises several unrelated types, and odd forms break _precision
        raise _invalid(text) from exc
    return lower, upper, precision


def parse_edtf(text: str) -> DateBounds:
    """Bounds of an EDTF date or interval; raises ``ValidationError`` if invalid."""
    text = (text or "").strip()
    if not text:
        raise ValidationError("Enter a date. " + EDTF_HELP, code="required")
    if "/" not in text:
        lower, upper, precision = _single(text)
        return DateBounds(lower, upper, precision)

    start, _, end = text.partition("/")
    if "/" in end or (start in OPEN and end in OPEN):
        raise _invalid(text)
    lower = upper = None
    precisions = []
    if start not in OPEN:
        lower, _, p = _single(start)
        precisions.append(p)
    if end not in OPEN:
        _, upper, p = _single(end)
        precisions.append(p)
    if lower and upper and upper < lower:
        raise ValidationError("“%(value)s” ends before it starts.", code="interval_order", params={"value": text})
    return DateBounds(lower, upper, max(precisions, key=PRECISIONS.index))


def overlap_q(prefix: str, after: datetime.date | None, before: datetime.date | None):
    """Q for records whose ``<prefix>_lower/_upper`` range may touch [after, before].

    An open bound (NULL) reaches to infinity, so it never excludes a record.
    """
    from django.db.models import Q

    q = Q()
    if after:
        q &= Q(**{f"{prefix}_upper__gte": after}) | Q(**{f"{prefix}_upper__isnull": True})
    if before:
        q &= Q(**{f"{prefix}_lower__lte": before}) | Q(**{f"{prefix}_lower__isnull": True})
    return q


def within_q(prefix: str, after: datetime.date | None, before: datetime.date | None):
    """Q for records whose whole range lies certainly inside [after, before]."""
    from django.db.models import Q

    q = Q()
    if after:
        q &= Q(**{f"{prefix}_lower__gte": after})
    if before:
        q &= Q(**{f"{prefix}_upper__lte": before})
    return q
