"""The group's repository, both ways: week pages published when a week changes, edits made in
the repository noticed and offered back, and the whole archive imported once.

The database is the record of what is owed: a week that changed gets a `PendingPublication`
row (in the transaction that noted it) which stays until a push succeeded; a worker that
finds the repository unreachable leaves it there with the error and a time to try again, and
the scheduled `integrations.sync_repositories` picks up whatever is due.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reviews import weekpage
from reviews.pages import export_week, http_link
from reviews.selectors import weeks_with_content
from seminar.integrations import paths, receivers
from seminar.integrations.git import (
    GitError,
    GitRefused,
    Remote,
    Workspace,
    write_and_push,
)
from seminar.lib.urls import absolute_url
from seminar.meetings import local_date
from seminar.models import (
    IncomingChange,
    PendingPublication,
    PublishedPage,
    RepositoryConnection,
    User,
    Week,
)
from seminar.models.integrations import INDEX_END, INDEX_START
from seminar.scheduling import brief as briefs

MAX_BACKOFF = timedelta(hours=6)


# --- settings -------------------------------------------------------------------------------


def allow_local_repositories() -> bool:
    return bool(getattr(settings, "INTEGRATIONS_ALLOW_LOCAL_REPOSITORIES", False))


def secret_env_prefix() -> str:
    return getattr(settings, "INTEGRATIONS_SECRET_ENV_PREFIX", "SEMINAR_SECRET_")


def check_secret_env_name(name: str) -> str:
    """Only variables made for this (`SEMINAR_SECRET_…`): otherwise an organizer could send
    the server's SECRET_KEY or DATABASE_URL as a "token" to a host of their choosing."""
    prefix = secret_env_prefix()
    if not name.startswith(prefix) or not name.replace("_", "").isalnum() or not name.isupper():
        raise ValidationError(
            _("The variable's name must start with %(prefix)s (capitals, digits and _).")
            % {"prefix": prefix},
            code="secret_env",
        )
    return name


def remote_for(connection: RepositoryConnection) -> Remote:
    secret = connection.secret
    if connection.secret_source == RepositoryConnection.SecretSource.ENV:
        name = connection.secret_env
        try:
            secret = os.environ.get(check_secret_env_name(name), "") if name else ""
        except ValidationError as exc:
            raise GitRefused(" ".join(exc.messages)) from exc
    return Remote(
        url=connection.url,
        branch=connection.branch,
        auth=connection.auth,
        secret=secret if connection.auth != RepositoryConnection.Auth.NONE else "",
        known_hosts=connection.ssh_known_hosts,
        allow_file=allow_local_repositories(),
        allowed_networks=tuple(getattr(settings, "OUTBOUND_ALLOWED_NETWORKS", ()) or ()),
        timeout=float(getattr(settings, "INTEGRATIONS_GIT_TIMEOUT", 60)),
        author_name=getattr(settings, "INTEGRATIONS_GIT_AUTHOR_NAME", "Seminar"),
        author_email=getattr(settings, "INTEGRATIONS_GIT_AUTHOR_EMAIL", "seminar@localhost"),
    )


def _group_language():
    return translation.override(settings.LANGUAGE_CODE)


# --- what a week is in the repository -----------------------------------------------------


def page_path(connection: RepositoryConnection, week: Week) -> str:
    return paths.render(
        connection.path_template,
        term=week.term.name,
        number=week.number,
        day=local_date(week.starts_at),
    )


def week_brief(week: Week) -> briefs.Brief:
    return briefs.brief_for(week, url=absolute_url(week.get_absolute_url()))


def index_text(connection: RepositoryConnection, current: str, weeks: list[Week]) -> str:
    rows = [
        (week_brief(w), paths.relative_link(connection.index_path, page_path(connection, w)))
        for w in sorted(weeks, key=lambda w: w.starts_at)
    ]
    return briefs.replace_between_markers(
        current,
        briefs.index_table(rows),
        start=INDEX_START,
        end=INDEX_END,
        title=_("Seminar weeks"),
    )


# --- noting changes -------------------------------------------------------------------------


@transaction.atomic
def note_week_changed(
    *, week_id: int, reason: str, member_id: int | None = None, release: bool = False
) -> list[int]:
    """Record that the week's page is owed to every enabled repository; return the
    connections to publish to (the caller enqueues them once this commits).

    `release` lets a held publication go (the organizer chose "keep the app's version").
    """
    connection_ids = list(
        RepositoryConnection.objects.filter(enabled=True).values_list("pk", flat=True)
    )
    if not connection_ids or not Week.objects.filter(pk=week_id).exists():
        return []
    for connection_id in connection_ids:
        pending, created = PendingPublication.objects.select_for_update().get_or_create(
            connection_id=connection_id,
            week_id=week_id,
            defaults={"reasons": [reason], "co_author_ids": [member_id] if member_id else []},
        )
        if created:
            continue
        if reason not in pending.reasons:
            pending.reasons = [*pending.reasons, reason][-20:]
        if member_id and member_id not in pending.co_author_ids:
            pending.co_author_ids = [*pending.co_author_ids, member_id]
        pending.revision += 1
        pending.next_attempt_at = timezone.now()
        if release:
            pending.state = PendingPublication.State.PENDING
        pending.save()
    return connection_ids


def _co_author_lines(connection: RepositoryConnection, member_ids: list[int]) -> list[str]:
    domain = getattr(settings, "INTEGRATIONS_NOREPLY_DOMAIN", "users.noreply.seminar.invalid")
    lines = []
    for member in User.objects.filter(pk__in=member_ids).order_by("pk"):
        name = "".join(c for c in member.display_name if c not in "<>\n\r") or "member"
        if connection.co_authors == RepositoryConnection.CoAuthors.EMAIL and member.email:
            email = member.email
        else:
            email = f"member-{member.pk}@{domain}"
        lines.append(f"Co-authored-by: {name} <{email}>")
    return lines


def commit_message(
    connection: RepositoryConnection, week: Week, pending: PendingPublication
) -> str:
    reasons = [" ".join(r.split()) for r in pending.reasons if r.strip()] or [_("week updated")]
    title = _("%(term)s · week %(number)d") % {"term": week.term.name, "number": week.number}
    subject = f"{title}: {reasons[0]}"
    body = [subject, ""]
    if len(reasons) > 1:
        body += [f"- {r}" for r in reasons] + [""]
    body += _co_author_lines(connection, pending.co_author_ids)
    return "\n".join(body).rstrip() + "\n"


# --- publishing -----------------------------------------------------------------------------


@dataclass
class PublishResult:
    outcome: str  # published | unchanged | held | nothing | failed
    retry_in: int | None = None
    commit: str | None = None
    attempts: int = 0
    error: str = ""


class _Diverged(Exception):
    def __init__(self, text: str, sha: str) -> None:
        super().__init__("diverged")
        self.text, self.sha = text, sha


def _backoff(attempts: int) -> int:
    return int(min(60 * 2 ** max(attempts - 1, 0), MAX_BACKOFF.total_seconds()))


def _record_failure(
    connection: RepositoryConnection, pending: PendingPublication | None, error: GitError
) -> int:
    now = timezone.now()
    message = str(error) or type(error).__name__
    delay = _backoff((pending.attempts if pending else 0) + 1)
    if isinstance(error, GitRefused):
        delay = int(MAX_BACKOFF.total_seconds())  # the settings must change first
    if pending is not None:
        PendingPublication.objects.filter(pk=pending.pk).update(
            attempts=pending.attempts + 1,
            last_error=message,
            next_attempt_at=now + timedelta(seconds=delay),
        )
    RepositoryConnection.objects.filter(pk=connection.pk).update(
        last_error=message, last_error_at=now
    )
    return delay


def _record_divergence(
    connection: RepositoryConnection, week: Week, path: str, base: str, text: str, sha: str
) -> None:
    with transaction.atomic():
        change = (
            IncomingChange.objects.select_for_update()
            .filter(connection=connection, week=week, status=IncomingChange.Status.OPEN)
            .first()
        )
        if change is None:
            IncomingChange.objects.create(
                connection=connection,
                week=week,
                path=path,
                base_text=base,
                remote_text=text,
                remote_blob_sha=sha,
            )
        elif change.remote_blob_sha != sha:
            change.remote_text, change.remote_blob_sha, change.path = text, sha, path
            change.problem, change.detected_at = "", timezone.now()
            change.save()


def publish_week(*, connection_id: int, week_id: int) -> PublishResult:
    """Commit the week's page (byte-equal to `export_week`) and the index, and push.

    A page edited in the repository since the app last published it is not overwritten: the
    publication is held and the edit is offered to organizers (`IncomingChange`)."""
    connection = RepositoryConnection.objects.filter(pk=connection_id).first()
    pending = PendingPublication.objects.filter(
        connection_id=connection_id, week_id=week_id
    ).first()
    if connection is None or pending is None:
        return PublishResult("nothing")
    if pending.state == PendingPublication.State.HELD:
        return PublishResult("held")
    week = weeks_with_content().filter(pk=week_id).first()
    if week is None:
        pending.delete()
        return PublishResult("nothing")
    with _group_language():
        return _publish(connection, week, pending)


def _publish(
    connection: RepositoryConnection, week: Week, pending: PendingPublication
) -> PublishResult:
    text = export_week(week)
    published = PublishedPage.objects.filter(connection=connection, week=week).first()
    try:
        path = page_path(connection, week)
    except paths.PathError as exc:
        error = GitRefused(_("The page's path is not allowed: %(reason)s") % {"reason": exc})
        _record_failure(connection, pending, error)
        return PublishResult("failed", error=str(error))
    listed = list(
        weeks_with_content().filter(published_pages__connection=connection).exclude(pk=week.pk)
    )
    message = commit_message(connection, week, pending)

    def make_files(workspace: Workspace) -> dict[str, str]:
        remote = workspace.read(path)
        remote_sha = remote[1] if remote else ""
        known_sha = published.blob_sha if published and published.path == path else None
        if remote is not None and remote[0] == text:
            pass  # already what the app would write
        elif known_sha is None and remote is not None:
            raise _Diverged(remote[0], remote_sha)  # a page the app never wrote is there
        elif known_sha is not None and remote_sha != known_sha:
            raise _Diverged(remote[0] if remote else "", remote_sha)
        files = {path: text}
        if connection.index_path:
            current = workspace.read(connection.index_path)
            files[connection.index_path] = index_text(
                connection, current[0] if current else "", [*listed, week]
            )
        return files

    try:
        with Workspace(remote_for(connection)) as workspace:
            workspace.fetch()
            result = write_and_push(workspace, make_files=make_files, message=message)
    except _Diverged as diverged:
        base = published.text if published else ""
        _record_divergence(connection, week, path, base, diverged.text, diverged.sha)
        PendingPublication.objects.filter(pk=pending.pk).update(
            state=PendingPublication.State.HELD,
            last_error=_("The page was edited in the repository; review the changes first."),
        )
        return PublishResult("held")
    except GitError as error:
        delay = _record_failure(connection, pending, error)
        return PublishResult("failed", retry_in=delay, error=str(error))

    now = timezone.now()
    with transaction.atomic():
        PublishedPage.objects.update_or_create(
            connection=connection,
            week=week,
            defaults={
                "path": path,
                "blob_sha": result.blobs[path],
                "text": text,
                "commit_sha": result.commit or (published.commit_sha if published else ""),
                "published_at": now,
            },
        )
        # A change noted while this ran has its own task; this row is done only if not.
        done = PendingPublication.objects.filter(pk=pending.pk, revision=pending.revision)
        if not done.delete()[0]:
            PendingPublication.objects.filter(pk=pending.pk).update(attempts=0, last_error="")
        RepositoryConnection.objects.filter(pk=connection.pk).update(
            last_pushed_at=now, last_error="", last_error_at=None
        )
    return PublishResult(
        "published" if result.commit else "unchanged",
        commit=result.commit,
        attempts=result.attempts,
    )


def due_publications(now: datetime | None = None) -> list[tuple[int, int]]:
    """(connection, week) of every publication whose time to try has come."""
    now = now or timezone.now()
    return list(
        PendingPublication.objects.filter(
            state=PendingPublication.State.PENDING,
            next_attempt_at__lte=now,
            connection__enabled=True,
        ).values_list("connection_id", "week_id")
    )


# --- and back: edits made in the repository ---------------------------------------------


def check_repository(*, connection_id: int) -> list[IncomingChange]:
    """Fetch the repository and compare every page the app published with what is there
    now; an edit becomes (or updates) an open `IncomingChange`. Returns the open ones."""
    connection = RepositoryConnection.objects.filter(pk=connection_id).first()
    if connection is None:
        return []
    pages = list(PublishedPage.objects.filter(connection=connection).select_related("week"))
    try:
        with Workspace(remote_for(connection)) as workspace:
            workspace.fetch()
            found = {}
            for page in pages:
                try:
                    found[page.pk] = workspace.read(page.path)
                except GitRefused as exc:
                    found[page.pk] = (f"({exc})", "refused")
    except GitError as error:
        _record_failure(connection, None, error)
        return []
    for page in pages:
        remote = found[page.pk]
        sha = remote[1] if remote else ""
        if sha == page.blob_sha:
            # The edit was undone in the repository: nothing to review, nothing to hold.
            undone = IncomingChange.objects.filter(
                connection=connection, week=page.week, status=IncomingChange.Status.OPEN
            ).update(status=IncomingChange.Status.SUPERSEDED, resolved_at=timezone.now())
            if undone:
                PendingPublication.objects.filter(
                    connection=connection, week=page.week, state=PendingPublication.State.HELD
                ).update(state=PendingPublication.State.PENDING, next_attempt_at=timezone.now())
            continue
        _record_divergence(
            connection, page.week, page.path, page.text, remote[0] if remote else "", sha
        )
    RepositoryConnection.objects.filter(pk=connection.pk).update(last_fetched_at=timezone.now())
    return list(
        IncomingChange.objects.filter(connection=connection, status=IncomingChange.Status.OPEN)
    )


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "add" | "del" | "ctx" | "hunk"
    text: str


def diff_lines(change: IncomingChange) -> list[DiffLine]:
    """The app's last published page against the repository's, as unified diff lines (the
    template escapes them)."""
    lines = []
    for line in difflib.unified_diff(
        change.base_text.splitlines(),
        change.remote_text.splitlines(),
        fromfile=_("published by the app"),
        tofile=_("in the repository"),
        lineterm="",
        n=3,
    ):
        if line.startswith(("---", "+++")):
            continue
        kind = {"@": "hunk", "+": "add", "-": "del"}.get(line[:1], "ctx")
        lines.append(DiffLine(kind, line))
    return lines


def page_problems(page: weekpage.WeekPage, week: Week) -> list[str]:
    problems = list(page.problems)
    if page.number is not None and page.number != week.number:
        problems.append(
            _("The page is week %(page)d, but this is week %(week)d.")
            % {"page": page.number, "week": week.number}
        )
    return problems


def apply_page(*, week: Week, page: weekpage.WeekPage) -> None:
    """Make the week what the page says: topics (by number), presenters, slots, reviewers
    (matched by display name) and review sections. Reviews are never deleted by a page: an
    empty slot on the page leaves a review the app has alone. Raises ValidationError (and the
    caller's transaction undoes everything) when the page would delete a topic or slot that
    holds reviews."""
    from reviews.models import Review
    from reviews.pages import find_or_create_member
    from reviews.services import replace_sections
    from seminar.models import ReviewerSlot, Topic

    people: dict[str, User] = {}

    def person(name: str | None) -> User | None:
        return find_or_create_member(name=name, cache=people) if name else None

    week.recording_url = http_link(page.recording)
    week.save(update_fields=["recording_url"])
    topics = {t.order: t for t in Topic.objects.select_for_update().filter(week=week)}
    on_page = {t.number for t in page.topics}
    for order, topic in topics.items():
        if order not in on_page:
            if Review.objects.filter(slot__topic=topic).exists():
                raise ValidationError(
                    _("Topic %(number)d has reviews but is not on the page.") % {"number": order},
                    code="would_delete",
                )
            topic.delete()
    now = timezone.now()
    for topic_page in page.topics:
        topic = topics.get(topic_page.number)
        if topic is None:
            topic = Topic.objects.create(week=week, order=topic_page.number, title=topic_page.title)
        topic.title = topic_page.title[:500]
        topic.presenter = person(topic_page.presenter)
        if not topic.slides_file:
            topic.slides_url = http_link(topic_page.slides)
        topic.code_url = http_link(topic_page.code)
        topic.save()
        slots = {s.number: s for s in ReviewerSlot.objects.filter(topic=topic)}
        slot_numbers = {s.number for s in topic_page.slots}
        for number, slot in slots.items():
            if number not in slot_numbers:
                if Review.objects.filter(slot=slot).exists():
                    raise ValidationError(
                        _("Slot %(slot)d of topic %(topic)d has a review but is not on the page.")
                        % {"slot": number, "topic": topic_page.number},
                        code="would_delete",
                    )
                slot.delete()
        # Clear reviewers first so two reviewers trading slots do not collide.
        ReviewerSlot.objects.filter(topic=topic).update(reviewer=None)
        for slot_page in topic_page.slots:
            reviewer = person(slot_page.reviewer)
            slot = slots.get(slot_page.number)
            if slot is None or slot.pk is None:
                slot = ReviewerSlot.objects.create(topic=topic, number=slot_page.number)
            slot.reviewer = reviewer
            slot.save(update_fields=["reviewer"])
            if not slot_page.sections:
                continue
            review = Review.objects.filter(slot=slot).first()
            if review is None:
                review = Review.objects.create(
                    slot=slot,
                    author=reviewer,
                    status=Review.Status.SUBMITTED,
                    submitted_at=min(now, week.review_deadline),
                )
            elif not review.is_submitted:
                review.status = Review.Status.SUBMITTED
                review.submitted_at = now
                review.save()
            current = [(s.heading, s.body) for s in review.sections.order_by("order")]
            if current != [(s.heading, s.body) for s in slot_page.sections]:
                replace_sections(review=review, sections=slot_page.sections)


def import_incoming_change(*, change: IncomingChange, actor: User) -> list[int]:
    """Import the repository's version of the page into the week (all or nothing). A page
    that does not read cleanly is refused with the reasons, stored on the change, and
    nothing changes. Returns the connections to publish to (the normalized page)."""
    if change.status != IncomingChange.Status.OPEN:
        raise ValidationError(_("This change was already dealt with."), code="resolved")
    if not change.remote_blob_sha:
        problems = [_("The page was deleted in the repository; there is nothing to import.")]
    else:
        page = weekpage.parse_week_page(change.remote_text)
        problems = page_problems(page, change.week)
    if not problems:
        try:
            with transaction.atomic(), receivers.quietly():
                week = Week.objects.select_for_update().get(pk=change.week_id)
                apply_page(week=week, page=page)
                PublishedPage.objects.filter(
                    connection_id=change.connection_id, week_id=change.week_id
                ).update(blob_sha=change.remote_blob_sha, text=change.remote_text)
                IncomingChange.objects.filter(pk=change.pk).update(
                    status=IncomingChange.Status.IMPORTED,
                    problem="",
                    resolved_at=timezone.now(),
                    resolved_by=actor,
                )
                PendingPublication.objects.filter(
                    connection_id=change.connection_id, week_id=change.week_id
                ).update(state=PendingPublication.State.PENDING)
        except ValidationError as error:
            problems = list(error.messages)
        except IntegrityError as error:
            problems = [_("The page could not be applied: %(error)s") % {"error": error}]
    if problems:
        IncomingChange.objects.filter(pk=change.pk).update(problem="\n".join(problems))
        raise ValidationError(problems, code="unreadable")
    with _group_language():
        reason = _("changes made in the repository imported")
    return note_week_changed(week_id=change.week_id, reason=reason, member_id=actor.pk)


def keep_app_version(*, change: IncomingChange, actor: User) -> list[int]:
    """Publish the app's page over the repository's edit (which stays in git's history)."""
    with transaction.atomic():
        locked = IncomingChange.objects.select_for_update().get(pk=change.pk)
        if locked.status != IncomingChange.Status.OPEN:
            raise ValidationError(_("This change was already dealt with."), code="resolved")
        page, _created = PublishedPage.objects.get_or_create(
            connection_id=change.connection_id,
            week_id=change.week_id,
            defaults={"path": change.path, "blob_sha": change.remote_blob_sha, "text": ""},
        )
        page.blob_sha, page.path = change.remote_blob_sha, change.path
        page.save(update_fields=["blob_sha", "path"])
        locked.status = IncomingChange.Status.KEPT
        locked.resolved_at, locked.resolved_by = timezone.now(), actor
        locked.save()
        with _group_language():
            reason = _("the app's version kept over an edit in the repository")
        return note_week_changed(
            week_id=change.week_id, reason=reason, member_id=actor.pk, release=True
        )


# --- the archive: every page of the repository, imported once --------------------------


@dataclass
class PlannedWeek:
    path: str
    term: str
    term_exists: bool
    number: int
    day: datetime
    topics: int
    reviews: int
    blob_sha: str
    text: str
    skip: str = ""  # why it will not be imported; "" when it will


@dataclass
class ArchivePlan:
    weeks: list[PlannedWeek] = field(default_factory=list)
    error: str = ""

    @property
    def importable(self) -> list[PlannedWeek]:
        return [w for w in self.weeks if not w.skip]


def archive_plan(*, connection: RepositoryConnection) -> ArchivePlan:
    """What "import the whole archive" would create, without creating anything: every page
    whose path fits the template, in date order (the path's {date}, else when the file first
    appeared in the history), its term (from {term}, else the year) and number (from
    {number}, else the page's header, else the next in its term)."""
    from django.db.models import Max

    from seminar.meetings import MEETING_TIME, group_zone
    from seminar.models import Term

    plan = ArchivePlan()
    try:
        with Workspace(remote_for(connection)) as workspace:
            workspace.fetch(depth=None)
            added = workspace.first_added()
            candidates = []
            for path, sha in workspace.files():
                matched = paths.match(connection.path_template, path)
                if matched is None or path == connection.index_path:
                    continue
                when = matched.day
                if when is None and path in added:
                    when = local_date(datetime.fromtimestamp(added[path], tz=UTC))
                candidates.append((when, path, sha, matched, workspace.read_blob(sha)))
    except GitError as error:
        plan.error = str(error)
        return plan
    terms = {paths.term_slug(t.name): t for t in Term.objects.all()}
    next_number: dict[str, int] = {}
    taken: set[tuple[str, int]] = set()
    candidates.sort(key=lambda c: (c[0] is None, c[0] or datetime.min.date(), c[1]))
    for when, path, sha, matched, text in candidates:
        page = weekpage.parse_week_page(text)
        day = when or timezone.localdate()
        term_name = matched.term or str(day.year)
        existing = terms.get(paths.term_slug(term_name))
        if existing is not None:
            term_name = existing.name
            if term_name not in next_number:
                last = existing.weeks.aggregate(n=Max("number"))["n"] or 0
                next_number[term_name] = last + 1
        number = matched.number or page.number or next_number.get(term_name, 1)
        next_number[term_name] = max(next_number.get(term_name, 1), number + 1)
        starts = datetime.combine(day, MEETING_TIME, tzinfo=group_zone())
        planned = PlannedWeek(
            path=path,
            term=term_name,
            term_exists=existing is not None,
            number=number,
            day=starts,
            topics=len(page.topics),
            reviews=sum(1 for t in page.topics for s in t.slots if s.sections),
            blob_sha=sha,
            text=text,
        )
        if not page.topics and page.number is None:
            planned.skip = _("not a week page")
        elif page.problems:
            planned.skip = _("the page does not read cleanly: %(problem)s") % {
                "problem": page.problems[0]
            }
        elif when is None:
            planned.skip = _("no date in the path or the history")
        elif (term_name, number) in taken or (
            existing is not None and existing.weeks.filter(number=number).exists()
        ):
            planned.skip = _("this week exists already")
        if not planned.skip:
            taken.add((term_name, number))
        plan.weeks.append(planned)
    return plan


@transaction.atomic
def import_archive(*, connection: RepositoryConnection) -> ArchivePlan:
    """Create the weeks of `archive_plan` (all of them or, on any error, none), with their
    terms, and remember each page as published so later edits are noticed."""
    plan = archive_plan(connection=connection)
    if plan.error:
        raise ValidationError(plan.error, code="unreachable")
    with receivers.quietly():  # the pages are in the repository already: nothing to publish
        _create_archive_weeks(connection, plan)
    return plan


def _create_archive_weeks(connection: RepositoryConnection, plan: ArchivePlan) -> None:
    from reviews.pages import import_week_page
    from seminar.meetings import DEFAULT_DEADLINE
    from seminar.models import Term

    for planned in plan.importable:
        term = Term.objects.filter(name=planned.term).first()
        if term is None:
            term = Term.objects.create(name=planned.term, starts_on=planned.day.date())
        elif term.starts_on > planned.day.date():
            term.starts_on = planned.day.date()
            term.save(update_fields=["starts_on"])
        week = import_week_page(
            page=weekpage.parse_week_page(planned.text),
            term=term,
            number=planned.number,
            starts_at=planned.day,
            review_deadline=DEFAULT_DEADLINE.deadline_for(planned.day),
        )
        PublishedPage.objects.update_or_create(
            connection=connection,
            week=week,
            defaults={"path": planned.path, "blob_sha": planned.blob_sha, "text": planned.text},
        )
