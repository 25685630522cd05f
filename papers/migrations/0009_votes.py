# Votes with a weekly budget and volunteers to present (#13).
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("papers", "0008_hf_api_source_and_backfill"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PaperVote",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="cast"),
                ),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="paper_votes",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "paper",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="member_votes",
                        to="papers.candidatepaper",
                    ),
                ),
            ],
            options={
                "verbose_name": "member vote",
                "verbose_name_plural": "member votes",
                "ordering": ["-created_at"],
                "indexes": [
                    models.Index(fields=["member", "created_at"], name="paper_vote_member_week")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("paper", "member"), name="one_vote_per_member_and_paper"
                    )
                ],
            },
        ),
    ]
