"""Where a week's page lives in the repository: the organizer's path template, checked so it
can only ever name a markdown file inside the repository. Pure: no Django, no database.

A template is a relative path with fields: ``{term}`` (the term's name, made path-safe),
``{number}`` (the week number; ``{number:02d}`` pads it), ``{date}`` (YYYY-MM-DD of the
meeting) and ``{year}``. ``weeks/{term}/{number:02d}.md`` is the default.
"""

from __future__ import annotations

import posixpath
import re
import string
from dataclasses import dataclass
from datetime import date

FIELDS = frozenset({"term", "number", "date", "year"})
_NUMBER_SPEC = re.compile(r"0?[1-9]?d")
_SAFE_SEGMENT = re.compile(r"[^\w\-]+", re.UNICODE)
MAX_PATH_CHARS = 300


class PathError(ValueError):
    """The template or a path made from it could leave the repository or is not a page."""


def term_slug(name: str) -> str:
    """A term's name as one safe path segment: letters, digits, "_" and "-" ("2025 가을" ->
    "2025-가을"); never empty, never dots."""
    slug = _SAFE_SEGMENT.sub("-", name.strip()).strip("-")
    return slug or "term"


def check_relative_path(path: str, *, suffix: str | None = ".md") -> str:
    """`path` if it is a plain relative path inside a repository; else `PathError`."""
    if not path or len(path) > MAX_PATH_CHARS:
        raise PathError("empty or too long")
    if "\\" in path or "\x00" in path or any(ord(c) < 32 for c in path):
        raise PathError("backslashes and control characters are not allowed")
    if path.startswith("/") or re.match(r"[A-Za-z]:", path):
        raise PathError("must be relative to the repository")
    parts = path.split("/")
    for part in parts:
        if part in ("", ".", ".."):
            raise PathError("no empty, '.' or '..' parts")
        if part.lower() in (".git", ".gitmodules", ".gitattributes") or part.startswith("-"):
            raise PathError(f"{part!r} is not allowed in a path")
    if posixpath.normpath(path) != path:
        raise PathError("not a normal path")
    if suffix and not path.endswith(suffix):
        raise PathError(f"must end in {suffix}")
    return path


def check_template(template: str) -> str:
    """`template` if it only uses known fields and makes safe paths; else `PathError`."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise PathError(f"braces do not match: {exc}") from exc
    seen = set()
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in FIELDS or conversion:
            raise PathError(f"unknown field {{{field}}}; use {{term}}, {{number}}, {{date}}")
        if spec and not (field == "number" and _NUMBER_SPEC.fullmatch(spec)):
            raise PathError(f"format {spec!r} is not allowed for {{{field}}}")
        seen.add(field)
    if "number" not in seen and "date" not in seen:
        raise PathError("needs {number} or {date}, or every week would share one file")
    check_relative_path(render(template, term="term", number=1, day=date(2025, 1, 1)))
    return template


def render(template: str, *, term: str, number: int, day: date) -> str:
    """The path of a week's page; checked again, whatever the term's name holds."""
    path = template.format(
        term=term_slug(term), number=number, date=day.isoformat(), year=f"{day.year:04d}"
    )
    return check_relative_path(path)


@dataclass(frozen=True)
class PathMatch:
    path: str
    term: str | None
    number: int | None
    day: date | None


def matcher(template: str) -> re.Pattern[str]:
    """A regex that reads the fields back out of a path made by `template`."""
    pattern = []
    used: set[str] = set()
    for literal, field, _spec, _conversion in string.Formatter().parse(template):
        pattern.append(re.escape(literal))
        if field is None:
            continue
        if field in used:  # the same field twice must match the same text
            pattern.append(f"(?P={field})")
            continue
        used.add(field)
        if field == "term":
            pattern.append(r"(?P<term>[^/]+)")
        elif field == "number":
            pattern.append(r"(?P<number>[0-9]{1,4})")
        elif field == "date":
            pattern.append(r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})")
        else:
            pattern.append(r"(?P<year>[0-9]{4})")
    return re.compile("".join(pattern))


def match(template: str, path: str) -> PathMatch | None:
    """The fields of `path` if `template` could have made it; else None."""
    m = matcher(template).fullmatch(path)
    if m is None:
        return None
    groups = m.groupdict()
    day = None
    if groups.get("date"):
        try:
            day = date.fromisoformat(groups["date"])
        except ValueError:
            return None
    number = int(groups["number"]) if groups.get("number") else None
    return PathMatch(path=path, term=groups.get("term"), number=number, day=day)


def relative_link(from_file: str, to_file: str) -> str:
    """The markdown link from one file of the repository to another."""
    start = posixpath.dirname(from_file) or "."
    return posixpath.relpath(to_file, start)
