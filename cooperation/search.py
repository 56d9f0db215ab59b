"""Word search: PostgreSQL full-text search where the database has it, ``icontains`` elsewhere.

The API's ``search`` parameter (``api.filters.SearchFilter``) keeps a record when every word
of the search matches one of the record's texts. This module decides what "matches" means,
in one place:

- On PostgreSQL, a word matches the *start* of a word of the text: ``to_tsquery('simple',
  'word:*')`` against ``to_tsvector('simple', <fields>)``. The ``simple`` configuration
  lowercases and never stems, as names are multilingual (Rahmonov, Рахмонов). Both sides go
  through the same parser, so ``Asia-Plus``, ``O'Brien`` or ``7,250`` match as written, and
  characters of the tsquery syntax in a word (``&|!():*``…) are plain punctuation. Each group
  of fields searched together has a GIN index over exactly that expression (``SearchIndex``
  in the models' ``Meta.indexes``): the query's expression must be the indexed one, to the
  character, for PostgreSQL to use the index.
- Elsewhere (SQLite in development and tests), a word matches any part of a field,
  case-insensitively, and the indexes are empty stand-ins.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchQuery, SearchVector, SearchVectorExact, SearchVectorField
from django.db import connection, models
from django.db.models import ExpressionWrapper, F, Q

CONFIG = "simple"


def words(value: str) -> list[str]:
    """The words of a search. Punctuation on its own is not a word: no text could match it on PostgreSQL."""
    return [word for word in value.split() if any(character.isalnum() for character in word)]


def document(*fields: str) -> SearchVector:
    """``fields`` as one text to search: the expression both the filters and ``SearchIndex`` use."""
    return SearchVector(*fields, config=CONFIG)


def prefix_query(word: str) -> SearchQuery:
    """``word`` as a tsquery matching the words it begins, whatever characters it holds.

    Quoted, the word is one operand that PostgreSQL's parser splits as it splits the text
    (``Asia-Plus`` → ``'asia-plus':* <-> 'asia':* <-> 'plus':*``); only the quote and the
    backslash need escaping inside the quotes.
    """
    quoted = word.replace("\\", "\\\\").replace("'", "''")
    return SearchQuery(f"'{quoted}':*", search_type="raw", config=CONFIG)


def matches(word: str, *fields: str) -> Q:
    """Rows where ``word`` matches one of ``fields`` (lookups of the queried model, all of one table)."""
    if connection.vendor == "postgresql":
        return Q(SearchVectorExact(document(*fields), prefix_query(word)))
    return reduce(or_, (Q(**{f"{field}__icontains": word}) for field in fields))


def subquery(model: type[models.Model], word: str, *fields: str) -> Q:
    """``pk IN (rows of model where word matches fields)``: ``matches()``, read once for the whole query.

    Used when a word may also match through other tables (participants' names, quotes), which
    are subqueries too. PostgreSQL combines conditions under OR through their indexes only
    when every one is an index condition on the same table; otherwise it checks them row by
    row, and a row's own text would be parsed anew for every row of the table. As a
    subquery, the text index is read once and its ids hashed, like the other tables' matches.
    """
    return Q(pk__in=model._base_manager.filter(matches(word, *fields)).values("pk"))


class DocumentField(models.TextField):
    """A stored search document (``facets``' texts of an event): a ``tsvector`` on PostgreSQL, the text elsewhere."""

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else super().db_type(connection)


def document_matches(lookup: str, word: str) -> Q:
    """Rows whose ``DocumentField`` at ``lookup`` has ``word`` (``matches()``'s meaning, on the stored document)."""
    if connection.vendor == "postgresql":
        return Q(SearchVectorExact(ExpressionWrapper(F(lookup), output_field=SearchVectorField()), prefix_query(word)))
    return Q(**{f"{lookup}__icontains": word})


class PostgresOnly:
    """An index other databases get as an empty stand-in (a partial index of no row), so that one migration fits
    every database and SQLite, which re-creates every index of a table it rebuilds, never meets PostgreSQL's syntax."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        stand_in = models.Index(fields=[model._meta.pk.name], condition=Q(pk__isnull=True), name=self.name)
        return stand_in.create_sql(model, schema_editor, using=using, **kwargs)


class DocumentIndex(PostgresOnly, GinIndex):
    """A GIN index over a ``DocumentField``: what ``document_matches`` reads on PostgreSQL."""


class SearchIndex(PostgresOnly, GinIndex):
    """A GIN index over ``document(*fields)`` of the model: what ``matches(word, *fields)`` reads on PostgreSQL
    (``PostgresOnly``: other databases have no full-text search to serve)."""

    def __init__(self, *fields: str, name: str):
        self.search_fields = fields
        super().__init__(document(*fields), name=name)

    def deconstruct(self):
        path, _, _ = super().deconstruct()
        return path, self.search_fields, {"name": self.name}
