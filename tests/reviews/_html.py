"""Find what would run in a browser: script elements, event handler attributes, and
`javascript:` URLs, parsed from HTML the way a browser tokenizes it (not by string search)."""

from __future__ import annotations

from html.parser import HTMLParser

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data"}


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            source = dict(attrs).get("src")
            kind = dict(attrs).get("type")
            if not (source or kind == "application/json"):
                self.found.append("inline <script>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if (
                name in URL_ATTRIBUTES
                and value
                and value.strip().lower().startswith(("javascript:", "vbscript:", "data:text/html"))
            ):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name == "style":
                self.found.append(f"<{tag} style=…>")

    handle_startendtag = handle_starttag


def active_content(html: str) -> list[str]:
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder.found
