"""Publishing an operation whose participant is a draft organization, in a real browser.

The form refuses with the draft named, keeps what was typed, and publishes both once the curator ticks
“Publish linked drafts too”: three page loads and two submissions (open, refused, saved).
"""

import json
from urllib.request import urlopen

import pytest
from playwright.sync_api import expect

from cooperation.choices import Role, Status
from tests.factories import CitationFactory, JointOperationFactory, OrganizationFactory, ParticipationFactory

pytestmark = pytest.mark.browser

TITLE = "Operation Zarya-Browser"


@pytest.fixture
def operation(transactional_db):
    """A reviewed, cited operation with a draft border guard unit taking part."""
    unit = OrganizationFactory(name="Zarya Border Unit", slug="zarya-border-unit", status=Status.DRAFT)
    operation = JointOperationFactory(title=TITLE, slug="operation-zarya-browser", status=Status.REVIEWED)
    ParticipationFactory(event=operation, country=None, organization=unit, role=Role.LEAD)
    CitationFactory(event=operation, quote="Border guards of the Zarya unit took part.")
    return operation


def public_participants(live_server, operation) -> list[dict]:
    """What an anonymous client of the API sees of the operation's participants (404: not published)."""
    url = f"{live_server.url}/api/v1/operations/{operation.pk}/"
    with urlopen(url, timeout=15) as response:  # noqa: S310 (the live server's own http URL)
        return json.load(response)["participants"]


def test_publishing_with_a_draft_is_refused_then_done_together(page, screenshot, live_server, staff_user, operation):
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", "curator")
    page.fill("#id_password", "curator-pass-1")
    page.locator("input[type=submit]").click()
    expect(page.locator("#user-tools")).to_contain_text("curator")

    loads = 0
    page.goto(f"/admin/cooperation/jointoperation/{operation.pk}/change/")
    loads += 1
    page.select_option("#id_status", "published")
    page.fill("#id_change_reason", "Published with the unit")
    page.locator("input[name=_save]").last.click()
    page.wait_for_load_state()
    loads += 1

    # Refused, with the draft named on the status field; what was typed is still there.
    error = page.locator(".field-status .errorlist")
    expect(error).to_contain_text("organization “Zarya Border Unit” (draft)")
    expect(page.locator("#id_status")).to_have_value("published")
    expect(page.locator("#id_change_reason")).to_have_value("Published with the unit")
    publish_linked = page.get_by_label("Publish linked drafts too")
    expect(publish_linked).to_be_visible()
    screenshot("publish-refused-with-drafts")

    publish_linked.check()
    page.locator("input[name=_save]").last.click()
    page.wait_for_load_state()
    loads += 1
    expect(page.locator("ul.messagelist .success")).to_contain_text("was changed successfully")
    screenshot("published-with-drafts")

    assert loads == 3
    assert [p["organization"]["slug"] for p in public_participants(live_server, operation)] == ["zarya-border-unit"]
