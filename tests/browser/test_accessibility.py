"""axe-core on every page of the app: as a member and as an organizer, in Korean and English,
at a desktop width and a phone's. Any serious or critical violation fails, with its rule id and
the elements it found.

The pages come from the URL resolver (tests/hardening/urls.py) filled with the permission
matrix's world (tests/hardening/matrix_world.py), so a URL another feature adds is visited here
without anyone listing it. What is not a page is skipped, each with its reason, decided from the
response itself: a GET answered 405 (a POST-only endpoint), a download (Content-Disposition:
attachment), a response that is not HTML. The Django admin is Django's own and skipped by name.

axe-core is vendored for the tests only (tests/browser/vendor/, MPL-2.0) and evaluated over the
DevTools protocol, which the page's Content-Security-Policy does not apply to.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import Browser, Page

from tests.hardening.matrix_world import MEDIA_FILE, build_world, url_values
from tests.hardening.urls import all_routes, fill

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
FAILING_IMPACTS = ("serious", "critical")
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
# Skipped by name, with the reason. Everything else is decided from the response.
SKIPPED_BY_NAME = {
    "admin": "the Django admin's own templates, not the app's",
    "set_language": "POST-only (the language form is on every page)",
    "account_logout": "signs the visitor out (its confirmation page is checked last)",
}


@dataclass
class Survey:
    checked: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    violations: list[dict] = field(default_factory=list)

    def by_rule(self) -> Counter:
        return Counter(v["id"] for v in self.violations)

    def failing(self) -> list[dict]:
        return [v for v in self.violations if v["impact"] in FAILING_IMPACTS]


def pages(world) -> list[tuple[str, str | None]]:
    """(URL name, path) of every non-admin route, in the resolver's order; the path is None
    when the matrix's world has no values for the route's arguments (a route in the making:
    the permission matrix test fails until it has them)."""
    values = url_values(world)
    found: list[tuple[str, str | None]] = []
    for route in all_routes():
        if route.namespace == "admin":
            continue
        try:
            found.append((route.key, fill(route.route, values.get(route.key, {}))))
        except KeyError:
            found.append((route.key, None))
    return found


def axe_violations(page: Page) -> list[dict]:
    page.evaluate(AXE)
    result = page.evaluate(
        """async () => {
            // Frames are left out: the only ones are sandboxed email previews (no script runs
            // there, so axe would wait for them), and they show an email, not an app page.
            const r = await Promise.race([
                axe.run(document, {resultTypes: ['violations'], iframes: false}),
                new Promise((_, fail) => setTimeout(() => fail(new Error('axe timed out')), 30000)),
            ]);
            return r.violations.map(v => ({
                id: v.id, impact: v.impact,
                targets: v.nodes.map(n => n.target.join(' ')).slice(0, 5),
                html: v.nodes.length ? v.nodes[0].html.slice(0, 160) : '',
            }));
        }"""
    )
    return result


def unlabelled_cells(page: Page) -> list[dict]:
    """Not axe's: on a phone, a stacked table's cell that does not say which column it is
    (table.list.stack shows no header row there; see app.css and js/stacked-tables.js).
    Cells of buttons or forms (an actions column) are left out: their buttons name them."""
    cells = page.evaluate(
        """() => Array.from(document.querySelectorAll('table.stack tbody td'))
            .filter(td => td.colSpan === 1 && td.offsetParent !== null
                && td.textContent.trim() !== '')
            // A cell of buttons (an actions column) names itself.
            .filter(td => !td.querySelector(':scope > form, :scope > button'))
            .filter(td => ['none', 'normal', ''].includes(
                getComputedStyle(td, '::before').content))
            .map(td => td.outerHTML.slice(0, 100))"""
    )
    if not cells:
        return []
    return [
        {
            "id": "stacked-cell-unlabelled",
            "impact": "serious",
            "targets": cells[:5],
            "html": cells[0],
        }
    ]


def sign_in_cookie(user) -> dict:
    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value}


def survey(browser: Browser, live_server, world, role: str, language: str, width: str) -> Survey:
    user = world.users[role]
    user.language = language
    user.save(update_fields=["language"])
    context = browser.new_context(viewport=VIEWPORTS[width], locale="ko-KR")
    cookie = sign_in_cookie(user)
    context.add_cookies([{**cookie, "url": live_server.url}])
    page = context.new_page()
    result = Survey()
    seen_errors: set[int] = set()
    try:
        for name, path in pages(world):
            if name in SKIPPED_BY_NAME:
                result.skipped[name] = SKIPPED_BY_NAME[name]
                continue
            if path is None:
                result.skipped[name] = "no values for its URL arguments in matrix_world"
                continue
            probe = context.request.get(live_server.url + path, max_redirects=0, timeout=20_000)
            kind = probe.headers.get("content-type", "")
            if probe.status == 405:
                result.skipped[name] = "POST-only (GET answers 405)"
                continue
            if "attachment" in probe.headers.get("content-disposition", ""):
                result.skipped[name] = "a file download"
                continue
            if 300 <= probe.status < 400:
                result.skipped[name] = f"redirects to {probe.headers.get('location')}"
                continue
            if not kind.startswith("text/html"):
                result.skipped[name] = f"not HTML ({kind.split(';')[0]})"
                continue
            if probe.status in seen_errors:
                result.skipped[name] = f"the {probe.status} page, checked once"
                continue
            if probe.status >= 400:
                seen_errors.add(probe.status)
            response = page.goto(live_server.url + path)
            assert response is not None
            label = f"{name} ({path}, {response.status})"
            result.checked.append(label)
            for violation in axe_violations(page):
                result.violations.append({**violation, "page": label})
            if width == "phone":
                result.violations += [{**v, "page": label} for v in unlabelled_cells(page)]
        # The sign-out confirmation last: it is a page too.
        page.goto(live_server.url + "/accounts/logout/")
        result.checked.append("account_logout")
        for violation in axe_violations(page):
            result.violations.append({**violation, "page": "account_logout"})
    finally:
        context.close()
    return result


def report(result: Survey) -> str:
    lines = [
        f"{v['impact']} {v['id']} on {v['page']}: {v['targets']} (first: {v['html']})"
        for v in result.failing()
    ]
    counts = json.dumps(dict(sorted(result.by_rule().items())), ensure_ascii=False)
    return "\n".join([*lines, f"all violations by rule: {counts}"])


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ARXIV_API_URL = "http://127.0.0.1:9/api/query"
    (tmp_path / MEDIA_FILE).parent.mkdir(parents=True)
    (tmp_path / MEDIA_FILE).write_bytes(b"\x89PNG owner's image")
    return build_world()


@pytest.mark.parametrize("width", list(VIEWPORTS))
@pytest.mark.parametrize("language", ["ko", "en"])
@pytest.mark.parametrize("role", ["owner", "organizer"])
def test_every_page_has_no_serious_axe_violation(
    browser, live_server, world, role, language, width
):
    result = survey(browser, live_server, world, role, language, width)
    print(f"\n[axe {role} {language} {width}] checked {len(result.checked)} pages")
    print(f"skipped: {json.dumps(result.skipped, ensure_ascii=False)}")
    print(report(result))
    assert len(result.checked) > 20  # the enumeration really found the app's pages
    assert result.failing() == [], report(result)


def test_signed_out_pages_have_no_serious_axe_violation(browser, live_server, world):
    """The pages a visitor sees before signing in, and the error pages."""
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="ko-KR")
    page = context.new_page()
    result = Survey()
    try:
        for path in (
            "/accounts/login/",
            "/accounts/signup/",
            "/accounts/password/reset/",
            "/no-such-page/",
        ):
            page.goto(live_server.url + path)
            result.checked.append(path)
            for violation in axe_violations(page):
                result.violations.append({**violation, "page": path})
    finally:
        context.close()
    print(report(result))
    assert result.failing() == [], report(result)
