"""Reads: the organizers' import pages, and the members' candidate pool."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connections, router, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language

from papers.models import CandidatePaper, Digest, DigestSource, PaperInterest, PaperSummary
from papers.search import SearchQuery, search_form, search_query
from papers.searchtext import TermGroup, find_snippet
from seminar import versions
from seminar.lib.markdown import RENDER_VERSION, render_markdown
from seminar.models import Topic

# Columns a list of import runs never needs: the text itself can be megabytes.
_HEAVY_DIGEST_FIELDS = ("content", "errors", "warnings")


def import_runs() -> QuerySet[Digest]:
    """Every import run, newest first, without the heavy columns."""
    return (
        Digest.objects.defer(*_HEAVY_DIGEST_FIELDS)
        .select_related("source", "uploaded_by")
        .order_by("-created_at", "-pk")
    )


def import_run(pk: int) -> QuerySet[Digest]:
    return Digest.objects.defer("content").select_related("source", "uploaded_by").filter(pk=pk)


def digest_summaries(digest: Digest) -> QuerySet[PaperSummary]:
    """The papers of one digest, in the digest's own order."""
    return (
        PaperSummary.objects.filter(digest=digest)
        .select_related("paper")
        .only(
            "position",
            "title",
            "summary_ok",
            "truncated",
            "problems",
            "digest_id",
            "paper__arxiv_id",
            "paper__title",
            "paper__status",
        )
        .order_by("position", "pk")
    )


def digest_sources() -> QuerySet[DigestSource]:
    return DigestSource.objects.order_by("name")


# --- the candidate pool ---------------------------------------------------------------------

POOL_PAGE_SIZE = 30
# A search counts its matches up to this many ("more than 1,000"): an exact count of a word
# in most summaries would read most rows, and nobody pages that far.
SEARCH_COUNT_CAP = 1000
# `PoolFilters.status`: "" is every paper but the dismissed ones, "all" is every paper.
STATUS_ALL = "all"
_DATE_DESC = F("last_digest_date").desc(nulls_last=True)
# Each matches an index of migration 0005 column for column (PostgreSQL), so a search with
# many matches can walk the pool in page order and stop at the page (see `_walk_sort_index`).
_ORDERINGS = {
    # With a search: title matches first (see `_relevance`), then newest; without, by date.
    "relevance": (F("relevance").desc(), _DATE_DESC, F("pk").desc()),
    "date": (_DATE_DESC, F("pk").desc()),
    "votes": (F("votes").desc(nulls_last=True), _DATE_DESC, F("pk").desc()),
    "interest": (F("interest_total").desc(), _DATE_DESC, F("pk").desc()),
}
_TEASER_CHARS = 220
_TEASER_MARKUP_RE = re.compile(r"[*_`#>|]+|^\s*[-+]\s+|\[([^\]]*)\]\([^)]*\)", re.MULTILINE)


@dataclass(frozen=True)
class PoolFilters:
    """What a member asked the pool for (see `papers.forms.PoolFilterForm`)."""

    query: str = ""
    status: str = ""
    seen_from: date | None = None
    seen_to: date | None = None
    summary: str = ""  # "yes": has a usable summary; "no": has none
    sort: str = "relevance"

    @cached_property
    def terms(self) -> SearchQuery:
        """The query read (`papers.search.search_query`); false when there is nothing to find."""
        return search_query(self.query)


# Which matches of a search `filtered_pool` returns (the parts of a ranked page, `_ranked_rows`).
MATCHES_ALL = "all"
MATCHES_TITLE_BEST = "title_best"  # the title is the query (rank 2)
MATCHES_TITLE = "title"  # every group in the title, but not as above (rank 1)
MATCHES_ELSEWHERE = "elsewhere"  # not every group in the title (rank 0)


def filtered_pool(filters: PoolFilters, *, matches: str = MATCHES_ALL) -> QuerySet[CandidatePaper]:
    """The candidates matching `filters`, unordered and without annotations.

    A form of every group of the search (`papers.search.search_query`) must occur in the
    paper's title, id, authors or a summary (Korean or English, any case, Hangul spaced or
    not; see `papers.search`). `matches` narrows them to one rank (see `_relevance`).
    """
    papers = CandidatePaper.objects.all()
    query = filters.terms
    if query and matches == MATCHES_TITLE_BEST:
        # Every group in the title is every group in the text: the title is part of it.
        papers = papers.filter(_title_has_all(query) & _title_is_query(query))
    elif query and matches == MATCHES_TITLE:
        papers = papers.filter(_title_has_all(query)).exclude(_title_is_query(query))
    elif query and matches == MATCHES_ELSEWHERE:
        # The text's test as a CASE, which no index answers and PostgreSQL estimates as true
        # for half the rows: it then walks the date index and stops once the page is full,
        # instead of reading every match from the trigram index to sort them all.
        in_text = Q()
        for group in query.groups:
            in_text &= _text_has(group, loose_too=query.has_loose)
        papers = papers.exclude(_title_has_all(query)).filter(
            Case(When(in_text, then=Value(True)), default=Value(False), output_field=BooleanField())
        )
    else:
        for group in query.groups:
            papers = papers.filter(_text_has(group, loose_too=query.has_loose))
    if filters.status == "":
        papers = papers.exclude(status=CandidatePaper.Status.DISMISSED)
    elif filters.status != STATUS_ALL:
        papers = papers.filter(status=filters.status)
    if filters.seen_from or filters.seen_to:
        seen = PaperSummary.objects.filter(paper=OuterRef("pk"))
        if filters.seen_from:
            seen = seen.filter(digest__date__gte=filters.seen_from)
        if filters.seen_to:
            seen = seen.filter(digest__date__lte=filters.seen_to)
        papers = papers.filter(Exists(seen))
    if filters.summary in ("yes", "no"):
        usable = Exists(PaperSummary.objects.filter(paper=OuterRef("pk"), summary_ok=True))
        papers = papers.filter(usable if filters.summary == "yes" else ~usable)
    return papers


def _text_has(group: TermGroup, *, loose_too: bool) -> Q:
    """The paper has `group`: one of its concept tokens, or one of its loose forms in the
    search text. `LIKE`s trigram indexes answer, joined by OR (a bitmap OR on PostgreSQL).

    Tokens are looked up in `search_concepts`, a short column with real statistics, unless
    the query has loose forms too (`loose_too`): then in the search text, which has them as
    well, so that one scan of its index intersects the groups (the planner cannot estimate
    `LIKE` on the long column, and would pick its index and check the tokens row by row).
    """
    column = "search_text" if loose_too else "search_concepts"
    condition = Q()
    for token in group.tokens:  # written as is (see `papers.searchtext.concept_token`)
        condition |= Q(**{f"{column}__contains": token})
    for form in group.loose:
        condition |= Q(search_text__contains=search_form(form))
    return condition


def _title_has(group: TermGroup) -> Q:
    """The title has one of the forms of `group` (a short column: every form is compared)."""
    condition = Q()
    for form in group.forms:
        condition |= Q(search_title__contains=search_form(form))
    return condition


def _interest_count(kind: str | None = None) -> Coalesce:
    marks = PaperInterest.objects.filter(paper=OuterRef("pk"))
    if kind:
        marks = marks.filter(kind=kind)
    counted = marks.order_by().values("paper").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), Value(0))


def with_interest(papers: QuerySet[CandidatePaper], member: Any = None) -> QuerySet:
    """Annotate `interest_hear` and `interest_present` (how many members marked each), and
    `my_hear` and `my_present` (whether `member` did). Subqueries, evaluated for the rows
    fetched only: one query for a page, whatever its size."""
    hear, present = PaperInterest.Kind.HEAR, PaperInterest.Kind.PRESENT
    papers = papers.annotate(interest_hear=_interest_count(hear))
    papers = papers.annotate(interest_present=_interest_count(present))
    if member is not None and member.is_authenticated:
        mine = PaperInterest.objects.filter(paper=OuterRef("pk"), member=member)
        return papers.annotate(
            my_hear=Exists(mine.filter(kind=hear)), my_present=Exists(mine.filter(kind=present))
        )
    return papers.annotate(my_hear=Value(False), my_present=Value(False))


def _title_has_all(query: SearchQuery) -> Q:
    """A form of every group of `query` is in the title."""
    condition = Q()
    for group in query.groups:
        condition &= _title_has(group)
    return condition


def _title_is_query(query: SearchQuery) -> Q:
    """The title is the whole query (the hash index of migration 0010 finds it)."""
    return Q(search_title=search_form(query.phrase))


def _relevance(query: SearchQuery) -> Case:
    """A search's ranks: 2 for a title that is the query, 1 for a title that has every group,
    0 for a match elsewhere (only in summaries, or some groups in the title and the others
    elsewhere). Read from `search_title` (migration 0010), a short column, for matches only.
    """
    has_all = _title_has_all(query)
    return Case(
        When(has_all & _title_is_query(query), then=Value(2)),
        When(has_all, then=Value(1)),
        default=Value(0),
    )


def candidate_pool(filters: PoolFilters, *, member: Any = None) -> QuerySet[CandidatePaper]:
    """The pool as the list shows it: filtered, sorted, with interest counts and a teaser.

    By relevance with a search (`_relevance`, then newest digest), newest digest first
    without; `sort` "date", "votes" or "interest" (members' marks, both kinds) as asked.
    """
    return _as_listed(filtered_pool(filters), filters, member)


def _as_listed(papers: QuerySet, filters: PoolFilters, member: Any) -> QuerySet[CandidatePaper]:
    """`papers` with what the list shows (interest counts and marks, the newest summary's
    sections, a search's rank), in the order asked for."""
    papers = papers.defer("search_text", "search_title", "search_concepts", "edited_fields")
    sort = filters.sort if filters.sort in _ORDERINGS else "relevance"
    if sort == "relevance":
        if not filters.terms:
            sort = "date"
        else:
            papers = papers.annotate(relevance=_relevance(filters.terms))
    if filters.sort == "interest":
        # Sorting evaluates this for every match: a hashed set of the few marked papers
        # answers most rows, and only those in it are counted.
        marked = PaperInterest.objects.values("paper_id")
        papers = papers.annotate(
            interest_total=Case(When(pk__in=marked, then=_interest_count()), default=Value(0))
        )
    newest = (
        PaperSummary.objects.filter(paper=OuterRef("pk"), summary_ok=True)
        .order_by(F("digest__date").desc(nulls_last=True), "-pk")
        .values("sections")[:1]
    )
    papers = with_interest(papers, member).annotate(newest_sections=Subquery(newest))
    return papers.order_by(*_ORDERINGS[sort])


class PoolPaginator(Paginator):
    """Counts `count_queryset` (unannotated), up to `count_cap` + 1 rows if given."""

    def __init__(
        self,
        object_list: QuerySet,
        per_page: int,
        *,
        count_queryset: QuerySet,
        count_cap: int | None = None,
    ) -> None:
        super().__init__(object_list, per_page)
        self.count_queryset = count_queryset
        self.count_cap = count_cap

    # Set by `pool_page` to read the count from the cache (one per data version and filters).
    count_cached: Callable[[Callable[[], int]], int] | None = None

    @cached_property
    def count(self) -> int:
        def counted() -> int:
            if self.count_cap is None:
                return self.count_queryset.count()
            return self.count_queryset[: self.count_cap + 1].count()

        return counted() if self.count_cached is None else self.count_cached(counted)

    @property
    def capped(self) -> bool:
        """True when there are more matches than were counted."""
        return self.count_cap is not None and self.count > self.count_cap


def pool_page(
    filters: PoolFilters,
    *,
    page: int | str | None = 1,
    member: Any = None,
    per_page: int = POOL_PAGE_SIZE,
    version: versions.Version | None = None,
) -> Page:
    """One page of the pool, its rows fetched: a count and a page query (for a search with
    more than `SEARCH_COUNT_CAP` matches sorted by date or votes, two statements around the
    page query as well).

    A search counts at most `SEARCH_COUNT_CAP` + 1 matches, which the trigram index finds
    without reading the rest. With fewer matches, the page is read from the index's matches
    and sorted; with more, the matches are so frequent that walking the pool in page order
    reaches a page after a few dozen rows, while sorting them all would read thousands (by
    relevance on PostgreSQL: `_ranked_rows`).

    With `version` (`seminar.versions`), the count is cached for that data version: it is
    the same for every member and every page of these filters.
    """
    searching = bool(filters.terms)
    matching = filtered_pool(filters)
    # Paged by count only: the rows are read below, by the query that suits the search.
    paginator = PoolPaginator(
        matching.order_by("pk"),
        per_page,
        count_queryset=matching.order_by(),
        count_cap=SEARCH_COUNT_CAP if searching else None,
    )
    if version is not None:
        # The count depends on what filters the pool, not on the order or the page.
        parts = (filters.query, filters.status, filters.seen_from, filters.seen_to)
        paginator.count_cached = lambda counted: versions.cached(
            "pool-count", *parts, filters.summary, build=counted, version=version
        )
    page_obj = paginator.get_page(page)
    offset, end = max(page_obj.start_index() - 1, 0), page_obj.end_index()
    ranked = searching and filters.sort not in ("date", "votes", "interest")
    if end <= offset:
        rows = []
    elif ranked and paginator.capped and _vendor() == "postgresql":
        rows = _ranked_rows(filters, member, offset, per_page)
    else:
        walk = searching and paginator.capped and filters.sort in ("date", "votes")
        with _walk_sort_index(walk):
            rows = list(candidate_pool(filters, member=member)[offset:end])
    for paper in rows:
        sections = _sections(paper.newest_sections)
        # The sentence of the newest summary that matched, its matches marked (plain text
        # parts: the template escapes them); None when the match is elsewhere. The list
        # shows it instead of the teaser.
        paper.snippet = find_snippet(sections, filters.terms.forms) if searching else None
        paper.teaser = "" if paper.snippet else _teaser(sections)
    page_obj.object_list = rows
    return page_obj


def _sections(value: Any) -> Any:
    """A summary's sections as loaded: a list, or JSON text from some database drivers."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _vendor() -> str:
    return connections[router.db_for_read(CandidatePaper)].vendor


# `_ranked_rows`: the ranks in turn, each stopped at the page, the last only if still needed.
_RANKED_IDS_SQL = """
WITH best AS MATERIALIZED ({best}), titled AS MATERIALIZED ({titled})
SELECT ranked.id FROM (
    SELECT best.id, best.last_digest_date, 2 AS rank FROM best
    UNION ALL
    SELECT titled.id, titled.last_digest_date, 1 FROM titled
    UNION ALL
    (
        SELECT elsewhere.id, elsewhere.last_digest_date, 0 FROM ({elsewhere}) AS elsewhere
        LIMIT (
            SELECT GREATEST(%s - (SELECT COUNT(*) FROM best) - (SELECT COUNT(*) FROM titled), 0)
        )
    )
) AS ranked
ORDER BY ranked.rank DESC, ranked.last_digest_date DESC NULLS LAST, ranked.id DESC
LIMIT %s OFFSET %s
"""


def _ranked_rows(filters: PoolFilters, member: Any, offset: int, per_page: int) -> list:
    """One page of a search with many matches, by relevance, in one statement (PostgreSQL).

    Sorting every match by rank (`_relevance`) would read every match's whole search text.
    Each rank is read apart instead, newest first, up to the end of the page: titles that
    are the query (the title's hash index); titles with every group (the title's trigram
    index or the date index, whichever the planner finds cheaper: the title column has real
    statistics); then, only if those do not fill the page, the other matches, walking the
    date index (`MATCHES_ELSEWHERE`) until the page is full. With more than
    `SEARCH_COUNT_CAP` matches and fewer title matches than the page, much of the pool
    matches, so that walk is short; when the titles fill the page, `LIMIT 0` never starts
    it. The page's ids are then read with the list's columns, sorted again by rank.
    """
    wanted = offset + per_page
    parts = []
    for matches in (MATCHES_TITLE_BEST, MATCHES_TITLE, MATCHES_ELSEWHERE):
        ranked = filtered_pool(filters, matches=matches).order_by(*_ORDERINGS["date"])
        parts.append(ranked.values("id", "last_digest_date")[:wanted].query.sql_with_params())
    best, titled, elsewhere = (sql for sql, _ in parts)
    page_ids = RawSQL(
        _RANKED_IDS_SQL.format(best=best, titled=titled, elsewhere=elsewhere),
        (*(param for _, params in parts for param in params), wanted, per_page, offset),
    )
    return list(_as_listed(CandidatePaper.objects.filter(pk__in=page_ids), filters, member))


@contextmanager
def _walk_sort_index(enabled: bool) -> Iterator[None]:
    """On PostgreSQL, have the queries inside walk the sort order's index.

    The planner cannot estimate how many rows match `LIKE '%…%'` (it guesses a handful), so
    it always reads every match from the trigram index and sorts them. For a term in most
    papers that is thousands of rows for 30. Turning off bitmap and sequential scans for one
    query leaves it the index that has the page order (migration 0005), which it reads until
    the page is full. Both settings are transaction-local and put back right after.
    """
    using = router.db_for_read(CandidatePaper)
    connection = connections[using]
    if not enabled or connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('enable_bitmapscan'), current_setting('enable_seqscan'),"
                " set_config('enable_bitmapscan', 'off', true),"
                " set_config('enable_seqscan', 'off', true)"
            )
            bitmapscan, seqscan, *_ = cursor.fetchone()
        yield
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('enable_bitmapscan', %s, true),"
                " set_config('enable_seqscan', %s, true)",
                [bitmapscan, seqscan],
            )


def _teaser(sections: Any) -> str:
    """The start of a summary's first body, as plain text."""
    for section in sections if isinstance(sections, list) else ():
        body = section.get("body") if isinstance(section, dict) else None
        if isinstance(body, str) and body.strip():
            text = " ".join(_TEASER_MARKUP_RE.sub(r"\1", body).split())
            return text if len(text) <= _TEASER_CHARS else text[: _TEASER_CHARS - 1] + "…"
    return ""


def search_suggestions(filters: PoolFilters, *, limit: int = 10) -> list[dict[str, Any]]:
    """Search-as-you-type for the scheduling page: the first `limit` matches, in the pool's
    order (by default: not dismissed, newest digest first). Nothing without a search."""
    if not filters.terms:
        return []
    page = pool_page(filters, per_page=limit)
    return [
        {
            "id": paper.pk,
            "arxiv_id": paper.arxiv_id,
            "title": paper.title,
            "status": paper.status,
            "status_label": str(paper.get_status_display()),
            "votes": paper.votes,
        }
        for paper in page.object_list
    ]


# --- one candidate --------------------------------------------------------------------------

# Bump when the rendered form of summaries changes, so no stale HTML is served from the cache.
_SUMMARY_HTML_VERSION = 2
_SUMMARY_HTML_SECONDS = 7 * 24 * 60 * 60


def paper_detail(arxiv_id: str, *, member: Any = None) -> QuerySet[CandidatePaper]:
    return with_interest(
        CandidatePaper.objects.defer("search_text").filter(arxiv_id=arxiv_id), member
    )


def paper_summaries(paper: CandidatePaper) -> list[PaperSummary]:
    """Every summary of the paper, newest digest first, each with `rendered` sections
    ({"heading", "html"}); rendered HTML is cached by content, so an edit is never stale."""
    summaries = list(
        PaperSummary.objects.filter(paper=paper)
        .select_related("digest")
        .defer("digest__content", "digest__errors", "digest__warnings")
        .order_by(F("digest__date").desc(nulls_last=True), "-pk")
    )
    keys = {summary.pk: _summary_cache_key(summary.sections) for summary in summaries}
    cached = cache.get_many(list(keys.values())) if keys else {}
    missing = {}
    for summary in summaries:
        rendered = cached.get(keys[summary.pk])
        if rendered is None:
            rendered = _render_sections(summary.sections)
            missing[keys[summary.pk]] = rendered
        summary.rendered = rendered
    if missing:
        cache.set_many(missing, _SUMMARY_HTML_SECONDS)
    return summaries


def _summary_cache_key(sections: Any) -> str:
    digest = hashlib.sha256(
        json.dumps(sections, ensure_ascii=False, sort_keys=True).encode("utf-8")
    ).hexdigest()
    # The renderer's version and the language (its notes are translated) are part of the key.
    return f"papers:summary-html:{_SUMMARY_HTML_VERSION}:{RENDER_VERSION}:{get_language()}:{digest}"


def _render_sections(sections: Any) -> list[dict[str, str]]:
    rendered = []
    for section in sections if isinstance(sections, list) else ():
        if not isinstance(section, dict):
            continue
        heading, body = section.get("heading"), section.get("body")
        rendered.append(
            {
                "heading": heading if isinstance(heading, str) else "",
                "html": render_markdown(body) if isinstance(body, str) else "",
            }
        )
    return rendered


def paper_topics(paper: CandidatePaper) -> list[Topic]:
    """Where the paper is on the programme, by week; each with `presented` (its week began)."""
    now = timezone.now()
    topics = list(
        Topic.objects.filter(paper=paper)
        .select_related("week__term", "presenter")
        .order_by("week__starts_at", "order")
    )
    for topic in topics:
        topic.presented = topic.week.starts_at <= now
    return topics


def paper_interests(paper: CandidatePaper) -> dict[str, list[Any]]:
    """Who marked the paper, by kind ("hear", "present"), earliest first."""
    marks: dict[str, list[Any]] = {kind: [] for kind in PaperInterest.Kind.values}
    for mark in (
        PaperInterest.objects.filter(paper=paper).select_related("member").order_by("created_at")
    ):
        marks.setdefault(mark.kind, []).append(mark.member)
    return marks
