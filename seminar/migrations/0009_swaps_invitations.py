# Slot offers (swaps and substitutes), same-week conflict policy, invitation resend/revoke (#13).
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import seminar.models.programme


class Migration(migrations.Migration):
    dependencies = [("seminar", "0008_terms_in_app")]

    operations = [
        migrations.AddField(
            model_name="assignmentchange",
            name="reason",
            field=models.CharField(
                blank=True,
                choices=[("", "Assigned"), ("swap", "Swap")],
                default="",
                max_length=10,
                verbose_name="reason",
            ),
        ),
        migrations.AddField(
            model_name="invitation",
            name="revoked_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="revoked"),
        ),
        migrations.AddField(
            model_name="invitation",
            name="sent_count",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="emails sent"),
        ),
        migrations.AddField(
            model_name="week",
            name="same_week_policy",
            field=models.CharField(
                choices=[
                    ("refuse", "Refuse reviewing in a week one presents"),
                    ("warn", "Allow it with a warning"),
                ],
                default=seminar.models.programme.default_same_week_policy,
                max_length=10,
                verbose_name="presenting and reviewing in one week",
            ),
        ),
        migrations.AddField(
            model_name="week",
            name="swap_policy",
            field=models.CharField(
                choices=[
                    ("open", "Any member may take an offered role"),
                    ("approve", "An organizer approves each taking"),
                ],
                default=seminar.models.programme.default_swap_policy,
                max_length=10,
                verbose_name="swaps",
            ),
        ),
        migrations.CreateModel(
            name="SlotOffer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[("presenter", "Presenter"), ("reviewer", "Reviewer")],
                        max_length=10,
                        verbose_name="role",
                    ),
                ),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="note")),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="offered at"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "Open"),
                            ("pending", "Waiting for an organizer"),
                            ("taken", "Taken"),
                            ("withdrawn", "Withdrawn"),
                            ("declined", "Declined"),
                        ],
                        default="open",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("taken_at", models.DateTimeField(blank=True, null=True, verbose_name="taken at")),
                (
                    "decided_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="decided at"),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="decided by",
                    ),
                ),
                (
                    "offered_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="slot_offers",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="offered by",
                    ),
                ),
                (
                    "slot",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="offers",
                        to="seminar.reviewerslot",
                        verbose_name="reviewer slot",
                    ),
                ),
                (
                    "taker",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="taken by",
                    ),
                ),
                (
                    "topic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="offers",
                        to="seminar.topic",
                        verbose_name="topic",
                    ),
                ),
            ],
            options={
                "verbose_name": "slot offer",
                "verbose_name_plural": "slot offers",
                "ordering": ["-created_at"],
                "indexes": [
                    models.Index(
                        fields=["status", "-created_at"], name="seminar_slo_status_5e30fc_idx"
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("role", "reviewer"), ("slot__isnull", False)),
                            models.Q(("role", "presenter"), ("slot__isnull", True)),
                            _connector="OR",
                        ),
                        name="slot_offer_role_matches_slot",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(
                            ("slot__isnull", False), ("status__in", ["open", "pending"])
                        ),
                        fields=("slot",),
                        name="one_live_offer_per_slot",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(
                            ("role", "presenter"), ("status__in", ["open", "pending"])
                        ),
                        fields=("topic",),
                        name="one_live_offer_per_presenter_role",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("taker__isnull", True),
                            models.Q(("taker", models.F("offered_by")), _negated=True),
                            _connector="OR",
                        ),
                        name="slot_offer_not_taken_by_its_holder",
                    ),
                ],
            },
        ),
    ]
