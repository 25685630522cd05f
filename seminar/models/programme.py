"""The programme: terms, weeks, topics, reviewer slots and the history of who was assigned."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from seminar.meetings import DEFAULT_DEADLINE, MEETING_TIME, DeadlineRule


class Term(models.Model):
    """A run of weeks, e.g. "2025 가을"."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    name = models.CharField(_("name"), max_length=100, unique=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    # Terms in the app (#13, `seminar.scheduling.terms`): what its new weeks start with, and
    # closing (a closed term leaves the board and the week form; the archive keeps it).
    weekday = models.PositiveSmallIntegerField(
        _("meeting day"),
        choices=Weekday.choices,
        null=True,
        blank=True,
        help_text=_("Empty: the weekday of the first day."),
    )
    meeting_time = models.TimeField(_("meeting time"), default=MEETING_TIME)
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    deadline_days_before = models.PositiveSmallIntegerField(
        _("reviews due (days before)"), default=DEFAULT_DEADLINE.days_before
    )
    deadline_time = models.TimeField(_("reviews due at"), default=DEFAULT_DEADLINE.at)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="term_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(weekday__isnull=True) | Q(weekday__lte=6), name="term_weekday_valid"
            ),
            models.CheckConstraint(
                condition=Q(deadline_days_before__lte=14), name="term_deadline_days_sensible"
            ),
            # The app refuses "Spring" beside "spring"; this makes two at once refused too.
            models.UniqueConstraint(Lower("name"), name="term_name_unique_ignoring_case"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def meeting_weekday(self) -> int:
        """The day its weeks meet on (Monday is 0): the one set, else the first day's."""
        return self.starts_on.weekday() if self.weekday is None else self.weekday

    @property
    def deadline_rule(self) -> DeadlineRule:
        return DeadlineRule(days_before=self.deadline_days_before, at=self.deadline_time)


def default_swap_policy() -> str:
    """A new week's swap policy: `SEMINAR_SWAP_POLICY` ("open" or "approve")."""
    return getattr(settings, "SEMINAR_SWAP_POLICY", "open")


def default_same_week_policy() -> str:
    """A new week's same-week rule: `SEMINAR_SAME_WEEK_POLICY` ("refuse" or "warn")."""
    return getattr(settings, "SEMINAR_SAME_WEEK_POLICY", "refuse")


def default_hide_reviews() -> bool:
    """A new week's review visibility (#15): `SEMINAR_HIDE_REVIEWS_UNTIL_SUBMITTED`."""
    return bool(getattr(settings, "SEMINAR_HIDE_REVIEWS_UNTIL_SUBMITTED", True))


class Week(models.Model):
    class LatePolicy(models.TextChoices):
        MARK_LATE = "mark", _("Accept and mark late")
        REFUSE = "refuse", _("Refuse after the deadline")

    # Swaps (#13, `seminar.scheduling.swaps`): whether taking an offered role needs an
    # organizer's approval, and whether a presenter may also review in their week.
    class SwapPolicy(models.TextChoices):
        OPEN = "open", _("Any member may take an offered role")
        APPROVE = "approve", _("An organizer approves each taking")

    class SameWeekPolicy(models.TextChoices):
        REFUSE = "refuse", _("Refuse reviewing in a week one presents")
        WARN = "warn", _("Allow it with a warning")

    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="weeks")
    number = models.PositiveSmallIntegerField(_("week number"))
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    recording_url = models.URLField(_("recording"), blank=True)  # materials (#13)
    review_deadline = models.DateTimeField(_("review deadline"))
    late_policy = models.CharField(
        _("late reviews"), max_length=10, choices=LatePolicy.choices, default=LatePolicy.MARK_LATE
    )
    notes = models.TextField(_("notes"), blank=True)
    swap_policy = models.CharField(
        _("swaps"), max_length=10, choices=SwapPolicy.choices, default=default_swap_policy
    )
    same_week_policy = models.CharField(
        _("presenting and reviewing in one week"),
        max_length=10,
        choices=SameWeekPolicy.choices,
        default=default_same_week_policy,
    )
    # Discussion (#15, `reviews.permissions.hidden_until_own_submitted`): a reviewer of a
    # topic reads the others' reviews of it once they submitted their own.
    hide_reviews_until_submitted = models.BooleanField(
        _("hide others' reviews until a reviewer submitted theirs"),
        default=default_hide_reviews,
    )

    class Meta:
        verbose_name = pgettext_lazy("seminar session", "week")
        verbose_name_plural = pgettext_lazy("seminar session", "weeks")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["term", "number"], name="week_number_unique_in_term"),
            models.CheckConstraint(condition=Q(number__gte=1), name="week_number_positive"),
        ]
        indexes = [models.Index(fields=["starts_at"]), models.Index(fields=["review_deadline"])]

    def __str__(self) -> str:
        return f"{self.term} · {self.number}주차"

    def get_absolute_url(self) -> str:
        return reverse("week_detail", args=[self.pk])

    @property
    def deadline_passed(self) -> bool:
        return timezone.now() > self.review_deadline


class Topic(models.Model):
    week = models.ForeignKey(Week, on_delete=models.CASCADE, related_name="topics")
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=500)
    paper = models.ForeignKey(
        "papers.CandidatePaper",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="topics",
        verbose_name=_("paper"),
    )
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="presentations",
        verbose_name=_("presenter"),
    )
    slides_url = models.URLField(_("slides"), blank=True)
    # Materials (#13, `seminar.materials`): an uploaded PDF of the slides, stored as
    # `slides/<uuid hex>.pdf` and served to members only by `topic_slides` (it wins over the
    # link), and a link to the code.
    slides_file = models.CharField(_("slides file"), max_length=100, blank=True)
    code_url = models.URLField(_("code"), blank=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["week", "order"]
        constraints = [
            models.UniqueConstraint(fields=["week", "order"], name="topic_order_unique_in_week"),
            models.CheckConstraint(condition=Q(order__gte=1), name="topic_order_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def slides_href(self) -> str:
        """The slides for a page of the site: the uploaded PDF's path, or the link; ""."""
        if self.slides_file:
            return reverse("topic_slides", args=[self.pk])
        return self.slides_url

    @property
    def slides_link(self) -> str:
        """The slides for what leaves the site (exports, emails, calendars): absolute."""
        from seminar.lib.urls import absolute_url

        return absolute_url(self.slides_href) if self.slides_file else self.slides_url

    @property
    def has_materials(self) -> bool:
        return bool(self.slides_file or self.slides_url or self.code_url)


class ReviewerSlot(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="slots")
    number = models.PositiveSmallIntegerField(_("number"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviewer_slots",
        verbose_name=_("reviewer"),
    )

    class Meta:
        verbose_name = _("reviewer slot")
        verbose_name_plural = _("reviewer slots")
        ordering = ["topic", "number"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "number"], name="slot_number_unique_in_topic"),
            # NULL reviewers (open slots) are distinct, so any number of slots may be open.
            models.UniqueConstraint(
                fields=["topic", "reviewer"], name="one_slot_per_member_per_topic"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="slot_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} · 리뷰 {self.number}"

    @property
    def current_review(self):
        """The slot's review (draft or submitted), or None. The one way to ask: the reverse
        one-to-one raises when there is none, and a prefetched slot answers without a query."""
        return getattr(self, "review", None)

    @property
    def is_open(self) -> bool:
        return self.reviewer_id is None


class AssignmentChange(models.Model):
    """One change to who presents or reviews what: the audit trail, and what assignment emails
    are sent from."""

    class Role(models.TextChoices):
        PRESENTER = "presenter", _("Presenter")
        REVIEWER = "reviewer", _("Reviewer")

    class Reason(models.TextChoices):
        NONE = "", _("Assigned")
        SWAP = "swap", _("Swap")  # taken over through an offer (`seminar.scheduling.swaps`)

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="assignment_changes")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignment_changes"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    assigned = models.BooleanField(
        _("assigned"), help_text=_("False when the role was taken away.")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("changed by"),
    )
    created_at = models.DateTimeField(default=timezone.now)
    notified_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(
        _("reason"), max_length=10, choices=Reason.choices, default=Reason.NONE, blank=True
    )

    class Meta:
        verbose_name = _("assignment change")
        verbose_name_plural = _("assignment changes")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["member", "-created_at"])]

    def __str__(self) -> str:
        verb = "+" if self.assigned else "−"
        return f"{verb}{self.get_role_display()} {self.member} · {self.topic}"

    @property
    def swap_partner(self):
        """For a swap (#13): the member on the other side (who took the role over from this
        member, or from whom this member took it); None for any other change."""
        if self.reason != self.Reason.SWAP:
            return None
        from seminar.models.swaps import SlotOffer

        mine = {"taker_id": self.member_id} if self.assigned else {"offered_by_id": self.member_id}
        offer = (
            SlotOffer.objects.filter(
                topic_id=self.topic_id, role=self.role, status=SlotOffer.Status.TAKEN, **mine
            )
            .select_related("offered_by", "taker")
            .order_by("-taken_at", "-pk")
            .first()
        )
        if offer is None:
            return None
        return offer.offered_by if self.assigned else offer.taker
