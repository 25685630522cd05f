"""Discussion between meetings: threads, questions for the presenter, mentions, reactions, notifications."""
