"""What the timeline's facets (``models.EventFacet``) hold, and the triggers that keep them exact.

The rows of an event are *derived*: one statement (``derive``) computes them from the event, its participations,
their organizations and people, a session's council and the event's topics; another (``derive_texts``) its
``models.EventText``, the text a search reads (``texts``). Triggers on each of those tables
re-derive the rows of the events a write touches, in the writing statement's own transaction, so the facets are
exact whatever writes — the admin, the API, imports, ``loaddata``, bulk loads, raw SQL — and a rolled-back write
leaves them as they were. The same SQL serves SQLite and PostgreSQL: only the trigger wrapping differs.

The events' counts (``models.EventTally``) follow the facets and texts in turn: triggers on those two tables add what
each inserted row counts under and take off what each deleted row did (``terms``), so the unfiltered aggregates read a
few rows, not the timeline.

A bulk load of many events (the benchmark's synthetic data) sets the triggers aside (``suspended``) and derives every
row once at the end. ``differences()`` compares the stored rows with a fresh derivation: the tests' oracle.
"""

# ruff: noqa: S608 -- the SQL here is assembled from this module's constants and fixed table names.

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection, transaction

FACETS = "cooperation_eventfacet"
COLUMNS = "event_id, key, kind, public, party, public_party, date_lower, date_upper, title"
TEXTS = "cooperation_eventtext"
TEXT_COLUMNS = "event_id, kind, public, date_lower, date_upper, title, document, public_document"
TALLIES = "cooperation_eventtally"
PUBLISHED = "'published'"
# The text of an event's texts, as the documents store it: a tsvector on PostgreSQL (``search.CONFIG``, as every
# text search here), the words as they are elsewhere.
# A text said twice (one quote supporting several participants) is kept once.
DOCUMENT = {
    "postgresql": "to_tsvector('simple', coalesce(string_agg(DISTINCT {text}, ' '), ''))",
    "sqlite": "coalesce(group_concat(DISTINCT {text}), '')",
}


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


def texts(ids: str | None) -> str:
    """Every text a search finds an event by, one row each: ``(event_id, text, shown)``, ``shown`` as in ``_ways``.

    The event's own texts and its kind's; its council's names; its participants' names (every spelling of a
    person's); its agenda items and proposals; and the quotes of the citations supporting it
    (``selectors.citations``: its own, its participations', figures' and proposals'), shown if their document and
    outlet are published and, for a participation's, its party too.
    """

    def only(column: str) -> str:
        return "" if ids is None else f" AND {column} IN ({ids})"

    cited = (
        f"SELECT {{event}}, c.quote, {_shown('d')} * {_shown('s')}{{shown}} FROM cooperation_citation c "
        "JOIN cooperation_document d ON d.id = c.document_id JOIN cooperation_source s ON s.id = d.source_id "
    )
    party_shown = (
        " * CASE WHEN (po.id IS NULL OR po.status = 'published') AND (pp.id IS NULL OR pp.status = 'published') "
        "THEN 1 ELSE 0 END"
    )
    return " UNION ALL ".join(
        (
            "SELECT id AS event_id, title || ' ' || summary || ' ' || place_name AS text, 1 AS shown "
            f"FROM cooperation_event WHERE 1 = 1{only('id')}",
            "SELECT event_ptr_id, code_name || ' ' || aim, 1 FROM cooperation_jointoperation "
            f"WHERE 1 = 1{only('event_ptr_id')}",
            f"SELECT event_ptr_id, subject, 1 FROM cooperation_meeting WHERE 1 = 1{only('event_ptr_id')}",
            f"SELECT event_ptr_id, text, 1 FROM cooperation_statement WHERE 1 = 1{only('event_ptr_id')}",
            f"SELECT s.event_ptr_id, c.name || ' ' || c.abbreviation, {_shown('c')} FROM cooperation_councilsession s "
            f"JOIN cooperation_council c ON c.id = s.council_id WHERE 1 = 1{only('s.event_ptr_id')}",
            "SELECT p.event_id, c.name, 1 FROM cooperation_participation p "
            f"JOIN cooperation_country c ON c.code = p.country_id WHERE 1 = 1{only('p.event_id')}",
            f"SELECT p.event_id, o.name || ' ' || o.abbreviation, {_shown('o')} FROM cooperation_participation p "
            f"JOIN cooperation_organization o ON o.id = p.organization_id WHERE 1 = 1{only('p.event_id')}",
            f"SELECT p.event_id, o.name, {_shown('o')} FROM cooperation_participation p "
            f"JOIN cooperation_person o ON o.id = p.person_id WHERE 1 = 1{only('p.event_id')}",
            f"SELECT p.event_id, n.name, {_shown('o')} FROM cooperation_participation p "
            "JOIN cooperation_person o ON o.id = p.person_id JOIN cooperation_personname n ON n.person_id = o.id "
            f"WHERE 1 = 1{only('p.event_id')}",
            f"SELECT session_id, title, 1 FROM cooperation_agendaitem WHERE 1 = 1{only('session_id')}",
            "SELECT session_id, title || ' ' || description, 1 FROM cooperation_proposal "
            f"WHERE 1 = 1{only('session_id')}",
            cited.format(event="c.event_id", shown="") + f"WHERE c.event_id IS NOT NULL{only('c.event_id')}",
            cited.format(event="p.event_id", shown=party_shown)
            + "JOIN cooperation_participation p ON p.id = c.participation_id "
            "LEFT JOIN cooperation_organization po ON po.id = p.organization_id "
            f"LEFT JOIN cooperation_person pp ON pp.id = p.person_id WHERE 1 = 1{only('p.event_id')}",
            cited.format(event="o.event_id", shown="")
            + f"JOIN cooperation_outcome o ON o.id = c.outcome_id WHERE o.event_id IS NOT NULL{only('o.event_id')}",
            cited.format(event="r.session_id", shown="")
            + f"JOIN cooperation_proposal r ON r.id = c.proposal_id WHERE 1 = 1{only('r.session_id')}",
        )
    )


def derive_texts(vendor: str, ids: str | None = None) -> str:
    """A SELECT of the events' texts (``TEXT_COLUMNS``): every text in ``document``, those an anonymous reader may
    see in ``public_document``; ``public`` is the event's being published."""
    where = "" if ids is None else f" WHERE e.id IN ({ids})"
    published = f"e.status = {PUBLISHED}"
    document = DOCUMENT[vendor].format(text="t.text")
    public_document = DOCUMENT[vendor].format(text="CASE WHEN t.shown = 1 THEN t.text END")
    return (
        f"SELECT e.id, e.kind, {published}, e.date_lower, e.date_upper, e.title, {document}, {public_document} "
        f"FROM cooperation_event e JOIN ({texts(ids)}) t ON t.event_id = e.id{where} "
        "GROUP BY e.id, e.kind, e.status, e.date_lower, e.date_upper, e.title"
    )


def refresh(ids: str, vendor: str) -> list[str]:
    """Statements re-deriving the rows of the events ``ids`` (SQL) lists."""
    return [
        f"DELETE FROM {FACETS} WHERE event_id IN ({ids})",
        f"INSERT INTO {FACETS} ({COLUMNS}) {derive(ids)}",
        f"DELETE FROM {TEXTS} WHERE event_id IN ({ids})",
        f"INSERT INTO {TEXTS} ({TEXT_COLUMNS}) {derive_texts(vendor, ids)}",
    ]


# Which writes re-derive which events: (table, operation, columns an UPDATE must set, the events' ids as SQL).
# A participation names its event; an organization, a person or a council the events it takes part in.
ORGANIZATION_EVENTS = (
    "SELECT event_id FROM cooperation_participation WHERE organization_id = NEW.id UNION "
    "SELECT s.event_ptr_id FROM cooperation_councilsession s JOIN cooperation_council c ON c.id = s.council_id "
    "WHERE c.organization_id = NEW.id"
)
PERSON_EVENTS = "SELECT event_id FROM cooperation_participation WHERE person_id = {person}"
COUNCIL_EVENTS = "SELECT event_ptr_id FROM cooperation_councilsession WHERE council_id = NEW.id"
# A citation's event, by whichever target it has (a database constraint: exactly one).
CITATION_EVENTS = (
    "SELECT {row}.event_id UNION SELECT event_id FROM cooperation_participation WHERE id = {row}.participation_id "
    "UNION SELECT event_id FROM cooperation_outcome WHERE id = {row}.outcome_id "
    "UNION SELECT session_id FROM cooperation_proposal WHERE id = {row}.proposal_id"
)


def cited_events(where: str) -> str:
    """The events supported by the citations ``where`` (SQL on ``c``) selects, by whichever target each has."""
    return " UNION ".join(
        f"SELECT {event} FROM cooperation_citation c {join}WHERE {where}"
        for event, join in (
            ("c.event_id", ""),
            ("p.event_id", "JOIN cooperation_participation p ON p.id = c.participation_id "),
            ("o.event_id", "JOIN cooperation_outcome o ON o.id = c.outcome_id "),
            ("r.session_id", "JOIN cooperation_proposal r ON r.id = c.proposal_id "),
        )
    )


EVENT_KEYS = ("status", "kind", "date_lower", "date_upper", "title", "place_country_id", "summary", "place_name")
PARTIES = ("event_id", "country_id", "organization_id", "person_id")
TRIGGERS = (
    ("cooperation_event", "INSERT", (), "NEW.id"),
    ("cooperation_event", "UPDATE", EVENT_KEYS, "NEW.id"),
    ("cooperation_participation", "INSERT", (), "NEW.event_id"),
    ("cooperation_participation", "UPDATE", PARTIES, "NEW.event_id, OLD.event_id"),
    ("cooperation_participation", "DELETE", (), "OLD.event_id"),
    ("cooperation_organization", "UPDATE", ("country_id", "status", "name", "abbreviation"), ORGANIZATION_EVENTS),
    ("cooperation_person", "UPDATE", ("country_id", "status", "name"), PERSON_EVENTS.format(person="NEW.id")),
    ("cooperation_personname", "INSERT", (), PERSON_EVENTS.format(person="NEW.person_id")),
    (
        "cooperation_personname",
        "UPDATE",
        ("person_id", "name"),
        PERSON_EVENTS.format(person="NEW.person_id") + " UNION " + PERSON_EVENTS.format(person="OLD.person_id"),
    ),
    ("cooperation_personname", "DELETE", (), PERSON_EVENTS.format(person="OLD.person_id")),
    ("cooperation_council", "UPDATE", ("organization_id", "status", "name", "abbreviation"), COUNCIL_EVENTS),
    ("cooperation_jointoperation", "INSERT", (), "NEW.event_ptr_id"),
    ("cooperation_jointoperation", "UPDATE", ("code_name", "aim"), "NEW.event_ptr_id"),
    ("cooperation_meeting", "INSERT", (), "NEW.event_ptr_id"),
    ("cooperation_meeting", "UPDATE", ("subject",), "NEW.event_ptr_id"),
    ("cooperation_statement", "INSERT", (), "NEW.event_ptr_id"),
    ("cooperation_statement", "UPDATE", ("text",), "NEW.event_ptr_id"),
    ("cooperation_agendaitem", "INSERT", (), "NEW.session_id"),
    ("cooperation_agendaitem", "UPDATE", ("session_id", "title"), "NEW.session_id, OLD.session_id"),
    ("cooperation_agendaitem", "DELETE", (), "OLD.session_id"),
    ("cooperation_proposal", "INSERT", (), "NEW.session_id"),
    ("cooperation_proposal", "UPDATE", ("session_id", "title", "description"), "NEW.session_id, OLD.session_id"),
    ("cooperation_proposal", "DELETE", (), "OLD.session_id"),
    ("cooperation_citation", "INSERT", (), CITATION_EVENTS.format(row="NEW")),
    (
        "cooperation_citation",
        "UPDATE",
        (),
        CITATION_EVENTS.format(row="NEW") + " UNION " + CITATION_EVENTS.format(row="OLD"),
    ),
    ("cooperation_citation", "DELETE", (), CITATION_EVENTS.format(row="OLD")),
    ("cooperation_outcome", "UPDATE", ("event_id",), "NEW.event_id, OLD.event_id"),
    ("cooperation_document", "UPDATE", ("status", "source_id"), cited_events("c.document_id = NEW.id")),
    (
        "cooperation_source",
        "UPDATE",
        ("status",),
        cited_events("c.document_id IN (SELECT id FROM cooperation_document WHERE source_id = NEW.id)"),
    ),
    ("cooperation_councilsession", "INSERT", (), "NEW.event_ptr_id"),
    ("cooperation_councilsession", "UPDATE", ("council_id",), "NEW.event_ptr_id, OLD.event_ptr_id"),
    ("cooperation_councilsession", "DELETE", (), "OLD.event_ptr_id"),
    ("cooperation_event_topics", "INSERT", (), "NEW.event_id"),
    ("cooperation_event_topics", "UPDATE", (), "NEW.event_id, OLD.event_id"),
    ("cooperation_event_topics", "DELETE", (), "OLD.event_id"),
)
# A deleted event's rows go with it; nothing is left to derive.
FORGET = (
    "cooperation_event",
    "DELETE",
    f"DELETE FROM {FACETS} WHERE event_id = OLD.id; DELETE FROM {TEXTS} WHERE event_id = OLD.id",
)


# Counts ---------------------------------------------------------------------------------------------------------------

# The year an event's date may start in, as ``ExtractYear`` gives it (``stats``' events-by-year).
YEAR = {"postgresql": "CAST(EXTRACT(YEAR FROM {date}) AS integer)", "sqlite": "CAST(strftime('%Y', {date}) AS integer)"}


def _party_country(row: str) -> str:
    return f"substr({row}.key, 1, 2) = 'c:' AND {row}.party"  # not LIKE: a % would be read as a placeholder


def _pair(a: str, b: str) -> str:
    """The key of the pair of countries of facet rows ``a`` and ``b``: ``n:RU:TJ``, codes in order."""
    first, second = (f"CASE WHEN {a}.key < {b}.key THEN {x}.key ELSE {y}.key END" for x, y in ((a, b), (b, a)))
    return f"'n:' || substr({first}, 3) || ':' || substr({second}, 3)"


def terms(table: str, vendor: str, rows: str, partners: tuple[tuple[str, str], ...] = ((FACETS, "1 = 1"),)) -> str:
    """A SELECT of ``(key, public)``, one row for each key (``models.EventTally``) the ``rows`` of ``table`` count
    under: a text its event's kind and start year (``public``: the event is published); a facet of a country taking
    part that country (``public``: an anonymous reader counts it, ``public_party``; the place alone never counts), and
    the pair it makes with each other such facet of its event in each of ``partners``: ``(rows, condition)``, the
    condition saying which pairs to count, so that each is counted once."""
    if table == TEXTS:
        year = YEAR[vendor].format(date="t.date_lower")
        return (
            f"SELECT 'k:' || t.kind AS key, t.public FROM {rows} t "
            f"UNION ALL SELECT coalesce('y:' || {year}, 'y:'), t.public FROM {rows} t"
        )
    pairs = (
        f"SELECT {_pair('a', 'b')}, a.public_party AND b.public_party FROM {rows} a "
        f"JOIN {others} b ON b.event_id = a.event_id AND b.key <> a.key "
        f"WHERE {_party_country('a')} AND {_party_country('b')} AND {once}"
        for others, once in partners
    )
    return " UNION ALL ".join(
        (f"SELECT a.key, a.public_party AS public FROM {rows} a WHERE {_party_country('a')}", *pairs)
    )


def tally(terms_sql: str, sign: int) -> str:
    """Add (``sign`` 1) or take off (-1) one event for each row of ``terms_sql``.

    Adding creates the keys it needs, locking them in the keys' order. Taking off only lowers the keys there are:
    SQLite's flush (the tests' ``DELETE`` of every table, triggers firing) may empty the counts before the rows they
    count. Two transactions changing the same keys wait for each other; PostgreSQL ends a deadlock between them by
    failing one, which the API answers with a 503 to retry."""
    grouped = f"SELECT key, public, COUNT(*) AS events FROM ({terms_sql}) t GROUP BY key, public"
    if sign < 0:
        return (
            f"UPDATE {TALLIES} SET events = {TALLIES}.events - d.events FROM ({grouped}) d "
            f"WHERE {TALLIES}.key = d.key AND {TALLIES}.public = d.public"
        )
    return (
        f"INSERT INTO {TALLIES} (key, public, events) {grouped} ORDER BY key, public "
        f"ON CONFLICT (key, public) DO UPDATE SET events = {TALLIES}.events + excluded.events"
    )


def all_terms(vendor: str) -> str:
    """What every stored facet and text counts under (each pair once)."""
    return f"{terms(TEXTS, vendor, TEXTS)} UNION ALL {terms(FACETS, vendor, FACETS, ((FACETS, 'a.key < b.key'),))}"


def recount(cursor) -> None:
    """Count every stored facet and text anew."""
    cursor.execute(f"DELETE FROM {TALLIES}")
    cursor.execute(tally(all_terms(connection.vendor), 1))


# The columns of a row that ``terms`` reads, for SQLite's row triggers to select from ``NEW`` or ``OLD``.
FACETS_ROW = ("event_id", "key", "party", "public_party")
TEXTS_ROW = ("kind", "public", "date_lower")


def _tally_definitions(vendor: str):
    """``(name, table, operation, clause, statement)`` of the counts' triggers, on the facets and the texts.

    PostgreSQL runs them once per statement, over the rows it inserted (``NEW TABLE``) or deleted (``OLD TABLE``):
    a pair is counted with the rows the table holds besides them, and among them once, by its first row in key
    order. SQLite runs them after each row, when the other rows of its event are all already there (an insert) or
    still there (a delete). Each join reaches the table through its ``(event, key)`` index.
    """
    for table in (FACETS, TEXTS):
        for operation, sign, changed in (("INSERT", 1, "NEW"), ("DELETE", -1, "OLD")):
            name = _name(f"tally_{table.removeprefix('cooperation_')}", operation)
            if vendor == "postgresql":
                rows = f"{changed.lower()}_rows"
                # After an insert the table holds the new rows too; after a delete, only the others.
                besides = f"b.id NOT IN (SELECT id FROM {rows})" if sign > 0 else "1 = 1"
                statement = tally(terms(table, vendor, rows, ((FACETS, besides), (rows, "a.key < b.key"))), sign)
                yield name, table, operation, f"REFERENCING {changed} TABLE AS {rows} FOR EACH STATEMENT", statement
            else:
                columns = FACETS_ROW if table == FACETS else TEXTS_ROW
                row = "(SELECT " + ", ".join(f"{changed}.{column} AS {column}" for column in columns) + ")"
                yield name, table, operation, "FOR EACH ROW", tally(terms(table, vendor, row), sign)


def _name(table: str, operation: str) -> str:
    return f"cooperation_facets_{table.removeprefix('cooperation_')}_{operation.lower()}"


def _definitions(vendor: str, tallies: bool = True):
    """``(name, table, event, clause, statements)`` of every trigger; without ``tallies`` (the schema before
    ``models.EventTally``) the counts' are left out."""
    for table, operation, columns, ids in TRIGGERS:
        event = f"{operation} OF {', '.join(columns)}" if columns else operation
        yield _name(table, operation), table, event, "FOR EACH ROW", refresh(ids, vendor)
    table, operation, statement = FORGET
    yield _name(table, operation), table, operation, "FOR EACH ROW", [statement]
    if tallies:
        for name, table, event, clause, statement in _tally_definitions(vendor):
            yield name, table, event, clause, [statement]


def install(schema_editor, *, tallies: bool = True) -> None:
    """Create the triggers (replacing any of the same name)."""
    execute, vendor = schema_editor.execute, schema_editor.connection.vendor
    for name, table, event, clause, statements in _definitions(vendor, tallies):
        body = "; ".join(statements)
        if vendor == "postgresql":
            execute(
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {body}; RETURN NULL; END $$"
            )
            execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} {clause} EXECUTE FUNCTION {name}()")
        elif vendor == "sqlite":
            execute(f"DROP TRIGGER IF EXISTS {name}")
            execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {body}; END")
        else:
            raise NotImplementedError(f"facet triggers for {vendor}: the tracker runs on SQLite and PostgreSQL")


def uninstall(schema_editor) -> None:
    """Drop the triggers, the counts' with them."""
    for name, table, *_ in _definitions(schema_editor.connection.vendor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


def rebuild(cursor) -> None:
    """Derive every event's rows anew."""
    for table in (FACETS, TEXTS):
        cursor.execute(f"DELETE FROM {table}")
    cursor.execute(f"INSERT INTO {FACETS} ({COLUMNS}) {derive()}")
    cursor.execute(f"INSERT INTO {TEXTS} ({TEXT_COLUMNS}) {derive_texts(connection.vendor)}")


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
        rebuild(cursor)
        recount(cursor)
        install(_Editor(cursor))
        if connection.vendor == "postgresql":  # the planner's statistics of the new rows, before any read plans on them
            cursor.execute(f"ANALYZE {FACETS}, {TEXTS}, {TALLIES}")


def differences() -> tuple[set, set]:
    """``(missing, unexpected)``: rows (facets, texts, counts) a fresh derivation has that the tables lack, and the
    other way round. Both come from the same database, so they compare as its driver gives them, but for the
    documents: SQLite concatenates texts in no set order, so a document compares as its sorted words. The counts
    expected are those of the stored facets and texts, which are compared with a fresh derivation in the same call."""
    vendor = connection.vendor
    expected, stored = set(), set()
    with connection.cursor() as cursor:
        for table, derived, kept, documents in (
            (FACETS, derive(), f"SELECT {COLUMNS} FROM {FACETS}", 0),
            (TEXTS, derive_texts(vendor), f"SELECT {TEXT_COLUMNS} FROM {TEXTS}", 2),
            (
                TALLIES,
                f"SELECT key, public, COUNT(*) FROM ({all_terms(vendor)}) t GROUP BY key, public",
                f"SELECT key, public, events FROM {TALLIES} WHERE events <> 0",
                0,
            ),
        ):
            cursor.execute(derived)
            expected |= {_comparable(table, row, documents) for row in cursor.fetchall()}
            cursor.execute(kept)
            stored |= {_comparable(table, row, documents) for row in cursor.fetchall()}
    return expected - stored, stored - expected


def _comparable(table: str, row: tuple, documents: int) -> tuple:
    head, tail = row[: len(row) - documents], row[len(row) - documents :]
    return (table, *head, *(" ".join(sorted(str(text).replace(",", " ").split())) for text in tail))
