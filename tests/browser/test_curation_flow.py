"""A curator's day in a real browser: enter a joint operation, publish it, edit it, revert the edit.

One test, because each step needs the one before; each step saves a screenshot (see conftest)
and asserts on what the page or the public API shows.
"""

import json
import re
from decimal import Decimal
from urllib.parse import urlencode
from urllib.request import urlopen

import pytest
from playwright.sync_api import expect

from tests.factories import DocumentFactory

pytestmark = pytest.mark.browser

CODE_NAME = "Kanal-Browser"
ORIGINAL_TITLE = "Kanal-Browser joint anti-drug operation"
SLUG = "kanal-browser-joint-anti-drug-operation"
ORIGINAL_VALUE = "42"
EDITED_VALUE = "57"


@pytest.fixture
def document(transactional_db):
    """The published document the operation cites (its source comes with it)."""
    return DocumentFactory(title="Interfax report on Kanal-Browser")


def published_operations(live_server, search: str) -> list[dict]:
    """What an anonymous client of the API sees: a plain GET, no session cookie."""
    url = f"{live_server.url}/api/v1/operations/?{urlencode({'search': search})}"
    with urlopen(url, timeout=15) as response:  # noqa: S310 (the live server's own http URL)
        return json.load(response)["results"]


def pick(page, select_id: str, typed: str, option: str) -> None:
    """Choose ``option`` in the select2 autocomplete that replaces ``<select id=select_id>``."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(typed)
    page.locator(".select2-results__option", has_text=option).click()
    expect(page.locator(f"#select2-{select_id}-container")).to_contain_text(option)


def save(page) -> None:
    """Press Save; when the form answers with a duplicate warning, confirm it and save again."""
    page.locator("input[name=_save]").last.click()  # the submit row below the inlines
    page.wait_for_load_state()
    save_anyway = page.locator("input[name=save_anyway]")
    if save_anyway.count():
        save_anyway.check()
        page.locator("input[name=_save]").last.click()  # the submit row below the inlines
        page.wait_for_load_state()


def outcome_values(operations: list[dict]) -> list[Decimal]:
    return [Decimal(str(outcome["value"])) for operation in operations for outcome in operation["outcomes"]]


def test_curator_enters_publishes_edits_and_reverts_an_operation(page, screenshot, live_server, staff_user, document):
    # Log in through the admin's own login page.
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", "curator")
    page.fill("#id_password", "curator-pass-1")
    screenshot("login")
    page.locator("input[type=submit]").click()
    expect(page.locator("#user-tools")).to_contain_text("curator")
    screenshot("admin-index")

    # Joint operations → Add.
    page.get_by_role("link", name="Joint operations").first.click()
    expect(page.locator("h1")).to_contain_text("joint operation")
    page.locator(".object-tools a.addlink").click()
    expect(page.locator("h1")).to_have_text("Add joint operation")

    page.locator("#id_title").press_sequentially(ORIGINAL_TITLE)  # typed, so the slug follows key by key
    # The slug is filled in from the title as it is typed (the admin's prepopulated field).
    expect(page.locator("#id_slug")).to_have_value(SLUG)
    page.select_option("#id_status", "published")
    page.fill("#id_date", "2026-11-20")
    page.fill("#id_code_name", CODE_NAME)

    # Two participating countries: the first inline row is there, the second is added.
    pick(page, "id_participations-0-country", "Russia", "Russian Federation")
    page.locator("#participations-group .add-row a").click()
    pick(page, "id_participations-1-country", "Kazakh", "Kazakhstan")
    # The outcome and the citation, each chosen through its autocomplete.
    pick(page, "id_outcomes-0-metric", "Drugs", "Drugs seized")
    page.fill("#id_outcomes-0-value", ORIGINAL_VALUE)
    pick(page, "id_citations-0-document", "Kanal-Browser", document.title)
    if page.locator("#id_change_reason").count():
        page.fill("#id_change_reason", "Entered from the Interfax report")
    screenshot("operation-filled-in")

    save(page)
    expect(page.locator("ul.messagelist .success")).to_contain_text("was added successfully")
    screenshot("operation-saved")

    # An anonymous client now finds it, with both countries and the figure.
    [operation] = published_operations(live_server, CODE_NAME)
    assert (operation["title"], operation["slug"]) == (ORIGINAL_TITLE, SLUG)
    assert operation["status"] == "published"
    countries = {participant["country"]["code"] for participant in operation["participants"]}
    assert countries == {"RU", "KZ"}
    assert outcome_values([operation]) == [Decimal(ORIGINAL_VALUE)]
    assert [outcome["metric"]["slug"] for outcome in operation["outcomes"]] == ["drugs-seized"]
    page.goto(f"/api/v1/operations/?{urlencode({'search': CODE_NAME})}")
    expect(page.locator("body")).to_contain_text(CODE_NAME)
    screenshot("api-shows-operation")

    # The curator corrects the figure.
    page.goto("/admin/cooperation/jointoperation/")
    page.locator("#result_list").get_by_role("link", name=ORIGINAL_TITLE).click()
    expect(page.locator("#id_outcomes-0-value")).to_have_value(re.compile(rf"^{ORIGINAL_VALUE}(\.0*)?$"))
    page.fill("#id_outcomes-0-value", EDITED_VALUE)
    if page.locator("#id_change_reason").count():
        page.fill("#id_change_reason", "Figure corrected")
    screenshot("operation-edited")
    save(page)
    expect(page.locator("ul.messagelist .success")).to_contain_text("was changed successfully")
    assert outcome_values(published_operations(live_server, CODE_NAME)) == [Decimal(EDITED_VALUE)]

    # History lists both versions, newest first; the older one is reverted.
    page.locator("#result_list").get_by_role("link", name=ORIGINAL_TITLE).click()
    page.locator("a.historylink").click()
    rows = page.locator("#change-history tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Figure corrected")
    screenshot("history")
    rows.last.get_by_role("link", name=re.compile("Revert to this version")).click()
    expect(page.locator("#content")).to_contain_text("Press the save button below to revert to this version")
    expect(page.locator("#id_outcomes-0-value")).to_have_value(re.compile(rf"^{ORIGINAL_VALUE}(\.0*)?$"))
    screenshot("revert-page")
    page.locator("input[name=_save]").last.click()  # the submit row below the inlines
    expect(page.locator("ul.messagelist .success")).to_contain_text("was changed successfully")
    screenshot("reverted")

    # The public API shows the original figure again.
    [operation] = published_operations(live_server, CODE_NAME)
    assert outcome_values([operation]) == [Decimal(ORIGINAL_VALUE)]
    assert {participant["country"]["code"] for participant in operation["participants"]} == {"RU", "KZ"}
