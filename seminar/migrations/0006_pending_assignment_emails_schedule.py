"""Mail assignment changes whose email never reached the worker, every 5 minutes.

`seminar.send_pending_assignment_emails` finds changes still unnotified a minute after they
committed (the broker was down when they did) and sends their email. Its own schedule row, at
2, 7, 12 ... past the hour; an existing task of that name (an organizer's edit) stays as it is.
"""

from django.db import migrations
from django.utils import timezone

TASK_NAME = "Pending assignment emails"
TASK = "seminar.send_pending_assignment_emails"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    if PeriodicTask.objects.filter(task=TASK).exists():
        return
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="2-59/5",
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
            "description": "Assignment emails that could not be sent when the change was made.",
        },
    )
    # The beat scheduler reloads its schedule when this timestamp moves.
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=TASK_NAME, task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("seminar", "0005_unavailability"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
