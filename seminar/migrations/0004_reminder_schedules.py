"""The reminder schedules and the default policy, created once and then left to the admin.

Weekly reminders: Mondays 09:00 Asia/Seoul. Due reminders (deadline cadence, held mail after
quiet hours, retries): every 15 minutes, so a held reminder leaves within 15 minutes of 08:00.
Rows that already exist (an organizer edited them) are never touched.
"""

from django.db import migrations

WEEKLY_TASK = "Weekly reminders"
DUE_TASK = "Due reminders"


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    ReminderPolicy = apps.get_model("seminar", "ReminderPolicy")

    ReminderPolicy.objects.get_or_create(pk=1)
    if not PeriodicTask.objects.filter(name=WEEKLY_TASK).exists():
        monday_morning, _ = CrontabSchedule.objects.get_or_create(
            minute="0",
            hour="9",
            day_of_week="1",
            day_of_month="*",
            month_of_year="*",
            timezone="Asia/Seoul",
        )
        PeriodicTask.objects.create(
            name=WEEKLY_TASK,
            task="seminar.send_weekly_reminders",
            crontab=monday_morning,
            description="Reviewers, presenters and organizers of the coming week.",
        )
    if not PeriodicTask.objects.filter(name=DUE_TASK).exists():
        every_quarter, _ = CrontabSchedule.objects.get_or_create(
            minute="*/15",
            hour="*",
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone="Asia/Seoul",
        )
        PeriodicTask.objects.create(
            name=DUE_TASK,
            task="seminar.send_due_reminders",
            crontab=every_quarter,
            description="Deadline reminders, mail held over quiet hours, and retries.",
        )


def let_organizers_edit_reminders(apps, schema_editor):
    """Give an existing organizers group the new models' permissions (the reminder policy and
    log in the admin); `ensure_organizers_group` does the same for groups made later."""
    from django.contrib.auth.management import create_permissions

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="organizers").first()
    if group is None:
        return
    # Permissions are normally created after all migrations; make ours now.
    config = apps.get_app_config("seminar")
    config.models_module = True
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = None
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="seminar",
            content_type__model__in=["reminderpolicy", "sentreminder"],
        )
    )


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[WEEKLY_TASK, DUE_TASK]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("seminar", "0003_reminders"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_schedules, remove_schedules),
        migrations.RunPython(let_organizers_edit_reminders, migrations.RunPython.noop),
    ]
