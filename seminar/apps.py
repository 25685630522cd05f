from __future__ import annotations

from django.apps import AppConfig, apps
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def after_migrate(sender: AppConfig, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """After every `migrate`: create the worker's missing beat schedules (seminar/beat.py),
    (re)install the data-version triggers on every table (seminar/versions.py),
    and bring the organizers group back to its allow-list, stripping the denied permissions
    (seminar/permissions.py), so existing deployments are fixed without a data migration and
    a grant made by hand in the admin does not last.

    `post_migrate` is sent once per app, and each app's permissions are created by its own
    signal; acting on the last app's signal sees every permission (papers and reviews come
    after seminar).
    """
    with_models = [c for c in apps.get_app_configs() if c.models_module is not None]
    if using != DEFAULT_DB_ALIAS or not with_models or sender is not with_models[-1]:
        return
    # Imported here: this module is loaded before the app registry can import models.
    from django.db import connections

    from seminar.beat import ensure_beat_schedules
    from seminar.services import ensure_organizers_group
    from seminar.versions import install_triggers

    ensure_organizers_group()
    ensure_beat_schedules()
    # Tables added by this migration get their data-version trigger too.
    install_triggers(connections[using])


class SeminarConfig(AppConfig):
    name = "seminar"
    verbose_name = _("Seminar")  # the admin's app header
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from seminar.reminders.receivers import send_assignment_email_on_change
        from seminar.signals import assignment_changed

        post_migrate.connect(after_migrate, dispatch_uid="seminar.after_migrate")
        assignment_changed.connect(
            send_assignment_email_on_change, dispatch_uid="seminar.reminders.assignment_email"
        )
        from seminar.integrations.receivers import connect as connect_integrations

        connect_integrations()  # publishing to the group's repository, chat channels (#16)
        from seminar.discussion.receivers import connect as connect_discussion

        connect_discussion()  # a submitted review tells the topic's presenter (#15)
        from seminar.lib import checks  # noqa: F401  (registers the deployment checks)
