"""Uncertain dates: EDTF parsing into bounds and precision, and the overlap/within filters."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from cooperation.choices import MeetingKind
from cooperation.dates import EDTF_HELP, overlap_q, parse_edtf, within_q
from cooperation.models import Event, Meeting


@pytest.mark.parametrize(
    ("text", "lower", "upper", "precision"),
    [
        pytest.param("2006-04-21", date(2006, 4, 21), date(2006, 4, 21), "day", id="day"),
        pytest.param("2005-12", date(2005, 12, 1), date(2005, 12, 31), "month", id="month"),
        pytest.param("2004-02", date(2004, 2, 1), date(2004, 2, 29), "month", id="month-leap-february"),
        pytest.param("2005-41", date(2005, 7, 1), date(2005, 12, 31), "season", id="second-half"),
        pytest.param("2005-36", date(2005, 10, 1), date(2005, 12, 31), "season", id="fourth-quarter"),
        pytest.param("2005", date(2005, 1, 1), date(2005, 12, 31), "year", id="year"),
        pytest.param("2005?", date(2005, 1, 1), date(2005, 12, 31), "year", id="uncertain"),
        pytest.param("2005~", date(2005, 1, 1), date(2005, 12, 31), "year", id="approximate"),
        pytest.param("2005-12%", date(2005, 12, 1), date(2005, 12, 31), "month", id="uncertain-approximate"),
        pytest.param("196X", date(1960, 1, 1), date(1969, 12, 31), "decade", id="unspecified-decade"),
        pytest.param("19XX", date(1900, 1, 1), date(1999, 12, 31), "century", id="unspecified-century"),
        pytest.param("2005-12-XX", date(2005, 12, 1), date(2005, 12, 31), "month", id="unspecified-day"),
        pytest.param("2006-04-21/2006-04-22", date(2006, 4, 21), date(2006, 4, 22), "day", id="interval"),
        pytest.param("2005-12/2006-04-21", date(2005, 12, 1), date(2006, 4, 21), "month", id="interval-coarser-end"),
        pytest.param("2004-07/..", date(2004, 7, 1), None, "month", id="open-end"),
        pytest.param("../2005", None, date(2005, 12, 31), "year", id="open-start"),
        pytest.param("  2005-12  ", date(2005, 12, 1), date(2005, 12, 31), "month", id="surrounding-space"),
    ],
)
def test_parse_edtf_bounds_and_precision(text, lower, upper, precision):
    bounds = parse_edtf(text)

    assert (bounds.lower, bounds.upper, bounds.precision) == (lower, upper, precision)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        pytest.param("late 2005", "invalid_edtf", id="prose"),
        pytest.param("April 21", "invalid_edtf", id="prose-day"),
        pytest.param("2006-13-01", "invalid_edtf", id="month-13"),
        pytest.param("2005-02-30", "invalid_edtf", id="february-30"),
        pytest.param("2006-04-22/2006-04-21", "interval_order", id="reversed-interval"),
        pytest.param("../..", "invalid_edtf", id="open-both-ends"),
        pytest.param("2005/2006/2007", "invalid_edtf", id="three-parts"),
        pytest.param("2005/late 2006", "invalid_edtf", id="interval-with-prose"),
        pytest.param("", "required", id="empty"),
        pytest.param("   ", "required", id="blank"),
    ],
)
def test_parse_edtf_rejects_bad_text(text, code):
    with pytest.raises(ValidationError) as caught:
        parse_edtf(text)

    assert caught.value.code == code


def test_invalid_date_message_names_the_text_and_shows_valid_forms():
    with pytest.raises(ValidationError) as caught:
        parse_edtf("late 2005")

    (message,) = caught.value.messages
    assert "“late 2005”" in message
    assert EDTF_HELP in message


# Saved rows for the filter semantics: slug -> EDTF date.
TIMELINE = {
    "late-2005": "2005-41",
    "year-2005": "2005",
    "april-2006": "2006-04-21",
    "since-mid-2004": "2004-07/..",
    "until-2004": "../2004",
    "winter-2004-2006": "2004-12/2006-01",
}


@pytest.fixture
def timeline(db):
    for slug, edtf_date in TIMELINE.items():
        Meeting.objects.create(slug=slug, title=slug, date=edtf_date, meeting_kind=MeetingKind.TALKS)


Y2005 = (date(2005, 1, 1), date(2005, 12, 31))


@pytest.mark.parametrize(
    ("helper", "after", "before", "expected"),
    [
        pytest.param(
            overlap_q, *Y2005, {"late-2005", "year-2005", "since-mid-2004", "winter-2004-2006"}, id="overlap-2005"
        ),
        pytest.param(within_q, *Y2005, {"late-2005", "year-2005"}, id="within-2005"),
        pytest.param(
            overlap_q, date(2006, 1, 1), None, {"april-2006", "since-mid-2004", "winter-2004-2006"}, id="overlap-after"
        ),
        pytest.param(within_q, date(2006, 1, 1), None, {"april-2006"}, id="within-after"),
        pytest.param(
            overlap_q,
            None,
            date(2004, 12, 31),
            {"until-2004", "since-mid-2004", "winter-2004-2006"},
            id="overlap-before",
        ),
        pytest.param(within_q, None, date(2004, 12, 31), {"until-2004"}, id="within-before-open-start"),
        pytest.param(within_q, None, date(2005, 12, 31), {"late-2005", "year-2005", "until-2004"}, id="within-before"),
        pytest.param(overlap_q, None, None, set(TIMELINE), id="overlap-unbounded"),
        pytest.param(within_q, None, None, set(TIMELINE), id="within-unbounded"),
        pytest.param(
            overlap_q,
            date(2005, 10, 1),
            date(2005, 10, 1),
            {"late-2005", "year-2005", "since-mid-2004", "winter-2004-2006"},
            id="overlap-one-day",
        ),
        pytest.param(within_q, date(2006, 4, 21), date(2006, 4, 21), {"april-2006"}, id="within-one-day"),
    ],
)
def test_date_filters_against_saved_rows(timeline, helper, after, before, expected):
    found = set(Event.objects.filter(helper("date", after, before)).values_list("slug", flat=True))

    assert found == expected
