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


@pytest.fixture
def page(browser, live_server):
    """A fresh page (no cookies) on the live server, with a bounded timeout for every action and wait."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    yield context.new_page()
    context.close()


@pytest.fixture
def screenshot(page):
    """``screenshot("name")`` saves the page as artifacts/screenshots/NN-name.png, numbered in the order taken."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    taken = []

    def take(name):
        taken.append(name)
        page.screenshot(path=SCREENSHOTS / f"{len(taken):02d}-{name}.png", full_page=True)

    return take
