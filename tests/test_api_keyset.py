"""Keyset pagination of the event lists: every row once, in order, both ways; bad cursors; the index on PostgreSQL."""

import base64
import json
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench import synthetic
from tests.factories import JointOperationFactory, MeetingFactory

API = "/api/v1"
ORDERINGS = [None, "date", "-title", "updated_at", "-id", "title,-date"]


@pytest.fixture
def timeline(db):
    """Events sharing dates and titles (ties for every key), and undated ones, which sort last."""
    for date in ("2006-04-21", "2006-04-21", "2005", "2006-04", "../2005-01-01", "../2006-04-21", "2004-02-02/.."):
        JointOperationFactory(date=date, title="Same title")
        MeetingFactory(date=date)


def path(url: str) -> str:
    return url.removeprefix("http://testserver")


def walk(client, url: str, link: str = "next") -> list[list[int]]:
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert "count" not in body
        pages.append([row["id"] for row in body["results"]])
        url = body[link] and path(body[link])
    return pages


@pytest.mark.parametrize("ordering", ORDERINGS)
@pytest.mark.parametrize("resource", ["events", "operations"])
def test_pages_list_every_row_once_in_order_forward_and_back(api, timeline, resource, ordering):
    ordered = {"ordering": ordering} if ordering else {}
    everything = api.get(f"{API}/{resource}/", {**ordered, "page_size": 200}).json()["results"]
    expected = [row["id"] for row in everything]
    first_page = f"{API}/{resource}/?{urlencode({**ordered, 'page_size': 3})}"

    forward = walk(api, first_page)

    assert [row for page in forward for row in page] == expected
    assert all(len(page) == 3 for page in forward[:-1])
    last_page_url = api.get(first_page).json()["next"]
    for _ in range(len(forward) - 2):
        last_page_url = api.get(path(last_page_url)).json()["next"]
    backward = walk(api, path(last_page_url), link="previous")
    assert backward == forward[::-1]


def test_undated_events_come_last_and_the_newest_first(api, timeline):
    rows = api.get(f"{API}/events/", {"page_size": 200}).json()["results"]
    lowers = [row["date"]["lower"] for row in rows]

    dated = [lower for lower in lowers if lower]
    assert dated == sorted(dated, reverse=True)
    assert lowers[len(dated) :] == [None] * (len(lowers) - len(dated))


def test_a_deep_page_costs_what_the_first_does(api, timeline):
    with CaptureQueriesContext(connection) as first:
        body = api.get(f"{API}/events/", {"page_size": 2, "fields": "id"}).json()
    for _ in range(2):  # to the 4th page, still among the dated rows (crossing into the undated takes a 2nd query)
        body = api.get(path(body["next"])).json()
    with CaptureQueriesContext(connection) as deep:
        api.get(path(body["next"]))

    assert len(first) == len(deep) == 1
    assert "OFFSET" not in deep[0]["sql"].upper()
    assert "COUNT(" not in deep[0]["sql"].upper()


def cursor(payload: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "value",
    [
        "not base64 at all!",
        cursor({"d": "sideways", "o": ["-date_lower", "title", "pk"], "v": ["2006-01-01", "x", 1]}),
        cursor({"d": "next", "o": ["-date_lower", "title", "pk"], "v": ["2006-01-01"]}),
        cursor({"d": "next", "o": ["-date_lower", "title", "pk"], "v": ["not a date", "x", 1]}),
        cursor({"d": "next", "o": ["title", "pk"], "v": ["x", 1]}),  # another ordering's cursor
    ],
)
def test_a_bad_cursor_is_a_400_naming_it(api, timeline, value):
    response = api.get(f"{API}/events/", {"cursor": value})

    assert response.status_code == 400
    assert list(response.json()) == ["cursor"]


def test_the_cursor_survives_a_change_of_page_size(api, timeline):
    first = api.get(f"{API}/events/", {"page_size": 4}).json()
    after_four = api.get(path(first["next"]).replace("page_size=4", "page_size=2")).json()
    everything = api.get(f"{API}/events/", {"page_size": 200}).json()["results"]

    assert [row["id"] for row in after_four["results"]] == [row["id"] for row in everything[4:6]]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner under test is PostgreSQL's")
@pytest.mark.parametrize(
    ("params", "index"),
    [
        ({}, "cooperation_event_tl"),
        ({"date_after": "2000-01-01", "date_before": "2010-12-31"}, "cooperation_event_tl"),
    ],
)
def test_the_planner_walks_the_timeline_index(api, db, params, index):
    synthetic.generate(3000, seed=3)
    with connection.cursor() as cursor_:
        cursor_.execute("ANALYZE cooperation_event")
    first = api.get(f"{API}/events/", {**params, "fields": "id"}).json()
    with CaptureQueriesContext(connection) as queries:
        assert api.get(path(first["next"])).status_code == 200

    with connection.cursor() as cursor_:
        cursor_.execute(f"EXPLAIN {queries[0]['sql']}")
        plan = "\n".join(row[0] for row in cursor_.fetchall())
    assert f"Index Scan using {index}" in plan, plan
    assert "Sort" not in plan.split("Index Scan")[0], plan  # rows come in index order: no sort of the match
