"""What the seminar domain announces, for features that react without the domain knowing them.

The core (models, services) sits below the feature rooms (scheduling, reminders, reports) and
must not import them; a feature that wants to act on a domain event connects a receiver in
`SeminarConfig.ready()` instead.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent after the transaction that recorded an `AssignmentChange` commits; kwargs: change_id.
assignment_changed = Signal()

# Sent after a transaction that changed what a week's page shows commits, by the code that
# knows who and why (a review submitted); kwargs: week_id, reason, member_id, member_name and
# review_id. Integrations (#16) publish the page and tell the chat channels. Edits of topics,
# slots and weeks are heard from the models' own signals instead.
week_changed = Signal()
