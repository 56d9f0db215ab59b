"""End to end on the seed article (fixtures/edm-2006-v3-i79.yaml), as a dashboard would read it."""

import pytest

API = "/api/v1"
WRITABLE = (
    "organizations",
    "councils",
    "people",
    "sessions",
    "operations",
    "exercises",
    "meetings",
    "statements",
    "partnerships",
    "sources",
    "documents",
)


def passenger_figures(outcomes) -> set[tuple]:
    subsets = {row["uid"]: row["part_of"] for row in outcomes}
    return {(row["metric"]["slug"], row["value"], subsets[row["uid"]] is not None) for row in outcomes}


PASSENGER_FIGURES = {
    ("crimes-solved", 585, False),
    ("persons-detained", 224, False),
    ("persons-detained", 6, True),  # “six of whom had been on the wanted list”
}


def test_operations_with_ukraine_are_passenger_and_its_figures(api, article):
    response = api.get(f"{API}/operations/", {"country": "UA"})

    assert response.status_code == 200
    results = response.json()["results"]
    assert [row["code_name"] for row in results] == ["Passenger"]
    outcomes = results[0]["outcomes"]
    assert passenger_figures(outcomes) == PASSENGER_FIGURES
    assert not any("citations" in row for row in (results[0], *outcomes)), "provenance only on request"


def test_passengers_figures_with_their_sources(api, article):
    response = api.get(f"{API}/operations/", {"country": "UA", "include": "citations"})

    operation = response.json()["results"][0]
    assert passenger_figures(operation["outcomes"]) == PASSENGER_FIGURES
    for figure in operation["outcomes"]:
        sources = {citation["document"]["source"]["slug"] for citation in figure["citations"]}
        # EDM quotes the minister; the agencies it cites (Interfax, Itar-Tass) are cited without a quote of their own.
        assert {"eurasia-daily-monitor", "interfax", "itar-tass"} <= sources, figure
        assert any(citation["quote"] for citation in figure["citations"]), figure
    crimes = next(row for row in operation["outcomes"] if row["metric"]["slug"] == "crimes-solved")
    assert any("585 crimes were solved" in citation["quote"] for citation in crimes["citations"])


def test_late_2005_is_found_by_overlap_but_not_within_october(api, article):
    overlap = api.get(f"{API}/events/", {"date_after": "2005-10-01", "date_before": "2005-10-31"}).json()
    within = api.get(
        f"{API}/events/", {"date_after": "2005-10-01", "date_before": "2005-10-31", "date_mode": "within"}
    ).json()

    assert "passenger-2005" in [row["slug"] for row in overlap["results"]]
    assert "passenger-2005" not in [row["slug"] for row in within["results"]]


@pytest.mark.parametrize("resource", WRITABLE)
def test_every_article_record_writes_back_unchanged(staff_api, article, resource):
    """Each fixture record, sent back as read, passes the models' validation and comes back the same."""
    rows = staff_api.get(f"{API}/{resource}/", {"page_size": 200}).json()["results"]
    assert rows, f"the article has {resource}"
    for row in rows:
        response = staff_api.put(row["url"], row, format="json")
        assert response.status_code == 200, (row["slug"], response.json())
        assert {k: v for k, v in response.json().items() if k != "updated_at"} == {
            k: v for k, v in row.items() if k != "updated_at"
        }
