"""Re-enqueue stalled digest imports every 15 minutes (editable in the admin afterwards).

An import whose worker was killed, or whose task never reached the broker, stays pending or
running; `papers.resume_stalled_imports` sends it again once it is older than the task's time
limit. At 7, 22, 37 and 52 past the hour: its own schedule row, apart from the reminders'.
"""

from django.db import migrations
from django.utils import timezone

TASK_NAME = "Resume stalled digest imports"
TASK = "papers.resume_stalled_imports"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    if PeriodicTask.objects.filter(task=TASK).exists():
        return  # an organizer's own schedule for it stays as it is
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="7-59/15",
        hour="*",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Seoul",
    )
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": TASK,
            "crontab": crontab,
            "enabled": True,
            "description": "Import again digests whose import was interrupted or never sent.",
        },
    )
    # The beat scheduler reloads its schedule when this timestamp moves.
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=TASK_NAME, task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("papers", "0005_candidate_pool"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
