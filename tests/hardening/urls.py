"""Every URL pattern of the project, from the resolver, with a concrete path for each."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    key: str  # the URL name ("admin:index"), or "admin:<route>" for an unnamed pattern
    route: str  # the pattern's route from the root, e.g. "weeks/<int:pk>/"
    namespace: str


def all_routes() -> list[Route]:
    routes: list[Route] = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                walk(
                    pattern.url_patterns,
                    route,
                    f"{namespace}:{inner}".strip(":") if inner else namespace,
                )
            elif isinstance(pattern, URLPattern):
                name = pattern.name or route
                key = f"{namespace}:{name}" if namespace else name
                routes.append(Route(key=key, route=route, namespace=namespace))

    walk(get_resolver().url_patterns, "", "")
    return routes


_CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")
_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


def fill(route: str, values: dict[str, str]) -> str:
    """A path for `route`, each `<conv:name>` or `(?P<name>…)` replaced by `values[name]`."""
    path = _GROUP.sub(lambda m: values[m["name"]], route)
    path = _CONVERTER.sub(lambda m: values[m["name"]], path)
    path = path.replace("^", "").replace("$", "")
    return "/" + path
