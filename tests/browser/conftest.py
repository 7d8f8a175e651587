"""Fixtures for tests that drive the pages in a real Chromium.

The browser is Debian's `chromium` (scripts/test.sh installs it), started once
through Playwright for all the tests in this folder; each test gets a fresh
context and page, on a phone-sized screen since most reports come from phones.
"""

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import sync_playwright

from outages.catalog import load_catalog, lookup
from outages.models import Incident, Service
from outages.pipeline.bucketing import bucket_new_reports
from outages.pipeline.cycle import detect_new_minutes
from outages.pipeline.history import learn_history
from tests.helpers.browser import PHONE
from tests.helpers.history import quiet_history
from tests.helpers.outage import surge

MINUTE = timedelta(minutes=1)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
# Without the networking flags Chromium phones home (updates, sync, field
# trials) on its own, which is slow here and no business of the tests.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="package")
def browser():
    """Chromium, from the first browser test to the last.

    Playwright's sync API marks an asyncio loop as running in this thread for
    as long as it is started, and Django's ORM refuses to run beside one. The
    loop never runs our queries, so the ORM is told to go ahead, but only
    while Chromium runs: the tests after this folder keep Django's guard.
    """
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `make test`, which installs Debian's "
            "chromium, or `apt-get install chromium`.",
            pytrace=False,
        )
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, settings):
    """The live server with the real catalog, as a visitor's browser sees it.

    pytest-django's live server serves static files through Django's finders,
    which know `outages/report.js` but not the hashed names the production
    storage writes into STATIC_ROOT: without plain names the page would load
    neither its stylesheet nor its script. The server thread shares this
    process, so the override reaches it.
    """
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    load_catalog()
    lookup.forget()
    return live_server


@pytest.fixture
def artifacts():
    """The folder for screenshots, which scripts/test.sh points to at the end."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def page(browser, request):
    yield from _page(browser, request)


@pytest.fixture
def page_without_javascript(browser, request):
    yield from _page(browser, request, java_script_enabled=False)


def _page(browser, request, **options):
    context = browser.new_context(**PHONE, **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "call_report", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"{request.node.name}.png", full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Lets a page fixture see whether its test failed, to keep a screenshot.
    report = yield
    if report.when == "call":
        item.call_report = report
    return report


@pytest.fixture
def outage(site, client):
    """Weeks of normal TikTok, then 40 people in Germany cannot log in."""
    now = timezone.now()
    tiktok = Service.objects.get(slug="tiktok")
    keys, counts = quiet_history(tiktok.id, {"": 4.0, "DE": 1.0})
    learn_history(keys, counts, last=now.replace(second=0, microsecond=0) - MINUTE)
    surge(client, 40, region="DE", symptom="login")
    for minutes in (1, 2):
        with time_machine.travel(now + minutes * MINUTE, tick=False):
            bucket_new_reports()
            detect_new_minutes()
    return Incident.objects.get()
