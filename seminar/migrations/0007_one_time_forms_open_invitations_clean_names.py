"""Double submits and display names (issue 10, findings 13 and 15).

- `FormSubmission`: one-time form tokens, unique, so a form sent twice does its work once.
- One open (not accepted) invitation per address: older duplicates made by double submits
  are deleted first (the newest, the one mailed last, is kept).
- Display names: stored names lose control and invisible characters (the rule of
  `seminar.models.normalize_display_name`, copied here so this migration never changes);
  the field refuses them from now on.
"""

import unicodedata

import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
import seminar.models
from django.conf import settings
from django.db import migrations, models

NOT_IN_NAMES = frozenset({"Cc", "Cf", "Zl", "Zp"})


def one_line_name(value):
    kept = []
    for char in value:
        category = unicodedata.category(char)
        if category != "Cf":
            kept.append(" " if category in NOT_IN_NAMES else char)
    return " ".join("".join(kept).split())


def clean_stored_names(apps, schema_editor):
    User = apps.get_model("seminar", "User")
    for pk, name in User.objects.exclude(name="").values_list("pk", "name").iterator():
        cleaned = one_line_name(name)
        if cleaned != name:
            User.objects.filter(pk=pk).update(name=cleaned)


def drop_duplicate_open_invitations(apps, schema_editor):
    Invitation = apps.get_model("seminar", "Invitation")
    seen = set()
    duplicates = []
    open_invitations = Invitation.objects.filter(accepted_at__isnull=True).order_by(
        "-created_at", "-pk"
    )
    for pk, email in open_invitations.values_list("pk", "email").iterator():
        key = email.lower()
        if key in seen:
            duplicates.append(pk)
        seen.add(key)
    Invitation.objects.filter(pk__in=duplicates).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("seminar", "0006_pending_assignment_emails_schedule"),
    ]

    operations = [
        migrations.CreateModel(
            name="FormSubmission",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.UUIDField(unique=True, verbose_name="token")),
                (
                    "kind",
                    models.CharField(
                        choices=[("add_topic", "Add a topic"), ("invitations", "Invitations")],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                (
                    "object_id",
                    models.PositiveBigIntegerField(blank=True, null=True, verbose_name="result"),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="sent"),
                ),
            ],
            options={
                "verbose_name": "form submission",
                "verbose_name_plural": "form submissions",
                "ordering": ["-created_at"],
            },
        ),
        migrations.AlterField(
            model_name="user",
            name="name",
            field=models.CharField(
                blank=True,
                help_text="As shown to the group, e.g. 박민경.",
                max_length=100,
                validators=[seminar.models.validate_display_name],
                verbose_name="display name",
            ),
        ),
        migrations.RunPython(clean_stored_names, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(
            drop_duplicate_open_invitations, migrations.RunPython.noop, elidable=True
        ),
        migrations.AddConstraint(
            model_name="invitation",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("email"),
                condition=models.Q(("accepted_at__isnull", True)),
                name="one_open_invitation_per_email",
                violation_error_message="This address already has an invitation.",
            ),
        ),
        migrations.AddField(
            model_name="formsubmission",
            name="user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="sent by",
            ),
        ),
    ]
