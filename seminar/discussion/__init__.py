"""Discussion between meetings (#15): threads on topics, reviews and candidate papers,
questions for the presenter, @mentions, reactions, and the notifications members control.

Rooms: `mentions` (finding and showing @names, on the sanitized HTML), `permissions`,
`services` (writes), `selectors` (reads, constant queries per page), `delivery` and `emails`
(notification emails right away or in the daily digest, once each), `unsubscribe`, `tasks`,
`receivers` (a submitted review tells the presenter), `export` (the week page with questions),
`views`, `urls`, `templatetags`.
"""
