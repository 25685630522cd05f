from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from seminar.models import (
    AssignmentChange,
    Invitation,
    ReminderPolicy,
    ReviewerSlot,
    SentReminder,
    Term,
    Topic,
    Unavailability,
    User,
    Week,
)
from seminar.permissions import organizer_model_writes_denied


class SuperuserWritesOnly:
    """For models whose writes no organizer may hold (seminar/permissions.py): only superusers
    add, change or delete, whatever permissions anyone was given, and only they run the list
    actions (celery-beat's "run tasks", allauth's "mark verified" need no permission of their
    own). Everyone else sees at most what their view permission shows."""

    def has_add_permission(self, request, *args) -> bool:
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def get_actions(self, request):
        return super().get_actions(request) if request.user.is_superuser else {}


# Fields that grant power or open a way into the account: only superusers see them.
PRIVILEGE_FIELDS = {"password", "is_staff", "is_superuser", "groups", "user_permissions"}


@admin.register(User)
class UserAdmin(SuperuserWritesOnly, DjangoUserAdmin):
    """Members are managed by superusers. Organizers (staff with view permission) look members
    up, for the admin's pickers and to answer questions; invitations, assignments and a
    member's own profile go through the app. Changing anything here is refused to them: a
    changed address or password, a group or a flag is the whole account or the whole site. The
    set-password view checks `has_change_permission`, so it answers 403 to them as well."""

    ordering = ["name", "email"]
    list_display = ["email", "name", "language", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser", "groups", "language"]
    search_fields = ["email", "name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("name", "language", "timezone")}),
        (_("Emails"), {"fields": ("email_weekly", "email_deadlines", "email_assignments")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),
    )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        trimmed = []
        for name, options in fieldsets:
            fields = tuple(f for f in options["fields"] if f not in PRIVILEGE_FIELDS)
            if fields:
                trimmed.append((name, {**options, "fields": fields}))
        return trimmed

    def get_list_filter(self, request):
        if request.user.is_superuser:
            return self.list_filter
        return [f for f in self.list_filter if f not in PRIVILEGE_FIELDS]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "invited_by", "created_at", "accepted_at"]
    search_fields = ["email"]
    list_filter = ["accepted_at"]
    readonly_fields = ["token"]


class WeekInline(admin.TabularInline):
    model = Week
    extra = 0
    fields = ["number", "starts_at", "place", "review_deadline"]
    show_change_link = True


class TermClosedFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", pgettext_lazy("term state", "open")), ("closed", _("closed"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(closed_at__isnull=True)
        if self.value() == "closed":
            return queryset.filter(closed_at__isnull=False)
        return queryset


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    """Terms are made, edited and closed on the schedule board (seminar/scheduling/terms.py);
    here for rare maintenance. Editing the defaults here changes no existing week."""

    list_display = ["name", "starts_on", "ends_on", "meeting", "place", "is_open"]
    list_filter = [TermClosedFilter]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "starts_on", "ends_on"]}),
        (
            _("Defaults of its new weeks"),
            {
                "fields": [
                    "weekday",
                    "meeting_time",
                    "place",
                    "online_url",
                    "deadline_days_before",
                    "deadline_time",
                ],
                "description": _(
                    "What weeks created from now on start with; existing weeks keep theirs. "
                    "The schedule board can also hand the changes to coming weeks."
                ),
            },
        ),
        (_("Closing"), {"fields": ["closed_at"]}),
    ]
    inlines = [WeekInline]

    @admin.display(description=_("meets"))
    def meeting(self, term: Term) -> str:
        return f"{Term.Weekday(term.meeting_weekday).label} {term.meeting_time:%H:%M}"

    @admin.display(
        description=pgettext_lazy("term state", "open"), boolean=True, ordering="closed_at"
    )
    def is_open(self, term: Term) -> bool:
        return term.closed_at is None


class TopicInline(admin.StackedInline):
    model = Topic
    extra = 0
    autocomplete_fields = ["presenter", "paper"]
    show_change_link = True


@admin.register(Week)
class WeekAdmin(admin.ModelAdmin):
    list_display = ["__str__", "starts_at", "place", "review_deadline", "late_policy"]
    list_filter = ["term", "late_policy"]
    search_fields = ["term__name", "place", "topics__title"]
    date_hierarchy = "starts_at"
    inlines = [TopicInline]


class ReviewerSlotInline(admin.TabularInline):
    model = ReviewerSlot
    extra = 0
    autocomplete_fields = ["reviewer"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["title", "week", "order", "presenter"]
    list_filter = ["week__term"]
    search_fields = ["title", "presenter__name", "presenter__email"]
    autocomplete_fields = ["presenter", "paper", "week"]
    inlines = [ReviewerSlotInline]


@admin.register(ReviewerSlot)
class ReviewerSlotAdmin(admin.ModelAdmin):
    list_display = ["__str__", "reviewer"]
    list_filter = ["topic__week__term"]
    search_fields = ["topic__title", "reviewer__name", "reviewer__email"]
    autocomplete_fields = ["reviewer", "topic"]


@admin.register(AssignmentChange)
class AssignmentChangeAdmin(admin.ModelAdmin):
    list_display = ["__str__", "actor", "created_at", "notified_at"]
    list_filter = ["role", "assigned"]
    search_fields = ["member__name", "member__email", "topic__title"]
    readonly_fields = ["topic", "member", "role", "assigned", "actor", "created_at", "notified_at"]

    def has_add_permission(self, request):
        # The log is written by the scheduling services only; a hand-made row would be a lie.
        return False


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    """One row; the weekly reminder's own time is its schedule under Periodic tasks."""

    list_display = [
        "__str__",
        "presenter_days_before",
        "reviewer_days_before",
        "reviewer_days_after",
        "quiet_hours_start",
        "quiet_hours_end",
    ]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not ReminderPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SentReminder)
class SentReminderAdmin(admin.ModelAdmin):
    """The reminder log. Read-only: a row is the proof an email went out (or why it did not)."""

    list_display = ["recipient", "kind", "week", "status", "attempts", "send_after", "sent_at"]
    list_filter = ["status", "kind", "created_at"]
    search_fields = ["recipient__email", "recipient__name", "address", "key"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient", "week__term"]
    readonly_fields = [f.name for f in SentReminder._meta.fields]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Try failed emails again now"))
    def retry_now(self, request, queryset):
        # Only rows known not to have gone out; "sending" ones might have, so they stay.
        count = queryset.filter(
            status__in=[SentReminder.Status.FAILED, SentReminder.Status.GAVE_UP]
        ).update(status=SentReminder.Status.FAILED, attempts=0, send_after=timezone.now())
        self.message_user(request, _("%(count)d email(s) will be sent again.") % {"count": count})


@admin.register(Unavailability)
class UnavailabilityAdmin(admin.ModelAdmin):
    list_display = ["member", "date", "note", "created_at"]
    list_filter = ["date"]
    search_fields = ["member__name", "member__email", "note"]
    date_hierarchy = "date"
    autocomplete_fields = ["member"]
    list_select_related = ["member"]


# --- other apps' admins of models no organizer may write (accounts, permissions, tasks) -------


def _superuser_writes_only(model) -> None:
    """Register the model's admin again with `SuperuserWritesOnly` in front of it."""
    current = type(admin.site.get_model_admin(model))
    if issubclass(current, SuperuserWritesOnly):
        return
    admin.site.unregister(model)
    admin.site.register(model, type(current.__name__, (SuperuserWritesOnly, current), {}))


# The apps before this one in INSTALLED_APPS (auth, sites, allauth, django-celery-beat) have
# registered their admins by now.
for _model in apps.get_models():
    _meta = _model._meta
    if admin.site.is_registered(_model) and organizer_model_writes_denied(
        _meta.app_label, _meta.model_name
    ):
        _superuser_writes_only(_model)
