"""A real browser for the ``browser`` tests: Playwright's sync API driving Debian's Chromium, headless.

No browser is downloaded: ``python3 tasks.py browser-deps`` installs Debian's ``chromium`` package.
Without it the tests skip on a developer's machine, and fail in CI (``CI=true``), where a skipped
browser test would hide a broken set-up.
"""

import os
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import expect, sync_playwright

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
# The machine may have no network: these stop Chromium's own background traffic (updates, sync, QUIC probes).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 15_000  # per action or wait: generous for a loaded CI machine, short enough to fail visibly
# Every Content-Security-Policy violation on any page, reported to the test (the settings' policy is on in tests).
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => window.reportCspViolation(
  `${event.disposition}: ${event.effectiveDirective} refused ${event.blockedURI || "inline code"} ` +
  `(${event.sourceFile || location.pathname}:${event.lineNumber}) on ${location.pathname}`
));
"""
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture
def browser(monkeypatch):
    if not CHROMIUM.exists():
        reason = f"Chromium not found at {CHROMIUM}: run `python3 tasks.py browser-deps`"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    # Playwright's sync API keeps an asyncio loop in this thread; the test's own ORM calls are still
    # synchronous, so Django's guard against ORM calls inside a running loop does not apply.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
        # Database connections the test opened while Playwright ran are its own (Django keeps them per
        # context, and Playwright's greenlets have their own): close them, or the test database cannot be dropped.
        connections.close_all()


def note_console_violation(text: str, violations: list[str]) -> None:
    """The browser's own console line for a violation: the listener may miss one raised before it runs."""
    if "Content Security Policy" in text:
        violations.append(text)


@pytest.fixture
def csp_violations() -> list[str]:
    """What the browser refused (or would have, report-only) under the Content-Security-Policy, in order."""
    return []


@pytest.fixture
def csp_refusals_expected() -> list[str]:
    """URLs a test expects the policy to refuse (a third-party load it blocks on purpose): not failures."""
    return []


@pytest.fixture
def page(browser, live_server, django_db_serialized_rollback, csp_violations, csp_refusals_expected):
    """A fresh page (no cookies) on the live server, with a bounded timeout for every action and wait.

    Each starts from the migrated database (serialized rollback): a live-server test flushes every table when it
    ends, the countries and vocabularies the migrations load included, and the next test needs them again.
    A test whose pages break the Content-Security-Policy fails (at teardown, listing each violation).
    """
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    context.expose_binding("reportCspViolation", lambda source, text: csp_violations.append(text))
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.on("console", lambda message: note_console_violation(message.text, csp_violations))
    yield page
    context.close()
    unexpected = [text for text in csp_violations if not any(url in text for url in csp_refusals_expected)]
    if unexpected:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(unexpected), pytrace=False)


@pytest.fixture
def screenshot(page):
    """``screenshot("name")`` saves the page as artifacts/screenshots/NN-name.png, numbered in the order taken."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    taken = []

    def take(name, full_page=True):
        """``full_page=False``: the viewport only, for pages too tall to shoot whole (Redoc lays out every path)."""
        taken.append(name)
        page.screenshot(path=SCREENSHOTS / f"{len(taken):02d}-{name}.png", full_page=full_page)

    return take
