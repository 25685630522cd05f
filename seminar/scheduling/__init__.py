"""Planning the programme: weeks, their topics, and who presents and reviews.

Writes are keyword-only functions, each in one transaction, raising `ValidationError` with a
message meant for the organizer (and a `code` for callers). Every change of a presenter or a
reviewer goes through `record_assignment_change` inside that transaction, which is what the
change history and the assignment emails are made from.

Reads for the schedule board (`board.schedule_board`) load a `Participation` snapshot in a
fixed number of queries; fair suggestions and conflicts are then computed from it in memory
(`fairness`, pure), so the board costs the same number of queries whatever it shows.

The package's service API is re-exported here, so callers write `scheduling.add_topic(…)`;
its views, forms and URLs live beside it (`views`, `forms`, `urls`).
"""

from seminar.meetings import DeadlineRule, session_dates
from seminar.scheduling.attention import AttentionItem, AttentionKind, needs_attention
from seminar.scheduling.board import BOARD_WEEKS, board_weeks, schedule_board
from seminar.scheduling.fairness import (
    SUGGESTIONS_SHOWN,
    Conflict,
    ConflictKind,
    Participation,
    Suggestion,
    rank_members,
)
from seminar.scheduling.people import (
    ANYONE,
    PRESENTER,
    REVIEWER,
    assign_presenter,
    assign_reviewer,
    mark_unavailable,
    unmark_unavailable,
    upcoming_unavailability,
)
from seminar.scheduling.suggestions import (
    find_conflicts,
    load_participation,
    suggest_presenters,
    suggest_reviewers,
)
from seminar.scheduling.terms import (
    NewTerm,
    TermUpdate,
    close_term,
    create_term,
    meeting_dates,
    open_terms,
    rename_term,
    reopen_term,
    update_term,
    week_form_defaults,
)
from seminar.scheduling.topics import (
    DEFAULT_SLOT_COUNT,
    MAX_SLOT_COUNT,
    add_topic,
    link_paper,
    move_topic,
    remove_topic,
    set_slot_count,
)
from seminar.scheduling.weeks import (
    MAX_WEEKS_AT_ONCE,
    WeekUpdate,
    create_week,
    create_weeks_in_bulk,
    next_week_defaults,
    remove_week,
    update_week,
)

__all__ = [
    "ANYONE",
    "BOARD_WEEKS",
    "DEFAULT_SLOT_COUNT",
    "MAX_SLOT_COUNT",
    "MAX_WEEKS_AT_ONCE",
    "PRESENTER",
    "REVIEWER",
    "SUGGESTIONS_SHOWN",
    "AttentionItem",
    "AttentionKind",
    "Conflict",
    "ConflictKind",
    "DeadlineRule",
    "NewTerm",
    "Participation",
    "Suggestion",
    "TermUpdate",
    "WeekUpdate",
    "add_topic",
    "assign_presenter",
    "assign_reviewer",
    "board_weeks",
    "close_term",
    "create_term",
    "create_week",
    "create_weeks_in_bulk",
    "find_conflicts",
    "link_paper",
    "load_participation",
    "mark_unavailable",
    "meeting_dates",
    "move_topic",
    "needs_attention",
    "next_week_defaults",
    "open_terms",
    "rank_members",
    "remove_topic",
    "remove_week",
    "rename_term",
    "reopen_term",
    "schedule_board",
    "session_dates",
    "set_slot_count",
    "suggest_presenters",
    "suggest_reviewers",
    "unmark_unavailable",
    "upcoming_unavailability",
    "update_term",
    "update_week",
    "week_form_defaults",
]
