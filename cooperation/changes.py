"""The data version: a number the database moves forward at every committed write to the tracker's tables.

Answers derived from the whole data set (the stats aggregates and the event pages, ``api.answers``) are cached under
it, so a cached answer is never served once anything it may count has changed. Triggers move it, so
every write counts, whatever makes it: the admin, the API, imports, fixtures, bulk loads, raw SQL.
It lives in a one-row table of its own, ``cooperation_data_version``, not a model: it is bookkeeping,
never dumped, loaded or flushed with the data.

On PostgreSQL a statement-level trigger on each table marks the writing transaction, once, in
``cooperation_pending_change``; a deferred trigger there moves the version when that transaction
commits. So the version moves once per transaction and exactly when its writes become visible
(a rolled-back transaction moves nothing), and the version's row lock is taken only at commit,
when a transaction waits for nothing else: writers never deadlock on it. A bulk load of a
million rows in one statement costs one mark.

SQLite has neither statement-level nor deferred triggers, and one writer at a time: each written
row moves the version in the writer's own transaction.

The version is the time of the move in microseconds, or the last version plus one if that is
larger: it never repeats, even if its table is emptied or made anew, so an answer cached under
an old version cannot be mistaken for a current one. A new table needs its trigger: add it in a
migration with ``install(schema_editor, [table])`` (``tests/test_stats_cache.py`` checks every table has one).
"""

# ruff: noqa: S608 -- the SQL here is assembled from this module's constants and Django's quoted table names.

from __future__ import annotations

from django.db import connection

TRIGGER = "cooperation_data_changed"
VERSION_TABLE = "cooperation_data_version"
PENDING_TABLE = "cooperation_pending_change"

MOVE = {
    "postgresql": (
        f"INSERT INTO {VERSION_TABLE} (id, version) VALUES (1, (extract(epoch FROM clock_timestamp()) * 1e6)::bigint) "
        f"ON CONFLICT (id) DO UPDATE SET version = GREATEST({VERSION_TABLE}.version + 1, EXCLUDED.version)"
    ),
    "sqlite": (
        f"INSERT INTO {VERSION_TABLE} (id, version) "
        "VALUES (1, CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)) "
        f"ON CONFLICT (id) DO UPDATE SET version = max({VERSION_TABLE}.version + 1, excluded.version)"
    ),
}

VERSION_DDL = f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (id integer PRIMARY KEY, version bigint NOT NULL)"
POSTGRESQL_SETUP = [
    f"CREATE TABLE IF NOT EXISTS {PENDING_TABLE} (txid bigint PRIMARY KEY)",
    # Marks the transaction: the first statement's row fires the deferred trigger below, the others conflict.
    f"""CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO {PENDING_TABLE} (txid) VALUES (txid_current()) ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$""",
    f"""CREATE OR REPLACE FUNCTION cooperation_move_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {MOVE["postgresql"]};
        DELETE FROM {PENDING_TABLE} WHERE txid = NEW.txid;
        RETURN NULL;
    END $$""",
    f"DROP TRIGGER IF EXISTS cooperation_move_data_version ON {PENDING_TABLE}",
    f"""CREATE CONSTRAINT TRIGGER cooperation_move_data_version AFTER INSERT ON {PENDING_TABLE}
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cooperation_move_data_version()""",
]


def install(schema_editor, tables: list[str]) -> None:
    """Make every write to ``tables`` move the data version."""
    vendor = schema_editor.connection.vendor
    quote = schema_editor.quote_name
    if vendor not in MOVE:
        raise NotImplementedError(f"data version triggers for {vendor}: the tracker runs on SQLite and PostgreSQL")
    schema_editor.execute(VERSION_DDL)
    if vendor == "postgresql":
        for statement in POSTGRESQL_SETUP:
            schema_editor.execute(statement)
        for table in tables:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {quote(table)}")
            schema_editor.execute(
                f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {quote(table)} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}()"
            )
    else:
        for table in tables:
            for event in ("INSERT", "UPDATE", "DELETE"):
                name = quote(f"{TRIGGER}_{table}_{event.lower()}")
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
                schema_editor.execute(
                    f"CREATE TRIGGER {name} AFTER {event} ON {quote(table)} BEGIN {MOVE['sqlite']}; END"
                )


def uninstall(schema_editor, tables: list[str]) -> None:
    vendor = schema_editor.connection.vendor
    quote = schema_editor.quote_name
    if vendor == "postgresql":
        for table in tables:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {quote(table)}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {PENDING_TABLE}, {VERSION_TABLE}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {TRIGGER}(), cooperation_move_data_version()")
    elif vendor == "sqlite":
        for table in tables:
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {quote(f'{TRIGGER}_{table}_{event}')}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {VERSION_TABLE}")


def tracked_tables(apps) -> list[str]:
    """The app's tables, many-to-many ones included."""
    models = apps.get_app_config("cooperation").get_models(include_auto_created=True)
    return sorted({model._meta.db_table for model in models if model._meta.managed and not model._meta.proxy})


def current_version() -> int:
    """The data version as this connection sees it now (0 before any write). One query."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version FROM {VERSION_TABLE} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else 0
