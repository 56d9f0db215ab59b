"""What the benchmark requests, and the SQL the framework-free baseline answers each request with.

One table drives both servers and the query counter: ``path`` is requested from
the app and from the baseline alike, ``queries`` is the baseline's SQL (run in
order, the first one's rows are the JSON body), so the ratio printed per scenario
compares the same request answered with and without the framework.
"""

# ruff: noqa: S608 -- the SQL is built from module constants only; no request input reaches it.

from dataclasses import dataclass

PAGE = 50
DEEP_PAGE = 1000  # or the last full page of published events, on a dataset too small for it
PUBLISHED = "e.status = 'published'"
EVENT_COLUMNS = "e.id, e.slug, e.kind, e.title, e.date, e.date_lower, e.date_upper, e.place_country_id"


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    queries: tuple[str, ...]
    csv: bool = False
    scaling: bool = False  # also measured at each scale of ``--scales``


def page(where: str, offset: int = 0) -> tuple[str, str]:
    """A count and one page of the timeline, as the paginated list runs them."""
    return (
        f"SELECT {EVENT_COLUMNS} FROM cooperation_event e WHERE {where} "
        f"ORDER BY e.date_lower DESC, e.title LIMIT {PAGE} OFFSET {offset}",
        f"SELECT count(*) FROM cooperation_event e WHERE {where}",
    )


TIMELINE = f"{PUBLISHED} AND e.kind = 'operation' AND e.date_upper >= '2000-01-01' AND e.date_lower <= '2010-12-31'"


def build(events: int, detail: int) -> tuple[Scenario, ...]:
    """The scenarios for ``events`` synthetic events (which sets how deep the deep page is); ``detail`` is an id.

    The detail is the first synthetic operation (``syn-event-1``, published by the generator).
    """
    deep = max(1, min(DEEP_PAGE, int(events * 0.8) // PAGE))  # 90% are published; stay inside them
    return (
        Scenario(
            "events timeline (filtered)",
            "/api/v1/events/?kind=operation&date_after=2000-01-01&date_before=2010-12-31",
            page(TIMELINE),
            scaling=True,
        ),
        Scenario(
            "operations (nested)",
            "/api/v1/operations/",
            (
                *page(f"{PUBLISHED} AND e.kind = 'operation'"),
                "SELECT p.event_id, p.role, p.country_id, p.organization_id, p.person_id "
                "FROM cooperation_participation p "
                "WHERE p.event_id IN (SELECT e.id FROM cooperation_event e WHERE "
                f"{PUBLISHED} AND e.kind = 'operation' ORDER BY e.date_lower DESC, e.title LIMIT {PAGE})",
                "SELECT o.event_id, o.metric_id, o.value, o.unit FROM cooperation_outcome o "
                "WHERE o.event_id IN (SELECT e.id FROM cooperation_event e WHERE "
                f"{PUBLISHED} AND e.kind = 'operation' ORDER BY e.date_lower DESC, e.title LIMIT {PAGE})",
            ),
        ),
        Scenario(
            "detail",
            f"/api/v1/operations/{detail}/",
            (
                f"SELECT {EVENT_COLUMNS}, j.code_name, j.aim FROM cooperation_event e "
                f"JOIN cooperation_jointoperation j ON j.event_ptr_id = e.id WHERE e.id = {detail}",
                "SELECT p.role, p.country_id FROM cooperation_participation p "
                f"JOIN cooperation_event e ON e.id = p.event_id WHERE e.id = {detail}",
                "SELECT o.metric_id, o.value FROM cooperation_outcome o "
                f"JOIN cooperation_event e ON e.id = o.event_id WHERE e.id = {detail}",
                "SELECT c.document_id, c.quote FROM cooperation_citation c "
                f"JOIN cooperation_event e ON e.id = c.event_id WHERE e.id = {detail}",
            ),
        ),
        Scenario(
            "stats events-by-kind",
            "/api/v1/stats/events-by-kind/",
            (f"SELECT e.kind, count(*) FROM cooperation_event e WHERE {PUBLISHED} GROUP BY e.kind ORDER BY e.kind",),
            scaling=True,
        ),
        Scenario(
            "stats events-by-year",
            "/api/v1/stats/events-by-year/",
            (
                "SELECT extract(year FROM e.date_lower)::int AS year, count(*) FROM cooperation_event e "
                f"WHERE {PUBLISHED} GROUP BY year ORDER BY year",
            ),
        ),
        Scenario(
            "stats events-by-country",
            "/api/v1/stats/events-by-country/",
            (
                "SELECT p.country_id, count(DISTINCT p.event_id) FROM cooperation_participation p "
                f"JOIN cooperation_event e ON e.id = p.event_id WHERE {PUBLISHED} AND p.country_id IS NOT NULL "
                "GROUP BY p.country_id ORDER BY 2 DESC",
            ),
        ),
        Scenario(
            "stats outcome-totals",
            "/api/v1/stats/outcome-totals/",
            (
                "SELECT o.metric_id, sum(o.value)::float FROM cooperation_outcome o "
                "JOIN cooperation_event e ON e.id = o.event_id "
                f"WHERE {PUBLISHED} AND o.counts AND o.part_of_id IS NULL "
                "GROUP BY o.metric_id ORDER BY o.metric_id",
            ),
        ),
        Scenario(
            "stats network",
            "/api/v1/stats/network/",
            (
                "SELECT a.country_id, b.country_id, count(*) FROM cooperation_partnershipparty a "
                "JOIN cooperation_partnershipparty b "
                "ON a.partnership_id = b.partnership_id AND a.country_id < b.country_id "
                "GROUP BY 1, 2",
            ),
        ),
        Scenario(
            "search",
            "/api/v1/events/?search=synthetic%20operation",
            page(f"{PUBLISHED} AND e.title ILIKE '%synthetic%' AND e.title ILIKE '%operation%'"),
        ),
        Scenario(
            f"deep page ({deep}th of {PAGE})",
            f"/api/v1/events/?page={deep}&page_size={PAGE}",
            page(PUBLISHED, offset=(deep - 1) * PAGE),
        ),
        Scenario(
            "CSV export (every event)",
            "/api/v1/events/?format=csv",
            (f"SELECT {EVENT_COLUMNS} FROM cooperation_event e WHERE {PUBLISHED} ORDER BY e.date_lower DESC, e.title",),
            csv=True,
        ),
    )
