"""Participation: who presented and reviewed how much, and when reviews arrive.

`participation_table` counts, per member, for one term and overall: presentations given (the
week has begun), reviews submitted, of those on time and late, and reviews missing (a
reviewer's slot past its deadline with nothing submitted). `arrival_buckets` sorts submitted
reviews by how long before or after their deadline they came in, and `arrival_chart_svg`
draws that as a small horizontal bar chart, server-side, that scales to a phone's width.

Who sees what is the view's business (`visible_lines`): organizers everyone, a member the
group's totals and their own line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Min, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from reviews.models import Review
from seminar.models import ReviewerSlot, Term, Topic, User, Week


@dataclass
class Counts:
    presentations: int = 0
    reviews: int = 0
    late: int = 0
    missing: int = 0

    @property
    def on_time(self) -> int:
        return self.reviews - self.late

    def add(self, other: Counts) -> None:
        self.presentations += other.presentations
        self.reviews += other.reviews
        self.late += other.late
        self.missing += other.missing


@dataclass
class MemberLine:
    member: User
    term: Counts = field(default_factory=Counts)
    overall: Counts = field(default_factory=Counts)


@dataclass
class ParticipationTable:
    term: Term | None
    lines: list[MemberLine]
    term_total: Counts
    overall_total: Counts


def participation_table(*, term: Term | None, now: datetime | None = None) -> ParticipationTable:
    """Every active member (and anyone inactive with a record), this term and overall
    (four queries)."""
    now = now or timezone.now()
    in_term = Q(week__term=term) if term else Q(pk__in=[])
    talks = (
        Topic.objects.filter(presenter__isnull=False, week__starts_at__lte=now)
        .values("presenter_id")
        .annotate(total=Count("pk"), in_term=Count("pk", filter=in_term))
        .order_by()
    )
    slot_term = Q(slot__topic__week__term=term) if term else Q(pk__in=[])
    reviews = (
        Review.objects.filter(status=Review.Status.SUBMITTED, author__isnull=False)
        .values("author_id")
        .annotate(
            total=Count("pk"),
            late=Count("pk", filter=Q(is_late=True)),
            in_term=Count("pk", filter=slot_term),
            late_in_term=Count("pk", filter=slot_term & Q(is_late=True)),
        )
        .order_by()
    )
    missing_term = Q(topic__week__term=term) if term else Q(pk__in=[])
    missing = (
        ReviewerSlot.objects.filter(reviewer__isnull=False, topic__week__review_deadline__lt=now)
        .filter(Q(review__isnull=True) | ~Q(review__status=Review.Status.SUBMITTED))
        .values("reviewer_id")
        .annotate(total=Count("pk"), in_term=Count("pk", filter=missing_term))
        .order_by()
    )
    counts: dict[int, MemberLine] = {}

    def line(member_id: int) -> MemberLine:
        return counts.setdefault(member_id, MemberLine(member=None))  # type: ignore[arg-type]

    for row in talks:
        entry = line(row["presenter_id"])
        entry.overall.presentations, entry.term.presentations = row["total"], row["in_term"]
    for row in reviews:
        entry = line(row["author_id"])
        entry.overall.reviews, entry.overall.late = row["total"], row["late"]
        entry.term.reviews, entry.term.late = row["in_term"], row["late_in_term"]
    for row in missing:
        entry = line(row["reviewer_id"])
        entry.overall.missing, entry.term.missing = row["total"], row["in_term"]

    members = User.objects.filter(Q(is_active=True) | Q(pk__in=list(counts))).order_by(
        "name", "email"
    )
    lines = []
    term_total, overall_total = Counts(), Counts()
    for member in members:
        entry = counts.get(member.pk) or MemberLine(member=member)
        entry.member = member
        lines.append(entry)
        term_total.add(entry.term)
        overall_total.add(entry.overall)
    return ParticipationTable(
        term=term, lines=lines, term_total=term_total, overall_total=overall_total
    )


def visible_lines(table: ParticipationTable, viewer: User, *, everyone: bool) -> list[MemberLine]:
    """Everyone's lines for organizers; a member's own line only for anyone else."""
    if everyone:
        return table.lines
    return [line for line in table.lines if line.member.pk == viewer.pk]


# --- when reviews arrive ----------------------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    label: str
    late: bool
    group: int
    mine: int


# (upper bound relative to the deadline, label, late); the last bucket has no upper bound.
_HOUR = timedelta(hours=1)
BUCKETS: Sequence[tuple[timedelta | None, object, bool]] = (
    (-72 * _HOUR, gettext_lazy("3+ days early"), False),
    (-24 * _HOUR, gettext_lazy("1–3 days early"), False),
    (-6 * _HOUR, gettext_lazy("6–24 hours early"), False),
    (timedelta(0), gettext_lazy("last 6 hours"), False),
    (24 * _HOUR, gettext_lazy("up to a day late"), True),
    (None, gettext_lazy("more than a day late"), True),
)


def bucket_index(offset: timedelta) -> int:
    """Which bucket a review submitted `offset` after its deadline falls in (negative:
    before). Exactly at the deadline is on time."""
    for index, (upper, _label, late) in enumerate(BUCKETS):
        if upper is None:
            return index
        # Early buckets include their lower end; late ones (and "last 6 hours", which
        # ends at the deadline itself) include their upper end.
        if offset < upper or (offset == upper and (late or upper == timedelta(0))):
            return index
    return len(BUCKETS) - 1


@dataclass(frozen=True)
class Arrivals:
    """How many submitted reviews arrived in each bucket: the group's, and each author's."""

    group: list[int]
    by_author: dict[int, list[int]]

    def buckets(self, viewer: User | None) -> list[Bucket]:
        """The chart's buckets, with `viewer`'s own counts (none for nobody)."""
        mine = self.by_author.get(viewer.pk, []) if viewer is not None else []
        return [
            Bucket(
                label=str(label),
                late=late,
                group=self.group[i],
                mine=mine[i] if mine else 0,
            )
            for i, (_upper, label, late) in enumerate(BUCKETS)
        ]


def arrivals(*, term: Term | None) -> Arrivals:
    """Submitted reviews (of `term`, or all) by arrival relative to their deadline, for the
    group and per author (one query)."""
    reviews = Review.objects.filter(status=Review.Status.SUBMITTED, submitted_at__isnull=False)
    if term is not None:
        reviews = reviews.filter(slot__topic__week__term=term)
    group = [0] * len(BUCKETS)
    by_author: dict[int, list[int]] = {}
    for submitted_at, deadline, author_id in reviews.values_list(
        "submitted_at", "slot__topic__week__review_deadline", "author_id"
    ):
        index = bucket_index(submitted_at - deadline)
        group[index] += 1
        if author_id is not None:
            by_author.setdefault(author_id, [0] * len(BUCKETS))[index] += 1
    return Arrivals(group=group, by_author=by_author)


def arrival_buckets(*, term: Term | None, viewer: User | None) -> list[Bucket]:
    """Submitted reviews (of `term`, or all) by arrival relative to their deadline, for the
    group and for `viewer` (one query)."""
    return arrivals(term=term).buckets(viewer)


def next_change(now: datetime) -> datetime | None:
    """The first moment after `now` at which the counts change with no write at all: a
    week begins (its talks count) or a review deadline passes (missing reviews count).
    None when no such moment is ahead. One query."""
    bounds = Week.objects.aggregate(
        start=Min("starts_at", filter=Q(starts_at__gt=now)),
        # `missing` counts deadlines strictly before now: one at `now` still changes.
        deadline=Min("review_deadline", filter=Q(review_deadline__gte=now)),
    )
    moments = [moment for moment in bounds.values() if moment is not None]
    return min(moments) if moments else None


@dataclass(frozen=True)
class ChartRow:
    """One bucket's row of the arrival chart, with its geometry worked out."""

    label: str
    late: bool
    group: int
    mine: int
    y: int
    group_width: float
    mine_width: float
    label_width: int

    # Coordinates the template writes as they are (it does no arithmetic).
    @property
    def label_x(self) -> int:
        return self.label_width - 6

    @property
    def text_y(self) -> int:
        return self.y + 13

    @property
    def bar_y(self) -> int:
        return self.y + 2

    @property
    def group_value_x(self) -> float:
        return round(self.label_width + self.group_width + 4, 1)

    @property
    def mine_bar_y(self) -> int:
        return self.y + 19

    @property
    def mine_text_y(self) -> int:
        return self.y + 26

    @property
    def mine_value_x(self) -> float:
        return round(self.label_width + self.mine_width + 4, 1)


@dataclass(frozen=True)
class ArrivalChart:
    """What `reports/arrival_chart.svg` draws: horizontal bars, one row per bucket."""

    title: str
    mine_label: str | None
    width: int
    height: int
    label_width: int
    rows: list[ChartRow]

    @property
    def legend_y(self) -> int:
        return self.height - 10

    @property
    def legend_box_y(self) -> int:
        return self.height - 18

    @property
    def legend(self) -> dict[str, int]:
        """x of the legend's two boxes and their texts."""
        x = self.label_width
        return {"group_box": x, "group_text": x + 14, "mine_box": x + 70, "mine_text": x + 84}


def arrival_chart(
    buckets: Iterable[Bucket], *, title: str, mine_label: str | None = None
) -> ArrivalChart:
    """The chart's rows and sizes: the group's count per bucket and (when `mine_label` is
    given) the viewer's own under it. A viewBox and `width: 100%` make it fit a phone; every
    number is written beside its bar, so nothing depends on colour alone."""
    buckets = list(buckets)
    label_width, bar_width, row, gap, top = 132, 160, 30, 6, 8
    peak = max([b.group for b in buckets] + [1])
    rows = [
        ChartRow(
            label=bucket.label,
            late=bucket.late,
            group=bucket.group,
            mine=bucket.mine,
            y=top + index * (row + gap),
            group_width=round(bar_width * bucket.group / peak, 1),
            mine_width=round(bar_width * bucket.mine / peak, 1),
            label_width=label_width,
        )
        for index, bucket in enumerate(buckets)
    ]
    return ArrivalChart(
        title=title,
        mine_label=mine_label,
        width=label_width + bar_width + 40,
        height=top + len(buckets) * (row + gap) + (22 if mine_label else 4),
        label_width=label_width,
        rows=rows,
    )


def arrival_chart_svg(
    buckets: Iterable[Bucket], *, title: str, mine_label: str | None = None
) -> SafeString:
    """The arrival chart as inline SVG (`templates/reports/arrival_chart.svg`)."""
    chart = arrival_chart(buckets, title=title, mine_label=mine_label)
    return mark_safe(render_to_string("reports/arrival_chart.svg", {"chart": chart}).strip())
