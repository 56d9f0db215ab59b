"""The timeline's facets: who and what each event can be filtered by, with the timeline's sort keys beside them.

A filtered page of the timeline (``?country=TJ``, ``?organization=…``, ``?person=…``, ``?topic=…``, with dates) is
"the newest events with this facet": one range scan of an index on ``(key, date_lower DESC, title, event)`` that stops
after the page, where reaching the same events through participations, organizations and people reads every event
that has the facet, and sorts them. The rows are derived, never written by the app: database triggers keep them exact
on every write (``cooperation.facets``, which also defines what they hold).
"""

from django.db import models
from django.db.models import F, Q

from cooperation.models.base import NullsLastIndex
from cooperation.models.events import Event
from cooperation.search import DocumentField, DocumentIndex

# The timeline's order on the facet's copies of the event's keys: ``events.TIMELINE_ORDER`` within one key.
FACET_ORDER = (F("date_lower").desc(nulls_last=True), F("title"), F("event"))


COUNTRY = "c:"  # the prefix of a country's key


def country_key(code: str) -> str:
    return f"{COUNTRY}{code}"


def organization_key(pk: int) -> str:
    return f"o:{pk}"


def person_key(pk: int) -> str:
    return f"p:{pk}"


def topic_key(pk: int) -> str:
    return f"t:{pk}"


class EventFacet(models.Model):
    """One event under one key: a country (``c:TJ``), an organization (``o:12``), a person (``p:7``) or a topic
    (``t:3``) it can be found by, once however many ways lead there.

    A country is an event's if it takes part directly, through one of its organizations or people, or hosts it; an
    organization if it takes part or (a session) its council met; a person if they take part. ``public`` says
    whether an anonymous reader finds the event under the key: the event is published and one of the ways is
    through records they may see. ``party`` and ``public_party`` say the same leaving the place out (the
    aggregates and the admin count parties, not venues).
    """

    # Deleted by the triggers with the event (``DO_NOTHING``: the ORM leaves them to it); the unique key indexes it.
    event = models.ForeignKey(
        Event, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="facets"
    )
    key = models.CharField(max_length=32)
    kind = models.CharField(max_length=16)  # the event's: one kind's list walks the rows of its kind
    public = models.BooleanField()
    party = models.BooleanField()
    public_party = models.BooleanField()
    date_lower = models.DateField(null=True)
    date_upper = models.DateField(null=True)
    title = models.CharField(max_length=250)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "key"], name="cooperation_eventfacet_unique")]
        indexes = [
            NullsLastIndex("key", *FACET_ORDER, name="cooperation_facet_tl"),
            NullsLastIndex("key", *FACET_ORDER, name="cooperation_facet_pub_tl", condition=Q(public=True)),
            NullsLastIndex("key", "kind", *FACET_ORDER, name="cooperation_facet_kind_tl"),
            NullsLastIndex("key", "kind", *FACET_ORDER, name="cooperation_facet_kind_pub_tl", condition=Q(public=True)),
        ]

    def __str__(self):
        return f"{self.event_id} {self.key}"


class EventText(models.Model):
    """Every text a search finds an event by (``cooperation.facets.texts``), with the timeline's sort keys beside it.

    A search alone walks these rows in the timeline's order (or one kind's), checking each stored document, or reads
    the documents' text index and sorts what it finds — whichever PostgreSQL expects to cost less. In a table of their
    own, one row per event, so that the planner's statistics of the documents are the events'.
    """

    event = models.OneToOneField(
        Event, on_delete=models.DO_NOTHING, db_constraint=False, primary_key=True, related_name="search_text"
    )
    kind = models.CharField(max_length=16)
    public = models.BooleanField()  # the event is published
    date_lower = models.DateField(null=True)
    date_upper = models.DateField(null=True)
    title = models.CharField(max_length=250)
    document = DocumentField()  # every text
    public_document = DocumentField()  # those an anonymous reader may see

    class Meta:
        indexes = [
            NullsLastIndex(*FACET_ORDER, name="cooperation_text_tl"),
            NullsLastIndex(*FACET_ORDER, name="cooperation_text_pub_tl", condition=Q(public=True)),
            NullsLastIndex("kind", *FACET_ORDER, name="cooperation_text_kind_tl"),
            NullsLastIndex("kind", *FACET_ORDER, name="cooperation_text_kind_pub_tl", condition=Q(public=True)),
            DocumentIndex(fields=["document"], name="cooperation_text_document"),
            DocumentIndex(fields=["public_document"], name="cooperation_text_public_doc", condition=Q(public=True)),
        ]

    def __str__(self):
        return self.title


# The prefixes of the tallies' keys (``EventTally``); the countries' are the facets' own (``COUNTRY``).
KIND, YEAR, PAIR = "k:", "y:", "n:"


class EventTally(models.Model):
    """How many events count under a key: a kind (``k:exercise``), a start year (``y:2006``; ``y:`` for an open start),
    a country taking part (``c:TJ``) or a pair of them (``n:RU:TJ``, in code order), split by what an anonymous
    reader counts (``public``) and what only curators do.

    The unfiltered aggregates (``stats``) read these few rows instead of counting the timeline. Kept by the facets'
    triggers, from each event's facets and texts as they are re-derived (``cooperation.facets.tally``); a key no
    event counts under any more stays, at zero.
    """

    key = models.CharField(max_length=32)
    public = models.BooleanField()
    events = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "public"], name="cooperation_eventtally_unique")]

    def __str__(self):
        return f"{self.key} {self.events}"
