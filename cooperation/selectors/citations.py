"""What counts as a record's citations: its own, and those of the rows it is made of.

An event is supported by a citation of the event itself, of one of its participations or figures, and — a council
session — of one of its proposals; a partnership by a citation of itself or of one of its figures. The publish rule
(``cooperation.workflow``), the admin's “cited” filter and citation column, and search by quote all read this.
Sources, documents and actors have no entry: they are the provenance and what facts are about, cited on the rows
(participations, offices) that make claims of them.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from cooperation.models import Citation, CouncilSession, Event, Partnership
from cooperation.selectors import visibility

# Kinds of record → the paths from a Citation to such a record through which it counts. A kind has its parents'
# paths (a council session, an event's), and a parent its kinds' (the timeline holds sessions).
CITATION_PATHS: dict[type[models.Model], tuple[str, ...]] = {
    Event: ("event", "participation__event", "outcome__event"),
    CouncilSession: ("proposal__session",),
    Partnership: ("partnership", "outcome__partnership"),
}


def citation_paths(model: type[models.Model]) -> list[str]:
    """The paths from ``Citation`` through which a citation counts for ``model``; empty if it needs none."""
    kinds = [cls for cls in CITATION_PATHS if issubclass(model, cls) or issubclass(cls, model)]
    return [path for cls in kinds for path in CITATION_PATHS[cls]]


def cited(model: type[models.Model]) -> Q:
    """Records of ``model`` with at least one citation (an ``EXISTS`` per path); nothing if it has no paths."""
    paths = citation_paths(model)
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Exists(Citation.objects.filter(**{path: OuterRef("pk")})) for path in paths))


def citation_count(model: type[models.Model]):
    """The number of citations of each ``model`` record, through every path, as a correlated subquery."""
    paths = citation_paths(model)
    if not paths:
        return models.Value(0, output_field=IntegerField())
    supporting = Citation.objects.filter(reduce(or_, (Q(**{path: OuterRef("pk")}) for path in paths)))
    counted = supporting.order_by().annotate(group=models.Value(1)).values("group").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n"), output_field=IntegerField()), 0)


def quoting(model: type[models.Model], citations: models.QuerySet, user) -> Q:
    """Records of ``model`` supported by one of ``citations`` that ``user`` may see.

    A citation cites exactly one target (a database constraint). So the paths through the record itself, a figure
    or a proposal are one subquery (the record reached by whichever is set) with no participation to check, and
    the path through a participation is another, which checks it.
    """
    paths = citation_paths(model)
    of_rows = [path for path in paths if path.startswith("participation__")]
    of_records = [path for path in paths if path not in of_rows]
    subqueries = []
    if of_records:
        record = Coalesce(*of_records) if len(of_records) > 1 else F(of_records[0])
        seen = visibility.rows(citations, user, unset=("participation",)).values(record=record)
        subqueries.append(Q(pk__in=seen.distinct()))
    for path in of_rows:
        subqueries.append(Q(pk__in=visibility.rows(citations.values(path).distinct(), user)))
    return reduce(or_, subqueries)
