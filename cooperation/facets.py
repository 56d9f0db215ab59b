"""What the timeline's facets (``models.EventFacet``) hold, and the triggers that keep them exact.

The rows of an event are *derived*: one statement (``derive``) computes them from the event, its participations,
their organizations and people, a session's council and the event's topics. Triggers on each of those tables
re-derive the rows of the events a write touches, in the writing statement's own transaction, so the facets are
exact whatever writes — the admin, the API, imports, ``loaddata``, bulk loads, raw SQL — and a rolled-back write
leaves them as they were. The same SQL serves SQLite and PostgreSQL: only the trigger wrapping differs.

A bulk load of many events (the benchmark's synthetic data) sets the triggers aside (``suspended``) and derives every
row once at the end. ``differences()`` compares the stored rows with a fresh derivation: the tests' oracle.
"""

# ruff: noqa: S608 -- the SQL here is assembled from this module's constants and fixed table names.

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection, transaction

FACETS = "cooperation_eventfacet"
COLUMNS = "event_id, key, kind, public, party, public_party, date_lower, date_upper, title"
PUBLISHED = "'published'"


def _shown(alias: str) -> str:
    return f"CASE WHEN {alias}.status = {PUBLISHED} THEN 1 ELSE 0 END"


def _ways(ids: str | None) -> str:
    """Every way an event has a key, one row each: ``(event_id, key, shown, party)``.

    ``shown``: the way goes through records an anonymous reader may see (``selectors.visibility``: a participation
    of a draft organization or person is hidden from them); ``party``: the way is a participation (or a session's
    council), not the place.
    """

    def only(column: str) -> str:
        return "" if ids is None else f" AND {column} IN ({ids})"

    return " UNION ALL ".join(
        (
            "SELECT id AS event_id, 'c:' || place_country_id AS key, 1 AS shown, 0 AS party "
            f"FROM cooperation_event WHERE place_country_id IS NOT NULL{only('id')}",
            "SELECT event_id, 'c:' || country_id, 1, 1 "
            f"FROM cooperation_participation WHERE country_id IS NOT NULL{only('event_id')}",
            f"SELECT p.event_id, 'c:' || o.country_id, {_shown('o')}, 1 FROM cooperation_participation p "
            f"JOIN cooperation_organization o ON o.id = p.organization_id WHERE o.country_id IS NOT NULL"
            f"{only('p.event_id')}",
            f"SELECT p.event_id, 'c:' || o.country_id, {_shown('o')}, 1 FROM cooperation_participation p "
            f"JOIN cooperation_person o ON o.id = p.person_id WHERE o.country_id IS NOT NULL{only('p.event_id')}",
            f"SELECT p.event_id, 'o:' || p.organization_id, {_shown('o')}, 1 FROM cooperation_participation p "
            f"JOIN cooperation_organization o ON o.id = p.organization_id WHERE 1 = 1{only('p.event_id')}",
            f"SELECT s.event_ptr_id, 'o:' || c.organization_id, {_shown('c')} * {_shown('o')}, 1 "
            "FROM cooperation_councilsession s JOIN cooperation_council c ON c.id = s.council_id "
            f"JOIN cooperation_organization o ON o.id = c.organization_id WHERE 1 = 1{only('s.event_ptr_id')}",
            f"SELECT p.event_id, 'p:' || p.person_id, {_shown('o')}, 1 FROM cooperation_participation p "
            f"JOIN cooperation_person o ON o.id = p.person_id WHERE 1 = 1{only('p.event_id')}",
            f"SELECT event_id, 't:' || topic_id, 1, 1 FROM cooperation_event_topics WHERE 1 = 1{only('event_id')}",
        )
    )


def derive(ids: str | None = None) -> str:
    """A SELECT of the facet rows (``COLUMNS``) of the events whose ids ``ids`` lists (SQL), or of every event."""
    where = "" if ids is None else f" WHERE e.id IN ({ids})"
    published = f"e.status = {PUBLISHED}"
    return (
        f"SELECT e.id, w.key, e.kind, {published} AND MAX(w.shown) = 1, MAX(w.party) = 1, "
        f"{published} AND MAX(w.shown * w.party) = 1, e.date_lower, e.date_upper, e.title "
        f"FROM cooperation_event e JOIN ({_ways(ids)}) w ON w.event_id = e.id{where} "
        "GROUP BY e.id, w.key, e.kind, e.status, e.date_lower, e.date_upper, e.title"
    )


def refresh(ids: str) -> list[str]:
    """Statements re-deriving the rows of the events ``ids`` (SQL) lists."""
    return [f"DELETE FROM {FACETS} WHERE event_id IN ({ids})", f"INSERT INTO {FACETS} ({COLUMNS}) {derive(ids)}"]


# Which writes re-derive which events: (table, operation, columns an UPDATE must set, the events' ids as SQL).
# A participation names its event; an organization, a person or a council the events it takes part in.
ORGANIZATION_EVENTS = (
    "SELECT event_id FROM cooperation_participation WHERE organization_id = NEW.id UNION "
    "SELECT s.event_ptr_id FROM cooperation_councilsession s JOIN cooperation_council c ON c.id = s.council_id "
    "WHERE c.organization_id = NEW.id"
)
PERSON_EVENTS = "SELECT event_id FROM cooperation_participation WHERE person_id = NEW.id"
COUNCIL_EVENTS = "SELECT event_ptr_id FROM cooperation_councilsession WHERE council_id = NEW.id"
EVENT_KEYS = ("status", "kind", "date_lower", "date_upper", "title", "place_country_id")
PARTIES = ("event_id", "country_id", "organization_id", "person_id")
TRIGGERS = (
    ("cooperation_event", "INSERT", (), "NEW.id"),
    ("cooperation_event", "UPDATE", EVENT_KEYS, "NEW.id"),
    ("cooperation_participation", "INSERT", (), "NEW.event_id"),
    ("cooperation_participation", "UPDATE", PARTIES, "NEW.event_id, OLD.event_id"),
    ("cooperation_participation", "DELETE", (), "OLD.event_id"),
    ("cooperation_organization", "UPDATE", ("country_id", "status"), ORGANIZATION_EVENTS),
    ("cooperation_person", "UPDATE", ("country_id", "status"), PERSON_EVENTS),
    ("cooperation_council", "UPDATE", ("organization_id", "status"), COUNCIL_EVENTS),
    ("cooperation_councilsession", "INSERT", (), "NEW.event_ptr_id"),
    ("cooperation_councilsession", "UPDATE", ("council_id",), "NEW.event_ptr_id, OLD.event_ptr_id"),
    ("cooperation_councilsession", "DELETE", (), "OLD.event_ptr_id"),
    ("cooperation_event_topics", "INSERT", (), "NEW.event_id"),
    ("cooperation_event_topics", "UPDATE", (), "NEW.event_id, OLD.event_id"),
    ("cooperation_event_topics", "DELETE", (), "OLD.event_id"),
)
# A deleted event's rows go with it; nothing is left to derive.
FORGET = ("cooperation_event", "DELETE", f"DELETE FROM {FACETS} WHERE event_id = OLD.id")


def _name(table: str, operation: str) -> str:
    return f"cooperation_facets_{table.removeprefix('cooperation_')}_{operation.lower()}"


def _definitions():
    """``(name, table, operation, columns, statements)`` of every trigger."""
    for table, operation, columns, ids in TRIGGERS:
        yield _name(table, operation), table, operation, columns, refresh(ids)
    table, operation, statement = FORGET
    yield _name(table, operation), table, operation, (), [statement]


def install(schema_editor) -> None:
    """Create the triggers (replacing any of the same name)."""
    execute, vendor = schema_editor.execute, schema_editor.connection.vendor
    for name, table, operation, columns, statements in _definitions():
        event = f"{operation} OF {', '.join(columns)}" if columns else operation
        body = "; ".join(statements)
        if vendor == "postgresql":
            execute(
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {body}; RETURN NULL; END $$"
            )
            execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()")
        elif vendor == "sqlite":
            execute(f"DROP TRIGGER IF EXISTS {name}")
            execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {body}; END")
        else:
            raise NotImplementedError(f"facet triggers for {vendor}: the tracker runs on SQLite and PostgreSQL")


def uninstall(schema_editor) -> None:
    for name, table, *_ in _definitions():
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


def rebuild(cursor) -> None:
    """Derive every event's rows anew."""
    cursor.execute(f"DELETE FROM {FACETS}")
    cursor.execute(f"INSERT INTO {FACETS} ({COLUMNS}) {derive()}")


class _Editor:
    """What ``install``/``uninstall`` need of a schema editor, for a connection outside migrations."""

    def __init__(self, cursor):
        self.connection, self.execute = connection, cursor.execute


@contextmanager
def suspended():
    """Bulk writes inside run without the triggers; every row is derived once at the end, in the same transaction.

    The triggers are dropped and re-created rather than disabled: both databases make that transactional, and
    SQLite has no other way.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        uninstall(_Editor(cursor))
        yield
        install(_Editor(cursor))
        rebuild(cursor)


def differences() -> tuple[set, set]:
    """``(missing, unexpected)``: rows a fresh derivation has that the table lacks, and the other way round."""
    with connection.cursor() as cursor:
        cursor.execute(derive())
        expected = {_typed(row) for row in cursor.fetchall()}
        cursor.execute(f"SELECT {COLUMNS} FROM {FACETS}")
        stored = {_typed(row) for row in cursor.fetchall()}
    return expected - stored, stored - expected


def _typed(row: tuple) -> tuple:
    """A row with its flags as booleans and its dates as text, so that both databases' rows compare."""
    *head, public, party, public_party, lower, upper, title = row
    flags = (bool(public), bool(party), bool(public_party))
    return (*head, *flags, lower and str(lower), upper and str(upper), title)
