"""The curation admin, one module per topic; importing them registers every model.

Events are edited in their kind's admin (``events``); the ``Event`` admin is the
read-only timeline across kinds. Curated records share ``base.CuratedAdmin``
(status actions, timestamps, the review workflow of ``workflow``, the change
history of ``history``); rows on their own pages share ``history.RowAdmin``;
reusable inlines live in ``inlines``.
"""

from cooperation.admin import actors, events, partnerships, reference, sources, tokens

__all__ = ["actors", "events", "partnerships", "reference", "sources", "tokens"]
