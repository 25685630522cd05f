"""The week's page with the questions for the presenters, an option of the export: the
group's page exactly as `reviews.pages.export_week` writes it, then one section of questions
per topic after it (so the group's format above it does not change)."""

from __future__ import annotations

from reviews.pages import export_week
from seminar.discussion.selectors import questions_by_topic
from seminar.models import Week

QUESTIONS_HEADING = "## ❓ 발표자에게 질문"


def _question_lines(question) -> list[str]:
    author = question.author.display_name if question.author else "?"
    state = ", 답변 완료" if question.answered_at else ""
    lines = question.body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first = f"- **{author}**{state}: {lines[0]}"
    return [first, *[f"  {line}" if line.strip() else "" for line in lines[1:]]]


def export_week_with_questions(week: Week, *, reader=None) -> str:
    """`export_week(week)` and, if the week has any, its questions by topic."""
    page = export_week(week, reader=reader)
    questions = questions_by_topic(week)
    if not questions:
        return page
    parts = [QUESTIONS_HEADING]
    for topic in week.topics.all():
        asked = questions.get(topic.pk)
        if not asked:
            continue
        lines = [f"### 주제 {topic.order}: {topic.title}", ""]
        for question in asked:
            lines += _question_lines(question)
        parts.append("\n".join(lines))
    return page + "\n<br>\n\n" + "\n\n".join(parts) + "\n"
