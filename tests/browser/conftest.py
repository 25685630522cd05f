"""Playwright against the real live server, with Debian's Chromium (Playwright cannot
download browsers here).

Playwright's sync API keeps an event loop running in the test thread for as long as it is
started, and Django refuses ORM calls from a thread with a running loop unless
DJANGO_ALLOW_ASYNC_UNSAFE is set. So the variable is set, and Playwright started and stopped,
around this package only: set for the whole test session it would leak into
`manage.py check --deploy` (tests/seminar/lib/test_checks.py), which rightly refuses it.
"""

from __future__ import annotations

import os

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import sync_playwright

ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
PASSWORD = "a-browser-test-passphrase"


@pytest.fixture(scope="package", autouse=True)
def _allow_orm_beside_playwright():
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    yield
    if previous is None:
        os.environ.pop(ASYNC_UNSAFE, None)
    else:
        os.environ[ASYNC_UNSAFE] = previous


# pytest-playwright's own fixtures of these names live for the whole session; these live for
# this package, so its event loop is gone before any other test runs.
@pytest.fixture(scope="package")
def playwright(_allow_orm_beside_playwright):
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="package")
def browser_type(playwright, browser_name):
    return getattr(playwright, browser_name)


@pytest.fixture(scope="package")
def launch_browser(browser_type_launch_args, browser_type):
    def launch(**kwargs):
        return browser_type.launch(**{**browser_type_launch_args, **kwargs})

    return launch


@pytest.fixture(scope="package")
def browser(launch_browser):
    browser = launch_browser()
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="package")
def browser_context_args():
    # Not pytest-playwright's (it needs its session-wide `playwright`); --device and --video
    # are not used here.
    return {"viewport": {"width": 1100, "height": 900}, "locale": "en-US"}


def make_member(**fields):
    """A member who can sign in through the real form: a password and a verified address."""
    from tests.factories import UserFactory

    user = UserFactory(password=PASSWORD, language="en", **fields)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def sign_in(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def csp_problems(page) -> list[str]:
    """The Content-Security-Policy errors the page logs from now on (a list that fills as it
    goes): a page that needs an inline script or style shows up here."""
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and "Content Security Policy" in m.text
            else None
        ),
    )
    return problems
