# Terms in the app: defaults for their weeks, closing (#13).
import datetime

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("seminar", "0007_one_time_forms_open_invitations_clean_names")]

    operations = [
        migrations.AddField(
            model_name="term",
            name="closed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="closed"),
        ),
        migrations.AddField(
            model_name="term",
            name="deadline_days_before",
            field=models.PositiveSmallIntegerField(
                default=1, verbose_name="reviews due (days before)"
            ),
        ),
        migrations.AddField(
            model_name="term",
            name="deadline_time",
            field=models.TimeField(default=datetime.time(23, 59), verbose_name="reviews due at"),
        ),
        migrations.AddField(
            model_name="term",
            name="meeting_time",
            field=models.TimeField(default=datetime.time(19, 0), verbose_name="meeting time"),
        ),
        migrations.AddField(
            model_name="term",
            name="online_url",
            field=models.URLField(blank=True, verbose_name="online link"),
        ),
        migrations.AddField(
            model_name="term",
            name="place",
            field=models.CharField(blank=True, max_length=200, verbose_name="place"),
        ),
        migrations.AddField(
            model_name="term",
            name="weekday",
            field=models.PositiveSmallIntegerField(
                blank=True,
                choices=[
                    (0, "Monday"),
                    (1, "Tuesday"),
                    (2, "Wednesday"),
                    (3, "Thursday"),
                    (4, "Friday"),
                    (5, "Saturday"),
                    (6, "Sunday"),
                ],
                help_text="Empty: the weekday of the first day.",
                null=True,
                verbose_name="meeting day",
            ),
        ),
        migrations.AddConstraint(
            model_name="term",
            constraint=models.CheckConstraint(
                condition=models.Q(("weekday__isnull", True), ("weekday__lte", 6), _connector="OR"),
                name="term_weekday_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="term",
            constraint=models.CheckConstraint(
                condition=models.Q(("deadline_days_before__lte", 14)),
                name="term_deadline_days_sensible",
            ),
        ),
        migrations.AddConstraint(
            model_name="term",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("name"),
                name="term_name_unique_ignoring_case",
            ),
        ),
    ]
