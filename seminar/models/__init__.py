"""The seminar's domain: members, terms, weeks, topics and reviewer slots, and the logs kept
about them.

Rules that must never be broken (one slot per member per topic, unique numbers) are database
constraints, so no code path, admin edit or race can get around them. One module per concern;
every model is importable from `seminar.models`.
"""

from seminar.models.availability import (
    Unavailability,
)
from seminar.models.discussion import (
    Channel,
    Comment,
    Notification,
    NotificationEmail,
    NotificationSettings,
    Reaction,
)
from seminar.models.forms import (
    FormSubmission,
)
from seminar.models.integrations import (
    ChatChannel,
    ChatDelivery,
    IncomingChange,
    PendingPublication,
    PublishedPage,
    RepositoryConnection,
)
from seminar.models.materials import (
    SlidesUpload,
)
from seminar.models.members import (
    INVITATION_LIFETIME,
    Invitation,
    MemberManager,
    User,
    normalize_display_name,
    validate_display_name,
)
from seminar.models.programme import (
    AssignmentChange,
    ReviewerSlot,
    Term,
    Topic,
    Week,
)
from seminar.models.reminders import (
    ReminderPolicy,
    SentReminder,
    parse_day_offsets,
    validate_day_offsets,
)
from seminar.models.swaps import (
    SlotOffer,
)
from seminar.models.versions import (
    DataVersion,
)

__all__ = [
    "INVITATION_LIFETIME",
    "AssignmentChange",
    "Channel",
    "ChatChannel",
    "ChatDelivery",
    "Comment",
    "DataVersion",
    "FormSubmission",
    "IncomingChange",
    "Invitation",
    "MemberManager",
    "Notification",
    "NotificationEmail",
    "NotificationSettings",
    "PendingPublication",
    "PublishedPage",
    "Reaction",
    "ReminderPolicy",
    "RepositoryConnection",
    "ReviewerSlot",
    "SentReminder",
    "SlidesUpload",
    "SlotOffer",
    "Term",
    "Topic",
    "Unavailability",
    "User",
    "Week",
    "normalize_display_name",
    "parse_day_offsets",
    "validate_day_offsets",
    "validate_display_name",
]
