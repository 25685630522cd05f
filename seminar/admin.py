from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from seminar.models import (
    AssignmentChange,
    Invitation,
    ReminderPolicy,
    ReviewerSlot,
    SentReminder,
    Term,
    Topic,
    User,
    Week,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
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


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on"]
    search_fields = ["name"]
    inlines = [WeekInline]


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


# --- scheduling (issue 5) ---------------------------------------------------------------------

from seminar.models import Unavailability  # noqa: E402


@admin.register(Unavailability)
class UnavailabilityAdmin(admin.ModelAdmin):
    list_display = ["member", "date", "note", "created_at"]
    list_filter = ["date"]
    search_fields = ["member__name", "member__email", "note"]
    date_hierarchy = "date"
    autocomplete_fields = ["member"]
    list_select_related = ["member"]
