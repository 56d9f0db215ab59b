"""``/api/v1/stats/``: aggregates for dashboards, computed in the database.

- ``events-by-kind``, ``events-by-year``, ``events-by-country`` — counts of events;
- ``outcome-totals`` — sums of the figures that count, by metric and unit;
- ``network`` — partnership and co-participation edges between countries and organizations.

Each takes the parameters of the list it summarizes (``/events/``, ``/partnerships/``),
counts only what the client may see, and answers in a fixed number of queries. Rows come
as ``{"results": [...]}`` without pagination: an aggregate has a row per kind, year,
country or metric and unit, never one per record.

``selectors`` holds the queries, ``subjects`` what they count and how it is filtered,
``serializers`` the shapes, ``views`` and ``urls`` the endpoints, ``cache`` how answers are
kept until the data changes.
"""
