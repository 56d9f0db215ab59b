"""The benchmark harness's pure parts: wrk parsing, the same-JSON check, cursors, the report's tables.

No server, no wrk, no database: what ``make bench`` runs is checked by running it.
"""

from datetime import date

import pytest

from bench.baseline import SESSION_OPTIONS, HttpError, decode_cursor, encode_cursor, replace_query_param
from bench.compare import first_csv_difference, first_difference
from bench.run import Export, Load, Result, export_table, json_table, parse_wrk

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


def test_tables():
    loaded = Result(100_000, "stats events-by-kind", "yes", queries=(2, 1), first=(480.25, 350.0))
    loaded.app, loaded.baseline = Load(100.0, 50.0, 90.0), Load(200.0, 25.0, 45.0, errors=2)
    slow = Result(100_000, "stats network", "no: $.a: 'x|y' ≠ 'z'", queries=(2, None))
    slow.app, slow.baseline = Load(None, 6000.0, 6000.0, single=True), Load(None, 3000.0, 3000.0, single=True)
    lines = json_table([loaded, slow]).splitlines()
    assert lines[0].startswith("| scenario | same JSON | app req/s |")
    assert (
        lines[2]
        == "| stats events-by-kind | yes | 100.0 | 50.0 | 90.0 | 200.0 (2 failed) | 25.0 | 45.0 | 2.00 | 2 / 1 "
        "| 480.2 / 350.0 |"
    )
    assert lines[3] == (
        "| stats network | no: $.a: 'x\\|y' ≠ 'z' | alone | 6000.0 | 6000.0 | alone | 3000.0 | 3000.0 | 2.00 | 2 / — "
        "| — / — |"
    )
    export = Result(1_000_000, "CSV export (every event)", "header yes", csv=True, queries=(None, 8001))
    export.app, export.baseline = Export(240.0, 12_000, False, 30.0), Export(100.0, 900_000, True, 8.0)
    row = export_table([export]).splitlines()[2]
    assert row == (
        "| 1,000,000 | 900,000 | header yes | > 240 (stopped at 12,000 rows) | 50 | 30 | 100.0 | 9,000 | 8 "
        "| 180.00 | — / 8001 |"
    )


def test_the_baseline_talks_to_postgresql_as_the_app_does(settings):
    assert SESSION_OPTIONS == settings.POSTGRES_SESSION_OPTIONS
