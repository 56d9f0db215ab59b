"""What the benchmark requests: the scenarios of the issue, for one dataset.

Each path is requested from the app and from the baseline alike (``bench.baseline`` answers
exactly these), so each ratio compares the same request answered with and without the
framework. The deep page's cursor is found by walking the app's ``next`` links
(``bench.run.deep_page``); the rest is fixed by the dataset.
"""

from __future__ import annotations

from dataclasses import dataclass

PAGE = 50
DEEP_PAGE = 1000  # the 1,000th page of 50; on a dataset too small for it, the last full page
DATE_AFTER = "2000-01-01"
STATS = ("events-by-kind", "events-by-year", "events-by-country", "outcome-totals", "network")
SCALING_AGGREGATE = "events-by-kind"


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    csv: bool = False  # the export: one request timed, not wrk
    scaling: bool = False  # also measured at each scale of ``--scales``


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


def timeline(country: str) -> str:
    return f"/api/v1/events/?country={country}&date_after={DATE_AFTER}"


def build(dataset: Dataset, deep_path: str | None = None) -> list[Scenario]:
    """The scenarios for ``dataset``, in the order they run; the deep page only when its path is known."""
    scenarios = [
        Scenario(f"events timeline (country={dataset.country}, date_after)", timeline(dataset.country), scaling=True),
        Scenario("operations (nested)", "/api/v1/operations/"),
        Scenario("operation detail", f"/api/v1/operations/{dataset.detail}/"),
        *(Scenario(f"stats {name}", f"/api/v1/stats/{name}/", scaling=name == SCALING_AGGREGATE) for name in STATS),
        Scenario("search", "/api/v1/events/?search=synthetic%20operation"),
    ]
    if deep_path:
        scenarios.append(Scenario(f"deep page ({deep_page_number(dataset.published):,}th of {PAGE})", deep_path))
    scenarios.append(Scenario("CSV export (every event)", "/api/v1/events/?format=csv", csv=True, scaling=True))
    return scenarios
