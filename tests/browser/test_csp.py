"""The Content-Security-Policy in a real browser: the admin, both API docs and the browsable API work under it.

The ``page`` fixture fails any test on a violation (tests/browser/conftest.py), so these tests only have to reach
the pages and make them do what needs script: Swagger UI and Redoc render the schema, Redoc's search worker
answers, the admin's autocomplete opens, import-export's inline "Select all" handler runs. Each page is
screenshotted (artifacts/screenshots/).
"""

import contextlib
import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from tests.factories import DocumentFactory

pytestmark = pytest.mark.browser

TITLE = "Security-cooperation tracker API"
REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def visit(page, path: str):
    """Open ``path`` and check that it came with an enforced policy, so that no violation means something."""
    response = page.goto(path)
    assert response.ok, f"{path}: {response.status}"
    policy = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in policy, f"{path} came without the policy"
    return response


@pytest.fixture
def document(transactional_db):
    return DocumentFactory(title="Interfax report on Kanal-CSP")


def test_the_admin_works_under_the_policy(page, screenshot, staff_user, document):
    visit(page, "/admin/login/?next=/admin/")
    screenshot("csp-admin-login")
    page.fill("#id_username", "curator")
    page.fill("#id_password", "curator-pass-1")
    page.locator("input[type=submit]").click()
    expect(page.locator("#user-tools")).to_contain_text("curator")
    screenshot("csp-admin-index")

    # A change form with inlines, a prepopulated slug and select2 autocompletes, all script.
    visit(page, "/admin/cooperation/jointoperation/add/")
    page.locator("#id_title").press_sequentially("Kanal CSP")
    expect(page.locator("#id_slug")).to_have_value("kanal-csp")
    page.locator("#participations-group .add-row a").click()  # an inline row added by the admin's script
    expect(page.locator("#participations-1")).to_be_visible()
    page.locator("#id_citations-0-document + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("Kanal")
    expect(page.locator(".select2-results__option", has_text="Interfax report on Kanal-CSP")).to_be_visible()
    screenshot("csp-admin-change-form")
    page.keyboard.press("Escape")

    # import-export's export page: its one inline handler (allowed by hash) toggles every field.
    visit(page, "/admin/cooperation/jointoperation/export/")
    fields = page.locator('.selectable-field-export-row input[type="checkbox"]')
    expect(fields.first).to_be_checked()
    page.locator("input.select-toggle").first.uncheck()
    expect(fields.first).not_to_be_checked()
    screenshot("csp-admin-export")


def test_swagger_ui_renders_the_schema_under_the_policy(page, screenshot, transactional_db):
    visit(page, "/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text(TITLE)
    operation = page.locator(".opblock-summary").first
    operation.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    # "Try it out" sends the request from the page (connect-src 'self') and shows the answer.
    page.locator(".try-out__btn").first.click()
    page.locator(".execute").first.click()
    expect(page.locator(".live-responses-table tbody .response-col_status").first).to_have_text(re.compile(r"\d{3}"))
    screenshot("csp-swagger-ui", full_page=False)


def test_redoc_renders_and_searches_under_the_policy(
    page, screenshot, transactional_db, csp_violations, csp_refusals_expected
):
    # Redoc's footer shows Redocly's logo from their CDN (hard-coded; it hides itself when refused). The docs load
    # nothing from another host, so the policy refuses it: the one violation expected, and checked for below.
    csp_refusals_expected.append(REDOCLY_LOGO)
    visit(page, "/api/v1/redoc/")
    expect(page.locator("h1").first).to_contain_text(TITLE, timeout=60_000)  # Redoc lays out the whole schema first
    # Answered by Redoc's search worker (a blob: URL), once it has indexed the schema: typed again until then.
    search, results = page.get_by_placeholder("Search..."), page.locator("[data-role='search:results'] li")
    for _ in range(10):
        search.fill("")
        search.press_sequentially("operation", delay=30)
        with contextlib.suppress(PlaywrightTimeoutError):
            results.first.wait_for(timeout=3_000)
            break
    expect(results.first).to_contain_text("operation", ignore_case=True)
    screenshot("csp-redoc", full_page=False)
    assert any(REDOCLY_LOGO in text for text in csp_violations)


def test_the_browsable_api_and_the_lock_out_page_under_the_policy(page, screenshot, staff_user):
    visit(page, "/api/v1/")
    expect(page.locator(".page-header h1")).to_be_visible()
    screenshot("csp-browsable-api")

    page.goto("/admin/login/?next=/admin/")
    for _ in range(5):
        page.fill("#id_username", "curator")
        page.fill("#id_password", "not-the-password")
        page.locator("input[type=submit]").click()
        page.wait_for_load_state()
    expect(page.locator("#content-main h1")).to_have_text("Too many failed logins")
    screenshot("csp-lock-out")
