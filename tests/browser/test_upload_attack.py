"""Issue 10, finding 1, in the browser: a member's uploads cannot run script for an organizer.

The attack that made a member superuser: upload `x.js` as `image/gif` (its body `GIF89a=1;…`
is valid JavaScript), upload `x.html` as `image/gif` with a `<script src>` pointing at it, link
both in a review; an organizer who opens the link runs the script in the app's origin, which
sets `is_superuser` on the attacker through the admin. Here the attacker sends the payloads to
the real upload endpoint, files the old upload code stored (the same payloads under markdownx's
`<uuid>.<client extension>` names) are on disk too, and the organizer, signed in, clicks every
link. No dialog opens, the payload never logs, and the attacker's privileges stay as they were.
"""

from __future__ import annotations

import base64
import io
import re
import uuid

import pytest
from PIL import Image
from playwright.sync_api import Page

from seminar.models import User
from seminar.services import make_organizer
from tests.browser.conftest import make_member, sign_in
from tests.factories import ReviewerSlotFactory, TopicFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EDITOR_URL = re.compile(r"/slots/\d+/review/$")
SANDBOX = "default-src 'none'; img-src 'self'; sandbox"

# What the script does in the organizer's session: say so, then fetch the attacker's admin
# change form and post it back with is_superuser and is_staff ticked.
EXPLOIT = """GIF89a=1;
console.log("payload ran");
alert("payload ran");
fetch("/admin/seminar/user/%(pk)d/change/", {credentials: "same-origin"})
  .then(function (r) { return r.text(); })
  .then(function (html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var form = doc.querySelector("form#user_form") || doc.querySelector("form[method=post]");
    var data = new URLSearchParams();
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "submit") { return; }
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) { return; }
      if (el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.selectedOptions, function (o) {
          data.append(el.name, o.value);
        });
        return;
      }
      data.append(el.name, el.value);
    });
    data.set("is_superuser", "on");
    data.set("is_staff", "on");
    return fetch("/admin/seminar/user/%(pk)d/change/", {
      method: "POST", body: data, credentials: "same-origin", redirect: "manual",
      headers: {"Content-Type": "application/x-www-form-urlencoded"}
    });
  });
"""

UPLOAD = """async ([name, type, encoded]) => {
  const token = document.querySelector("[name=csrfmiddlewaretoken]").value;
  const bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
  const data = new FormData();
  data.append("image", new File([bytes], name, {type}));
  const response = await fetch("/markdownx/upload/", {
    method: "POST", body: data,
    headers: {"X-CSRFToken": token, "X-Requested-With": "XMLHttpRequest"},
  });
  return [response.status, await response.text()];
}"""


def _gif_with_html(html: bytes) -> bytes:
    """A GIF that decodes, with HTML after its trailer."""
    buffer = io.BytesIO()
    Image.new("P", (4, 4), 1).save(buffer, "GIF")
    return buffer.getvalue() + html


def _privileges(user: User) -> tuple:
    user.refresh_from_db()
    return (user.is_superuser, user.is_staff, sorted(user.groups.values_list("name", flat=True)))


def _watch(page: Page) -> list[str]:
    """Dialogs that opened and the payload's console line: both must never appear."""
    seen: list[str] = []

    def dialog(d) -> None:
        seen.append(f"dialog: {d.message}")
        d.dismiss()

    def console(message) -> None:
        if "payload ran" in message.text:
            seen.append(f"console: {message.text}")

    page.on("dialog", dialog)
    page.on("console", console)
    return seen


@pytest.fixture
def media_through_the_app(settings, tmp_path, monkeypatch):
    """Django's live server answers MEDIA_URL itself (`_MediaFilesHandler`, with a type guessed
    from the name), before the app sees the request. Production has no such shortcut (WhiteNoise
    serves static files only), so it is switched off: media requests reach `member_media`."""
    from django.test.testcases import _MediaFilesHandler

    monkeypatch.setattr(_MediaFilesHandler, "_should_handle", lambda self, path: False)
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_an_organizer_opening_a_members_uploaded_files_runs_nothing_and_grants_nothing(
    page: Page, browser, live_server, media_through_the_app
):
    tmp_path = media_through_the_app
    topic = TopicFactory(order=1, title="Spurious Rewards", presenter=make_member(name="발표자"))
    ReviewerSlotFactory(topic=topic, number=1)
    attacker = make_member(name="공격자")
    organizer = make_member(name="운영자")
    make_organizer(organizer)
    before = _privileges(attacker)
    exploit = (EXPLOIT % {"pk": attacker.pk}).encode()

    # What markdownx stored before: the same payloads, byte for byte, under the client's
    # extension.
    legacy_js = f"/media/markdownx/{uuid.uuid4()}.js"
    legacy_html = f"/media/markdownx/{uuid.uuid4()}.html"
    (tmp_path / "markdownx").mkdir()
    (tmp_path / legacy_js.removeprefix("/media/")).write_bytes(exploit)
    (tmp_path / legacy_html.removeprefix("/media/")).write_bytes(
        f'GIF89a<script src="{legacy_js}"></script>'.encode()
    )

    # The attacker uploads through the editor's endpoint, as markdownx's script would.
    attacker_page = browser.new_context().new_page()
    sign_in(attacker_page, live_server, attacker)
    attacker_page.click("button[data-claim]")
    attacker_page.wait_for_url(EDITOR_URL)

    def send(name: str, content_type: str, body: bytes) -> str | None:
        encoded = base64.b64encode(body).decode()
        status, text = attacker_page.evaluate(UPLOAD, [name, content_type, encoded])
        if status != 200:
            return None
        match = re.fullmatch(r'\{"image_code": "!\[\]\((?P<url>[^)]+)\)"\}', text)
        assert match, text
        return match["url"]

    js_url = send("x.js", "image/gif", exploit)
    script_src = js_url or legacy_js
    html_url = send("x.html", "image/gif", f'GIF89a<script src="{script_src}"></script>'.encode())
    polyglot_url = send(
        "y.html", "image/gif", _gif_with_html(f'<script src="{script_src}"></script>'.encode())
    )
    assert polyglot_url is not None  # a real image is accepted (and re-encoded)
    links = [url for url in (js_url, html_url, polyglot_url, legacy_js, legacy_html) if url]

    # ... and links them in the review it submits.
    body = "\n\n".join(f"[figure {n}]({url})" for n, url in enumerate(links, 1))
    attacker_page.locator("[data-section] textarea").first.fill(body)
    attacker_page.click("button[data-submit]")
    attacker_page.wait_for_url(re.compile(r"/weeks/\d+/"))
    attacker_page.context.close()

    # The organizer reads the review and clicks every link in it.
    seen = _watch(page)
    sign_in(page, live_server, organizer)
    week_url = f"{live_server.url}{topic.week.get_absolute_url()}"
    page.goto(week_url)
    review = page.locator("#topic-1-review-1")
    hrefs = review.locator("a[href^='/media/']").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    assert sorted(hrefs) == sorted(links)
    for href in hrefs:
        page.goto(week_url)
        page.click(f"#topic-1-review-1 a[href='{href}']")
        page.wait_for_load_state("networkidle")
    # Opened directly as well (a link can be copied into the address bar): images come back
    # sandboxed, anything else is not found.
    answers = {}
    for href in hrefs:
        response = page.goto(f"{live_server.url}{href}")
        page.wait_for_load_state("networkidle")
        assert response is not None
        answers[href] = (response.status, response.headers.get("content-security-policy"))

    assert (seen, _privileges(attacker)) == ([], before)
    assert answers[polyglot_url] == (200, SANDBOX)
    assert answers[legacy_js][0] == answers[legacy_html][0] == 404
