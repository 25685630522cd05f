# Materials on topics and weeks; reminders as an organizer's tool (#13).
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("seminar", "0009_swaps_invitations")]

    operations = [
        migrations.AddField(
            model_name="topic",
            name="code_url",
            field=models.URLField(blank=True, verbose_name="code"),
        ),
        migrations.AddField(
            model_name="topic",
            name="slides_file",
            field=models.CharField(blank=True, max_length=100, verbose_name="slides file"),
        ),
        migrations.AddField(
            model_name="week",
            name="recording_url",
            field=models.URLField(blank=True, verbose_name="recording"),
        ),
        migrations.CreateModel(
            name="SlidesUpload",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, unique=True, verbose_name="file")),
                ("size", models.PositiveIntegerField(verbose_name="size in bytes")),
                (
                    "created_at",
                    models.DateTimeField(
                        db_index=True,
                        default=django.utils.timezone.now,
                        verbose_name="uploaded at",
                    ),
                ),
                (
                    "removed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="removed at"),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="slides_uploads",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="uploaded by",
                    ),
                ),
                (
                    "topic",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="slides_uploads",
                        to="seminar.topic",
                        verbose_name="topic",
                    ),
                ),
            ],
            options={
                "verbose_name": "uploaded slides",
                "verbose_name_plural": "uploaded slides",
                "ordering": ["-created_at"],
            },
        ),
    ]
