"""The benchmark harness: wrk parsing, the same-JSON check, cursors, the report's tables and targets; and, on
PostgreSQL, that the mirror and the limit answer the benchmark's requests with the app's JSON.

No server and no wrk: what ``make bench`` runs is checked by running it. The servers' answers are checked here in
process, on a small synthetic dataset, each WSGI application given the test's own database connection.
"""

import json
from datetime import date
from urllib.parse import urlsplit

import pytest
from django.db import connection, models

from bench import limit, synthetic
from bench.baseline import SESSION_OPTIONS, Baseline, HttpError, decode_cursor, encode_cursor, replace_query_param
from bench.compare import first_csv_difference, first_difference
from bench.run import (
    Export,
    Load,
    Result,
    combined,
    export_table,
    json_table,
    parse_wrk,
    scaling_table,
    share,
    targets,
)
from bench.scenarios import Dataset, build
from cooperation.models import Event, JointOperation, Participation

WRK = """Running 3s test @ http://127.0.0.1:8701/api/v1/stats/events-by-kind/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   412.50ms  100.21ms   1.02s    70.00%
  Latency Distribution
     50%  850.00us
     75%  450.12ms
     90%  520.00ms
     99%    1.02s
  58 requests in 3.01s, 40.12KB read
{errors}Requests/sec:     19.27
Transfer/sec:     13.33KB
"""
# A cursor as the app writes it (``next`` past 2025-12-20, "Synthetic operation 64276", id 64277).
APP_CURSOR = (
    "eyJkIjoibmV4dCIsIm8iOlsiLWRhdGVfbG93ZXIiLCJ0aXRsZSIsInBrIl0sInYiOlsiMjAyNS0xMi0yMCIsIlN5bnRoZXRpYyBvcGVy"
    "YXRpb24gNjQyNzYiLDY0Mjc3XX0"
)


def test_parse_wrk_converts_units_to_milliseconds():
    load = parse_wrk(WRK.format(errors=""))
    assert (load.rps, load.p50, load.p99, load.errors) == (19.27, 0.85, 1020.0, 0)


def test_parse_wrk_counts_failed_requests():
    errors = "  Socket errors: connect 0, read 1, write 0, timeout 2\n  Non-2xx or 3xx responses: 3\n"
    assert parse_wrk(WRK.format(errors=errors)).errors == 6


def page(port: int, code: str = "UA", cursor: str | None = "abc") -> dict:
    url = f"http://127.0.0.1:{port}/api/v1/events/"
    return {
        "next": cursor and f"{url}?cursor={cursor}",
        "previous": None,
        "results": [{"id": 1, "url": f"{url}1/", "participants": [{"country": {"code": code}, "counts": True}]}],
    }


def test_same_json_ignores_ports_and_cursors():
    assert first_difference(page(8701, cursor="one"), page(8702, cursor="two")) is None


@pytest.mark.parametrize(
    ("baseline", "found"),
    [
        (page(8702, code="RU"), "$.results[0].participants[0].country.code: 'UA' ≠ 'RU'"),
        (page(8702, cursor=None), "$.next: 'http://127.0.0.1:8701/api/v1/events/?cursor=abc' ≠ None"),
        ({"next": None, "previous": None}, "$: baseline lacks 'results'"),
    ],
)
def test_same_json_names_the_first_difference(baseline, found):
    assert first_difference(page(8701), baseline) == found


def test_same_json_does_not_take_true_for_one():
    assert first_difference({"counts": True}, {"counts": 1}) == "$.counts: True ≠ 1"


def test_csv_compares_header_first_row_and_rows():
    app = {"header": ["id", "url"], "first": ["1", "http://127.0.0.1:8701/x"], "rows": 10}
    assert first_csv_difference(app, {**app, "first": ["1", "http://127.0.0.1:8702/x"]}) is None
    assert first_csv_difference(app, {**app, "rows": 9}) == "rows: 10 ≠ 9"
    assert first_csv_difference(app, {**app, "rows": None}) is None  # a stopped export has no row count
    assert first_csv_difference(app, {**app, "header": ["id"]}).startswith("header:")


def test_cursor_is_the_apps():
    position = (date(2025, 12, 20), "Synthetic operation 64276", 64277)
    assert decode_cursor(APP_CURSOR) == ("next", position)
    assert encode_cursor("next", list(position)) == APP_CURSOR
    assert replace_query_param("/api/v1/events/?page_size=200&fields=id", "cursor", "c") == (
        "/api/v1/events/?cursor=c&fields=id&page_size=200"
    )


@pytest.mark.parametrize("text", ["not-base64!", "e30", encode_cursor("prev", ["2025-12-20", "A", 1])])
def test_other_cursors_are_a_400(text):
    with pytest.raises(HttpError) as raised:
        decode_cursor(text)
    assert raised.value.status.startswith("400")


def result(scenario: str, key: str, events: int = 100_000, **loads) -> Result:
    loaded = Result(events, scenario, key, same={"mirror": "yes", "limit": "yes"})
    loaded.loads = loads
    return loaded


def test_rounds_combine_into_one_load():
    load = combined([Load(100.0, 40.0, 90.0, errors=1), Load(80.0, 60.0, 120.0)])
    assert (load.rps, load.p50, load.p99, load.errors) == (90.0, 50.0, 120.0, 1)


def test_share_is_by_throughput_or_by_the_medians_of_requests_timed_alone():
    assert share(Load(25.0, 300.0, 400.0), Load(100.0, 75.0, 90.0)) == 25.0
    assert share(Load(None, 4000.0, 5000.0, single=True), Load(None, 1000.0, 1200.0, single=True)) == 25.0
    assert share(None, Load(100.0, 75.0, 90.0)) is None


def test_tables():
    loaded = result("stats events-by-kind", "stats-events-by-kind")
    loaded.same["uncached"] = "yes"
    loaded.loads = {"app": Load(800.0, 5.0, 9.0), "uncached": Load(100.0, 50.0, 90.0)}
    loaded.loads |= {"mirror": Load(200.0, 25.0, 45.0, errors=2), "limit": Load(400.0, 12.5, 20.0)}
    loaded.queries = {"app": 1, "uncached": 2, "mirror": 1, "limit": 1}
    loaded.first = {"app": 480.25, "mirror": 350.0}
    slow = result("stats network", "stats-network")
    slow.same["mirror"] = "no: $.a: 'x|y' ≠ 'z'"
    slow.loads = {name: Load(None, p50, p50, single=True) for name, p50 in (("uncached", 6000.0), ("mirror", 3000.0))}
    slow.queries = {"app": 2}
    lines = json_table([loaded, slow]).splitlines()
    assert lines[0] == (
        "| scenario | same JSON (uncached, mirror, limit) | app req/s | app p50 ms | uncached req/s | uncached p50 ms "
        "| mirror req/s | mirror p50 ms | limit req/s | limit p50 ms | app % of limit | uncached % of limit "
        "| uncached % of mirror | p99 ms app / uncached / mirror / limit | queries app / uncached / mirror / limit "
        "| first request ms app / uncached / mirror / limit |"
    )
    assert lines[2] == (
        "| stats events-by-kind | yes | 800.0 | 5.0 | 100.0 | 50.0 | 200.0 (2 failed) | 25.0 | 400.0 | 12.5 "
        "| 200 % | 25 % | 50 % | 9.0 / 90.0 / 45.0 / 20.0 | 1 / 2 / 1 / 1 | 480.2 / — / 350.0 / — |"
    )
    assert lines[3] == (
        "| stats network | uncached: —; mirror: no: $.a: 'x\\|y' ≠ 'z'; limit: yes | — | — | alone | 6000.0 "
        "| alone | 3000.0 | — | — | — | — | 50 % | — / 6000.0 / 3000.0 / — | 2 / — / — / — | — / — / — / — |"
    )
    export = Result(1_000_000, "CSV export (every event)", "export", csv=True, same={"mirror": "header yes"})
    export.loads = {"app": Export(240.0, 12_000, False, 30.0), "mirror": Export(100.0, 900_000, True, 8.0)}
    export.queries = {"mirror": 8001}
    row = export_table([export]).splitlines()[2]
    assert row == (
        "| 1,000,000 | 900,000 | header yes | > 240 (stopped at 12,000 rows) | 50 | 30 | 100.0 | 9,000 | 8 "
        "| 180.00 | — / 8001 |"
    )


def scaled_results(timeline_p50_at_1m: float) -> list[Result]:
    """The timeline and search at two scales: the uncached app's and the mirror's p50 double, the limit's stay, the
    app's (cached) timeline's is as given."""
    results = []
    for events, factor in ((100_000, 1), (1_000_000, 2)):
        for scenario, key, p50 in (("timeline", "timeline", 100.0), ("search", "search", 50.0)):
            app = timeline_p50_at_1m if (key, events) == ("timeline", 1_000_000) else p50
            loads = {"app": Load(500.0, app, app), "uncached": Load(20.0, p50 * factor, 1)}
            loads |= {"mirror": Load(40.0, p50 * factor, 1), "limit": Load(80.0, 10.0, 1)}
            results.append(result(scenario, key, events, **loads))
    return results


def test_scaling_table_gives_each_reads_p50_per_scale_and_its_growth():
    lines = scaling_table(scaled_results(120.0)).splitlines()
    assert lines[0] == (
        "| scenario | p50 ms at 100,000 (app / uncached / mirror / limit) "
        "| p50 ms at 1,000,000 (app / uncached / mirror / limit) "
        "| largest / smallest (app / uncached / mirror / limit) |"
    )
    assert lines[2] == (
        "| timeline | 100.0 / 100.0 / 100.0 / 10.0 | 120.0 / 200.0 / 200.0 / 10.0 | x1.20 / x2.00 / x2.00 / x1.00 |"
    )
    assert lines[3] == (
        "| search | 50.0 / 50.0 / 50.0 / 10.0 | 50.0 / 100.0 / 100.0 / 10.0 | x1.00 / x2.00 / x2.00 / x1.00 |"
    )


def test_targets_say_what_is_met_by_the_app_and_by_the_app_uncached():
    def loads(app: float, uncached: float, limit: float) -> dict:
        return {"app": Load(app, 1, 1), "uncached": Load(uncached, 1, 1), "limit": Load(limit, 1, 1)}

    main = [
        result("events timeline", "timeline", **loads(600.0, 60.0, 100.0)),
        result("operations (nested)", "operations", **loads(500.0, 40.0, 100.0)),
        result("search", "search", **loads(900.0, 150.0, 300.0)),
    ]
    lines = targets(main, scaled_results(120.0))
    assert lines[0] == (
        "- events timeline, ≥ 50 % of the limit's throughput — app 600 %: **met**; uncached 60 %: **met**"
    )
    assert lines[1].endswith("uncached 40 %: **not met**")
    assert lines[2] == (
        "- every read's p50 at 1,000,000 events within 1.5 times its p50 at 100,000 — app: largest x1.20, **met**; "
        "uncached: largest x2.00 (timeline x2.00, search x2.00), **not met**"
    )
    assert lines[3].endswith("— app 900.0 req/s: **met**; uncached 150.0 req/s: **not met**")
    assert "another machine" in lines[3]
    one_scale = targets(main, [r for r in scaled_results(120.0) if r.events == 100_000])
    assert "not measured: one scale (100,000 events)" in one_scale[2]


def test_the_baseline_talks_to_postgresql_as_the_app_does(settings):
    assert SESSION_OPTIONS == settings.POSTGRES_SESSION_OPTIONS


def test_the_limit_talks_to_postgresql_as_the_app_does_but_without_parallel_workers(settings):
    assert limit.OWN_OPTIONS == "-c max_parallel_workers_per_gather=0"
    assert SESSION_OPTIONS == settings.POSTGRES_SESSION_OPTIONS  # and the mirror's, which the limit starts from


# The servers' answers, on PostgreSQL ---------------------------------------------------------------------------------

HOST = "testserver"


def wsgi_get(application, path: str) -> tuple[str, bytes]:
    """``path`` requested from a WSGI application in process: the status line and the body."""
    url = urlsplit(path)
    environ = {
        **{"REQUEST_METHOD": "GET", "PATH_INFO": url.path, "QUERY_STRING": url.query},
        **{"HTTP_HOST": HOST, "wsgi.url_scheme": "http"},
    }
    status = []
    body = b"".join(application(environ, lambda line, headers: status.append(line)))
    return status[0], body


@pytest.fixture
def dataset(db):
    """A small synthetic dataset and what the scenarios need of it (``bench.run.ensure_dataset``'s facts)."""
    synthetic.generate(1200, seed=5)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    detail = JointOperation.objects.filter(status="published", outcomes__isnull=False).order_by("pk").first().pk
    busiest = (
        Participation.objects.filter(event__status="published", country__isnull=False)
        .values("country")
        .annotate(n=models.Count("id"))
        .order_by("-n", "country")
        .first()["country"]
    )
    published = Event.objects.filter(status="published").count()
    return Dataset("", 1200, published, detail, busiest)


def servers() -> dict:
    """The mirror and the limit on the test's connection: they see its uncommitted rows."""
    connection.ensure_connection()
    found = {"mirror": Baseline(None), "limit": limit.Limit(None)}
    for server in found.values():
        server.connection = connection.connection
    return found


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the mirror and the limit are PostgreSQL's")
def test_the_mirror_and_the_limit_answer_every_scenario_with_the_apps_json(api, dataset):
    first = api.get("/api/v1/events/", {"page_size": 200, "fields": "id"}).json()
    deep = replace_query_param(first["next"].split(HOST, 1)[1], "page_size", "50").replace("&fields=id", "")
    scenarios = [scenario for scenario in build(dataset, deep) if not scenario.csv]
    assert {scenario.key for scenario in scenarios} >= {"timeline", "operations-filtered", "search", "deep"}
    servers_ = servers()
    for scenario in scenarios:
        response = api.get(scenario.path, HTTP_HOST=HOST)
        assert response.status_code == 200, (scenario.path, response.content[:300])
        app = response.json()
        if isinstance(app.get("results"), list) and "next" in app:
            assert app["results"], scenario.path  # a page with rows: the comparison compares something
        for name, server in servers_.items():
            before = server.queries
            status, body = wsgi_get(server, scenario.path)
            assert status == "200 OK", (name, scenario.path, body[:300])
            assert first_difference(app, json.loads(body)) is None, (name, scenario.path)
            if name == "limit":
                assert server.queries - before == 1, scenario.path  # one statement per request


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the limit is PostgreSQL's")
def test_the_limit_follows_next_links_to_the_end_as_the_app_does(api, dataset):
    server = servers()["limit"]
    path, app_ids, limit_ids = "/api/v1/operations/?page_size=200", [], []
    while path:
        app = api.get(path, HTTP_HOST=HOST).json()
        _, body = wsgi_get(server, path)
        page = json.loads(body)
        assert first_difference(app, page) is None, path
        app_ids += [row["id"] for row in app["results"]]
        limit_ids += [row["id"] for row in page["results"]]
        path = page["next"] and page["next"].split(HOST, 1)[1]
    assert (
        app_ids
        == limit_ids
        == list(
            JointOperation.objects.filter(status="published")
            .order_by("-date_lower", "title", "pk")
            .values_list("pk", flat=True)
        )
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the limit is PostgreSQL's")
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/events/?format=csv", "404"),
        ("/api/v1/events/?organization=x", "400"),
        ("/api/v1/events/?country=Ukraine", "400"),
        ("/api/v1/operations/1/?x=1", "400"),
        ("/api/v1/operations/999999999/", "404"),
        ("/api/v1/stats/nothing/", "404"),
    ],
)
def test_the_limit_refuses_what_it_does_not_serve(db, path, status):
    line, body = wsgi_get(servers()["limit"], path)
    assert line.startswith(status), body
    assert "detail" in json.loads(body)
