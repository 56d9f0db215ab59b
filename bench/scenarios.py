"""What the benchmark requests: the scenarios of the issues, for one dataset.

Each path is requested from the app, the mirror (``bench.baseline``) and the limit (``bench.limit``) alike (both
answer exactly these; the limit no CSV), so each share compares the same request answered by the framework, without
it, and with the fastest SQL. Every scenario runs on every dataset of ``--scales``; ``key`` names it the same on all
of them. The deep page's cursor is found by walking the app's ``next`` links (``bench.run.deep_page``); the rest is
fixed by the dataset.
"""

from __future__ import annotations

from dataclasses import dataclass

PAGE = 50
DEEP_PAGE = 1000  # the 1,000th page of 50; on a dataset too small for it, the last full page
DATE_AFTER = "2005-01-01"  # issue 12's
STATS = ("events-by-kind", "events-by-year", "events-by-country", "outcome-totals", "network")


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    key: str  # the same on every dataset (the name may say the dataset's page number)
    csv: bool = False  # the export: one request timed, not wrk


@dataclass(frozen=True)
class Dataset:
    """What the scenarios need to know of a database: its size and a few ids found in it."""

    url: str
    events: int
    published: int
    detail: int  # a published operation, with outcomes
    country: str  # the timeline's country (a busy one, chosen on the main dataset)


def deep_page_number(published: int) -> int:
    """Which page of 50 the deep page is: the 1,000th, or the last full one."""
    return max(1, min(DEEP_PAGE, published // PAGE))


def filtered(resource: str, country: str) -> str:
    return f"/api/v1/{resource}/?country={country}&date_after={DATE_AFTER}"


def timeline(country: str) -> str:
    return filtered("events", country)


def build(dataset: Dataset, deep_path: str | None = None) -> list[Scenario]:
    """The scenarios for ``dataset``, in the order they run; the deep page only when its path is known."""
    country = dataset.country
    scenarios = [
        Scenario(f"events timeline (country={country}, date_after)", timeline(country), "timeline"),
        Scenario(
            f"operations filtered (country={country}, date_after)",
            filtered("operations", country),
            "operations-filtered",
        ),
        Scenario("operations (nested)", "/api/v1/operations/", "operations"),
        Scenario("operation detail", f"/api/v1/operations/{dataset.detail}/", "detail"),
        *(Scenario(f"stats {name}", f"/api/v1/stats/{name}/", f"stats-{name}") for name in STATS),
        Scenario("search", "/api/v1/events/?search=synthetic%20operation", "search"),
    ]
    if deep_path:
        number = deep_page_number(dataset.published)
        scenarios.append(Scenario(f"deep page ({number:,}th of {PAGE})", deep_path, "deep"))
    scenarios.append(Scenario("CSV export (every event)", "/api/v1/events/?format=csv", "export", csv=True))
    return scenarios
