"""Who may do what: every role against every URL of the project and every method.

Routes come from the URL resolver, so a new URL without an entry in `MATRIX` fails
`test_every_url_has_a_matrix_entry`. Roles: a signed-out visitor; the owner (a member who
reviews a slot and has a draft, an unavailable date, a calendar link); another member; an
organizer. Each request runs in a savepoint that is rolled back, so every one of them sees the
same world. A refused request (sent to sign in, 401, 403, 404, 405) must not write anything:
no INSERT, UPDATE or DELETE runs while it is served, and the data is the same afterwards.
"""

from __future__ import annotations

import fnmatch

import pytest
from django.apps import apps

from tests.hardening.matrix_world import MEDIA_FILE, ROLES, SLIDES_FILE, build_world
from tests.hardening.probe import Outcome, clients_for, request
from tests.hardening.urls import all_routes

pytestmark = pytest.mark.django_db

L = "sign-in"  # 302 to the sign-in page (allauth's)
A = "admin sign-in"  # 302 to the admin's sign-in page
STAFF_ONLY = "staff only"  # non-staff: A; staff (organizers): anything but A or a 5xx
REFUSED = {L, A, 401, 403, 404, 405}
SIGN_IN_PAGES = ("/accounts/login/", "/admin/login/")

# Per URL name and method, the status for (anonymous, owner, other member, organizer).
# 302 means a redirect somewhere other than a sign-in page (the action was done, or
# answered with a message). POST bodies are valid ones (tests/hardening/matrix_world.py).
MATRIX: dict[str, dict[str, tuple] | str] = {
    # --- members' pages ---
    "home": {"GET": (L, 200, 200, 200), "POST": (L, 200, 200, 200)},
    "week_list": {"GET": (L, 200, 200, 200), "POST": (L, 200, 200, 200)},
    "week_detail": {"GET": (L, 200, 200, 200), "POST": (L, 200, 200, 200)},
    "week_export": {"GET": (L, 200, 200, 200), "POST": (L, 200, 200, 200)},
    "profile": {"GET": (L, 200, 200, 200), "POST": (L, 302, 302, 302)},
    "stats": {"GET": (L, 200, 200, 200), "POST": (L, 405, 405, 405)},
    "calendar_settings": {"GET": (L, 200, 200, 200), "POST": (L, 302, 302, 302)},
    "unavailable_dates": {"GET": (L, 200, 200, 200), "POST": (L, 302, 302, 302)},
    # The owner's own date; anyone else's attempt finds nothing (404, not a hint it exists).
    "unavailable_date_delete": {"GET": (L, 405, 405, 405), "POST": (L, 302, 404, 404)},
    "paper_list": {"GET": (L, 200, 200, 200), "POST": (L, 405, 405, 405)},
    "paper_detail": {"GET": (L, 200, 200, 200), "POST": (L, 405, 405, 405)},
    "paper_search_json": {"GET": (403, 200, 200, 200), "POST": (405, 405, 405, 405)},
    "paper_interest": {"GET": (L, 405, 405, 405), "POST": (L, 302, 302, 302)},
    # Votes and the agenda (#13): every member votes (their own vote, within their budget)
    # and sees the agenda; only organizers turn an agenda paper into a topic.
    "paper_vote": {"GET": (L, 405, 405, 405), "POST": (L, 302, 302, 302)},
    "paper_agenda": {"GET": (L, 200, 200, 200), "POST": (L, 405, 405, 405)},
    "agenda_schedule": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    "member_media": {"GET": (L, 200, 200, 200), "POST": (L, 200, 200, 200)},
    # The live preview answers a lost session 401 JSON (the editor says "signed out").
    "markdownx_markdownify": {"GET": (401, 405, 405, 405), "POST": (401, 200, 200, 200)},
    "markdownx_upload": {"GET": (L, 405, 405, 405), "POST": (L, 200, 200, 200)},
    # --- reviews: the owner's slot and draft; claiming an open slot of the same topic ---
    # (the owner already reviews the topic, so their claim is answered with a message)
    "slot_claim": {"GET": (L, 405, 405, 405), "POST": (L, 302, 302, 302)},
    "slot_release": {"GET": (L, 405, 405, 405), "POST": (L, 302, 403, 403)},
    "review_edit": {"GET": (L, 200, 403, 200), "POST": (L, 302, 403, 302)},
    "review_autosave": {"GET": (405, 405, 405, 405), "POST": (401, 200, 403, 200)},
    # --- swaps (#13): offer only the holder (the owner's slot and talk); take any member
    # but the holder; withdraw the holder or an organizer; approve and decline organizers ---
    "swaps": {"GET": (L, 200, 200, 200), "POST": (L, 405, 405, 405)},
    "swap_offer_slot": {"GET": (L, 405, 405, 405), "POST": (L, 302, 403, 403)},
    "swap_offer_presenter": {"GET": (L, 405, 405, 405), "POST": (L, 302, 403, 403)},
    "swap_take": {"GET": (L, 405, 405, 405), "POST": (L, 403, 302, 302)},
    "swap_withdraw": {"GET": (L, 405, 405, 405), "POST": (L, 302, 403, 302)},
    "swap_approve": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    "swap_decline": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    "week_swap_policy": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    # Editing one week and removing an empty one from its page (#13): organizers only,
    # POST only (the removal POSTed here confirms it: the world's empty week goes).
    "week_edit": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    "week_remove": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    # --- organizers' pages ---
    # Invitations (#13): a new link (rate limited: answered with a message) and revoking.
    "invitation_resend": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    "invitation_revoke": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    "invitations": {"GET": (L, 403, 403, 200), "POST": (L, 403, 403, 302)},
    # The reminders tool (#13): POST saves the cadence; previews and "remind now".
    "reminder_status": {"GET": (L, 403, 403, 200), "POST": (L, 403, 403, 302)},
    "reminder_preview": {"GET": (L, 403, 403, 200), "POST": (L, 403, 403, 405)},
    "reminder_remind_now": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    "digest_source_add": {"GET": (L, 403, 403, 200), "POST": (L, 403, 403, 302)},
    "digest_source_edit": {"GET": (L, 403, 403, 200), "POST": (L, 403, 403, 302)},
    # Materials (#13): the topic's presenter (none of these roles) or an organizer sets them;
    # every member downloads the slides.
    "topic_materials": {"GET": (L, 403, 403, 200), "POST": (L, 403, 403, 302)},
    "topic_slides": {"GET": (L, 200, 200, 200), "POST": (L, 405, 405, 405)},
    "week_materials": {"GET": (L, 403, 403, 200), "POST": (L, 403, 403, 302)},
    "schedule": {"GET": (L, 403, 403, 200), "POST": (L, 403, 403, 405)},
    "schedule_create_weeks": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    # Terms in the app (#13): organizers only; closing/reopening the world's term is answered
    # with a message (it has coming topics; it is open), still a redirect to the board.
    "schedule_create_term": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    "schedule_rename_term": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    "schedule_close_term": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    "schedule_reopen_term": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    "schedule_add_topic": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    "schedule_assign_presenter": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    "schedule_move_topic": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    "schedule_set_slot_count": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    "schedule_unlink_paper": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    "schedule_remove_topic": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    "schedule_assign_reviewer": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    "export_reviews_csv": {"GET": (L, 403, 403, 200), "POST": (L, 403, 403, 405)},
    "export_reviews_json": {"GET": (L, 403, 403, 200), "POST": (L, 403, 403, 405)},
    "export_archive": {"GET": (L, 403, 403, 200), "POST": (L, 403, 403, 405)},
    "digest_imports": {"GET": (L, 403, 403, 200), "POST": (L, 403, 403, 302)},
    "digest_import_detail": {"GET": (L, 403, 403, 200), "POST": (L, 403, 403, 200)},
    "digest_import_retry": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    "digest_import_progress": {"GET": (L, 403, 403, 200), "POST": (L, 403, 403, 405)},
    "digest_sources": {"GET": (L, 403, 403, 200), "POST": (L, 403, 403, 200)},
    "digest_source_poll": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    # The world's source is a folder (no dates): the organizer is answered with a message.
    "digest_source_backfill": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    "paper_status": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    # Adding a paper by link or id, correcting one, filling one from arXiv: organizers only.
    "paper_add": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    "paper_edit": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    "paper_fetch_metadata": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    # Merging a duplicate into another paper (deletes the duplicate): organizers only.
    "paper_merge": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    # Integrations (#16): organizers only. The world's repository and channel sit on addresses
    # that git and `fetch` refuse before connecting, so publishing answers with a recorded
    # error, never a request leaving the machine.
    "integrations": {"GET": (L, 403, 403, 200), "POST": (L, 403, 403, 405)},
    "integration_repository_add": {"GET": (L, 403, 403, 200), "POST": (L, 403, 403, 302)},
    "integration_repository_edit": {"GET": (L, 403, 403, 200), "POST": (L, 403, 403, 302)},
    "integration_repository_delete": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    "integration_repository_sync": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    # GET is the dry run (it shows the repository's error); POST imports (here: the error).
    "integration_archive_import": {"GET": (L, 403, 403, 200), "POST": (L, 403, 403, 302)},
    "integration_change": {"GET": (L, 403, 403, 200), "POST": (L, 403, 403, 302)},
    "integration_channel_add": {"GET": (L, 403, 403, 200), "POST": (L, 403, 403, 302)},
    "integration_channel_edit": {"GET": (L, 403, 403, 200), "POST": (L, 403, 403, 302)},
    "integration_channel_delete": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    "integration_delivery_retry": {"GET": (L, 403, 403, 405), "POST": (L, 403, 403, 302)},
    # --- discussion (#15): the world's topic, its question (by the other member), the owner's
    # comment and notification, and the other member's submitted review, which the owner (a
    # reviewer of the same topic with only a draft) may not read yet (the visibility rule).
    "review_detail": {"GET": (L, 403, 200, 200), "POST": (L, 405, 405, 405)},
    "topic_comment": {"GET": (L, 405, 405, 405), "POST": (L, 302, 302, 302)},
    "review_comment": {"GET": (L, 405, 405, 405), "POST": (L, 404, 302, 302)},
    "paper_comment": {"GET": (L, 405, 405, 405), "POST": (L, 302, 302, 302)},
    "comment_reply": {"GET": (L, 405, 405, 405), "POST": (L, 302, 302, 302)},
    "comment_edit": {"GET": (L, 200, 403, 403), "POST": (L, 302, 403, 403)},
    "comment_delete": {"GET": (L, 405, 405, 405), "POST": (L, 302, 403, 403)},
    "comment_hide": {"GET": (L, 405, 405, 405), "POST": (L, 403, 403, 302)},
    "comment_answer": {"GET": (L, 405, 405, 405), "POST": (L, 403, 403, 302)},
    "comment_react": {"GET": (L, 405, 405, 405), "POST": (L, 302, 302, 302)},
    "review_react": {"GET": (L, 405, 405, 405), "POST": (L, 404, 302, 302)},
    "discussion_members": {"GET": (L, 200, 200, 200), "POST": (L, 405, 405, 405)},
    "week_export_questions": {"GET": (L, 200, 200, 200), "POST": (L, 405, 405, 405)},
    "notifications": {"GET": (L, 200, 200, 200), "POST": (L, 405, 405, 405)},
    "notifications_read": {"GET": (L, 405, 405, 405), "POST": (L, 302, 302, 302)},
    # The owner's notification; anyone else's attempt finds nothing.
    "notification_open": {"GET": (L, 302, 404, 404), "POST": (L, 405, 405, 405)},
    "notifications_unread": {"GET": (L, 200, 200, 200), "POST": (L, 405, 405, 405)},
    "notification_settings": {"GET": (L, 200, 200, 200), "POST": (L, 302, 302, 302)},
    # --- public: the credential is in the URL (signed or secret), or there is none ---
    "notification_unsubscribe": {"GET": (200,) * 4, "POST": (200,) * 4},
    "healthz": {"GET": (200, 200, 200, 200), "POST": (405, 405, 405, 405)},
    "set_language": {"GET": (405, 405, 405, 405), "POST": (302, 302, 302, 302)},
    "accept_invitation": {"GET": (302, 302, 302, 302), "POST": (302, 302, 302, 302)},
    "unsubscribe": {"GET": (200, 200, 200, 200), "POST": (200, 200, 200, 200)},
    "member_calendar": {"GET": (200, 200, 200, 200), "POST": (405, 405, 405, 405)},
    "group_calendar": {"GET": (200, 200, 200, 200), "POST": (405, 405, 405, 405)},
    # --- allauth: public pages; signed-in members are sent on from sign-in and sign-up ---
    "account_login": {"GET": (200, 302, 302, 302), "POST": (200, 302, 302, 302)},
    "account_signup": {"GET": (200, 302, 302, 302), "POST": (200, 302, 302, 302)},
    "account_logout": {"GET": (302, 200, 200, 200), "POST": (302, 302, 302, 302)},
    "account_inactive": {"GET": (200, 200, 200, 200), "POST": (405, 405, 405, 405)},
    "account_reset_password": {"GET": (200, 200, 200, 200), "POST": (302, 302, 302, 302)},
    "account_reset_password_done": {"GET": (200, 200, 200, 200), "POST": (405, 405, 405, 405)},
    # With a key that is not one: a "bad link" page, and nothing to confirm.
    "account_reset_password_from_key": {"GET": (200,) * 4, "POST": (200,) * 4},
    "account_reset_password_from_key_done": {"GET": (200,) * 4, "POST": (405,) * 4},
    "account_email_verification_sent": {"GET": (200,) * 4, "POST": (405,) * 4},
    "account_confirm_email": {"GET": (200,) * 4, "POST": (404,) * 4},
    "account_confirm_login_code": {"GET": (L, 302, 302, 302), "POST": (L, 302, 302, 302)},
    # allauth's account pages need a signed-in member.
    "account_email": {"GET": (L, 200, 200, 200), "POST": (L, 302, 302, 302)},
    "account_change_password": {"GET": (L, 200, 200, 200), "POST": (L, 200, 200, 200)},
    "account_set_password": {"GET": (L, 302, 302, 302), "POST": (L, 302, 302, 302)},
    "account_reauthenticate": {"GET": (L, 200, 200, 200), "POST": (L, 200, 200, 200)},
    # --- the admin: staff only, every page of it (its own sign-in and sign-out aside) ---
    # The admin signs in through allauth's page (rate limited); signed-in non-staff are refused.
    "admin:login": {"GET": (L, 403, 403, 302), "POST": (L, 403, 403, 200)},
    "admin:logout": {"GET": (302, 302, 302, 405), "POST": (302, 302, 302, 200)},
    "admin:*": STAFF_ONLY,
}
STAFF_ONLY_ROLES = (A, A, A, STAFF_ONLY)
# Requests whose writes are the point (the URL's token is the credential, or the visitor
# asks for a reset email); any other public request must not write.
PUBLIC_WRITES = {
    ("unsubscribe", "POST"),
    ("account_reset_password", "POST"),
    ("notification_unsubscribe", "POST"),  # discussion (#15)
}


def expectations(key: str) -> dict[str, tuple]:
    if key in MATRIX:
        entry = MATRIX[key]
        assert isinstance(entry, dict)
        return entry
    pattern = next(p for p in MATRIX if "*" in p and fnmatch.fnmatchcase(key, p))
    assert MATRIX[pattern] == STAFF_ONLY
    return {"GET": STAFF_ONLY_ROLES, "POST": STAFF_ONLY_ROLES}


def _covered(key: str) -> bool:
    return key in MATRIX or any("*" in p and fnmatch.fnmatchcase(key, p) for p in MATRIX)


ROUTES = {route.key: route for route in all_routes()}
NAMED = sorted(key for key in ROUTES if not key.startswith("admin:"))
ADMIN = sorted(key for key in ROUTES if key.startswith("admin:"))


def test_every_url_has_a_matrix_entry():
    missing = sorted(key for key in ROUTES if not _covered(key))
    assert missing == [], f"URLs without a permission matrix entry: {missing}"
    stale = sorted(k for k in MATRIX if "*" not in k and k not in ROUTES)
    assert stale == [], f"matrix entries for URLs that no longer exist: {stale}"
    assert len(ADMIN) > 100  # the wildcard really covers the admin's pages


def _snapshot() -> dict[str, list]:
    """Every row of the app's data (sessions and last sign-in times aside)."""
    rows = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label in ("sessions", "contenttypes") or meta.proxy or not meta.managed:
            continue
        if meta.label == "seminar.DataVersion":  # bookkeeping: a read fires pending bumps
            continue
        fields = [f.attname for f in meta.concrete_fields if f.attname != "last_login"]
        rows[meta.label] = list(model._default_manager.order_by("pk").values_list(*fields))
    return rows


def _matches(expected, outcome: Outcome) -> bool:
    location = outcome.location
    if expected == L:
        return outcome.status == 302 and location.startswith("/accounts/login/")
    if expected == A:
        return outcome.status == 302 and location.startswith("/admin/login/?next=")
    if expected == STAFF_ONLY:
        return outcome.status < 500 and not location.startswith(SIGN_IN_PAGES)
    if expected == 302:
        return outcome.status == 302 and not location.startswith(SIGN_IN_PAGES)
    return outcome.status == expected


def _describe(outcome: Outcome) -> str:
    return f"{outcome.status}" + (f" -> {outcome.location}" if outcome.location else "")


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # "Fetch from arXiv" asks the API: point it at an address the outbound guard refuses
    # without connecting, so no request leaves the machine (the page answers "unavailable").
    settings.ARXIV_API_URL = "http://127.0.0.1:9/api/query"
    settings.ARXIV_MIN_INTERVAL = 0
    (tmp_path / MEDIA_FILE).parent.mkdir(parents=True)
    (tmp_path / MEDIA_FILE).write_bytes(b"\x89PNG owner's image")
    (tmp_path / SLIDES_FILE).parent.mkdir(parents=True)
    (tmp_path / SLIDES_FILE).write_bytes(b"%PDF-1.4\n%the presenter's slides\n%%EOF\n")
    return build_world()


@pytest.fixture
def clients(world):
    return clients_for(world)


def _check(
    clients, world, keys, methods=("GET", "POST"), snapshots=True, skip=(), roles=ROLES
) -> list[str]:
    problems = []
    before = _snapshot() if snapshots else None
    for key in keys:
        route = ROUTES[key]
        for method in methods:
            for role, expected in zip(ROLES, expectations(key)[method], strict=True):
                if role not in roles or (key, method, role) in skip:
                    continue
                refused = expected in REFUSED or (
                    role == "anonymous" and (key, method) not in PUBLIC_WRITES
                )
                inspect = _snapshot if snapshots and refused else None
                outcome = request(clients, world, route, role, method, inspect=inspect)
                where = f"{method} {key} as {role}"
                if not _matches(expected, outcome):
                    problems.append(f"{where}: expected {expected}, got {_describe(outcome)}")
                if refused and outcome.writes:
                    problems.append(f"{where} wrote to the database: {outcome.writes[:3]}")
                if inspect is not None and outcome.inspected != before:
                    problems.append(f"{where} changed the data")
    return problems


@pytest.mark.parametrize("key", NAMED)
def test_access_matrix(clients, world, key):
    assert _check(clients, world, [key]) == []


def test_the_admin_refuses_everyone_but_staff(clients, world):
    refused = ("anonymous", "owner", "other")
    assert _check(clients, world, ADMIN, snapshots=False, roles=refused) == []


def test_staff_reach_every_admin_page(clients, world):
    """Organizers are staff: no admin page sends them to sign in or fails. (GET only: their
    POSTs to the admin are the admin's own business, and re-render its forms.)"""
    problems = _check(clients, world, ADMIN, methods=("GET",), roles=("organizer",))
    problems += _check(
        clients, world, ["admin:login", "admin:logout"], methods=("POST",), roles=("organizer",)
    )
    assert problems == []


def test_the_assignment_log_cannot_be_written_by_hand_in_the_admin(clients, world):
    """Every field of it is read-only: adding a row is refused (it used to save an empty row
    and crash with a 500)."""
    route = ROUTES["admin:seminar_assignmentchange_add"]
    for method in ("GET", "POST"):
        outcome = request(clients, world, route, "organizer", method)
        assert (outcome.status, outcome.writes) == (403, [])


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_other_methods_never_write_or_fail(clients, world, method):
    problems = []
    for key in NAMED:
        for role in ROLES:
            outcome = request(clients, world, ROUTES[key], role, method)
            if outcome.status >= 500 or outcome.writes:
                problems.append(f"{method} {key} as {role}: {outcome.status} {outcome.writes}")
    assert problems == []


def test_the_owners_draft_stays_private_and_unchanged(clients, world):
    """The data behind the matrix: nobody but its author reads or changes the draft."""
    from tests.hardening.matrix_world import DRAFT_TEXT

    for key in ("week_detail", "week_export", "home", "review_edit"):
        for role in ("other", "organizer"):
            outcome = request(clients, world, ROUTES[key], role, "GET")
            shown = DRAFT_TEXT.encode() in outcome.body
            assert shown == (key == "review_edit" and role == "organizer"), (key, role)
    for role in ("anonymous", "other"):
        for key in ("review_edit", "review_autosave", "slot_release"):
            request(clients, world, ROUTES[key], role, "POST")
    world.slot.refresh_from_db()
    assert world.slot.reviewer == world.owner
    assert [s.body for s in world.review.sections.all()] == [DRAFT_TEXT]


@pytest.mark.parametrize(
    ("key", "path", "status"),
    [
        ("unsubscribe", "/unsubscribe/{token}x/", 400),  # a signature that does not match
        ("member_calendar", "/calendar/not-the-token.ics", 404),
        ("group_calendar", "/calendar/not-the-token/group.ics", 404),
        ("accept_invitation", "/invite/not-an-invitation/", 404),
    ],
)
def test_public_urls_refuse_a_wrong_token_and_change_nothing(clients, world, key, path, status):
    """The public URLs' credential is their token; without the right one they give nothing."""
    from tests.hardening.urls import Route

    route = Route(key=key, route=path.format(token=world.unsubscribe_token)[1:], namespace="")
    for method in ("GET",) if key.endswith("calendar") else ("GET", "POST"):
        outcome = request(clients, world, route, "anonymous", method)
        assert (outcome.status, outcome.writes) == (status, []), method
        assert b"owner@example.com" not in outcome.body
