"""The one way markdown becomes HTML in Seminar: render, then sanitize (`render`), on a
python-markdown made linear (`guard`, `blocks`)."""

from seminar.lib.markdown.render import (
    RENDER_VERSION,
    render_markdown,
    render_markdown_cached,
)

__all__ = ["RENDER_VERSION", "render_markdown", "render_markdown_cached"]
