"""What the worker runs on a schedule: one table, ensured after every `migrate`.

Each row is a django-celery-beat `PeriodicTask` (its crontab in `TIME_ZONE`). `ensure_beat
_schedules()` runs on `post_migrate`: it creates the rows that are missing and leaves every
existing one alone, so a schedule a superuser edited in the admin stays as edited. Rows are
found by their task, then by their name, which also adopts the rows the early data migrations
(papers 0004/0006, seminar 0004/0006) created. Tasks are named by string: this module imports
no feature.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone


@dataclass(frozen=True)
class BeatSchedule:
    name: str
    task: str
    minute: str
    hour: str = "*"
    day_of_week: str = "*"
    description: str = ""


SCHEDULES: tuple[BeatSchedule, ...] = (
    BeatSchedule(
        "Weekly reminders",
        "seminar.send_weekly_reminders",
        minute="0",
        hour="9",
        day_of_week="1",
        description="Reviewers, presenters and organizers of the coming week.",
    ),
    BeatSchedule(
        "Due reminders",
        "seminar.send_due_reminders",
        minute="*/15",
        description="Deadline reminders, mail held over quiet hours, and retries.",
    ),
    BeatSchedule(
        "Pending assignment emails",
        "seminar.send_pending_assignment_emails",
        minute="2-59/5",
        description="Assignment changes whose email never reached the worker.",
    ),
    BeatSchedule(
        "Poll digest sources",
        "papers.poll_all_digest_sources",
        minute="0",
        hour="7",
        description="Import new digests from every enabled digest source.",
    ),
    BeatSchedule(
        "Resume stalled digest imports",
        "papers.resume_stalled_imports",
        minute="7-59/15",
        description="Imports whose worker died: enqueue them again.",
    ),
    # Integrations (#16): the group's repository and chat channels.
    BeatSchedule(
        "Publish owed week pages",
        "integrations.sync_repositories",
        minute="4-59/10",
        description="Week pages not yet pushed (new, or waiting after a failure).",
    ),
    BeatSchedule(
        "Check repositories for edits",
        "integrations.fetch_repositories",
        minute="17,47",
        description="Week pages edited in the repository, offered to organizers.",
    ),
    BeatSchedule(
        "Weekly brief to chat",
        "integrations.send_weekly_brief",
        minute="0",
        hour="9",
        day_of_week="1",
        description="The coming week's brief to every channel that chose it.",
    ),
    BeatSchedule(
        "Deadline nudges to chat",
        "integrations.send_deadline_nudges",
        minute="10",
        description="Weeks whose reviews are due within a day and still missing some.",
    ),
    BeatSchedule(
        "Chat messages due",
        "integrations.send_due_chat",
        minute="*/5",
        description="Chat messages waiting for their retry, or whose worker died.",
    ),
    BeatSchedule(
        "Notification emails",
        "discussion.send_notification_emails",
        minute="*/10",
        description="Daily digests at each member's hour, held notification emails, retries.",
    ),
    BeatSchedule(
        "Remove orphan uploads",
        "reviews.remove_orphan_uploads",
        minute="30",
        hour="4",
        description="Images uploaded in the editor that no review uses any more.",
    ),
)


@transaction.atomic
def ensure_beat_schedules(schedules: tuple[BeatSchedule, ...] = SCHEDULES) -> list[str]:
    """Create the missing periodic tasks; return the names created."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask, PeriodicTasks

    created = []
    for schedule in schedules:
        if PeriodicTask.objects.filter(task=schedule.task).exists():
            continue
        if PeriodicTask.objects.filter(name=schedule.name).exists():
            continue
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=schedule.minute,
            hour=schedule.hour,
            day_of_week=schedule.day_of_week,
            day_of_month="*",
            month_of_year="*",
            timezone=settings.TIME_ZONE,
        )
        PeriodicTask.objects.create(
            name=schedule.name,
            task=schedule.task,
            crontab=crontab,
            description=schedule.description,
        )
        created.append(schedule.name)
    if created:
        # The beat scheduler reloads its schedule when this timestamp moves.
        PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})
    return created
