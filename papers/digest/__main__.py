"""``python -m papers.digest FILE...``: parse digests and print JSON to stdout.

Prints a list with one object per file:
``{"file", "date", "format", "papers", "errors", "failures"}``.
Exit status 1 only if a file could not be read at all; parse problems are in ``errors``.
``-`` reads standard input.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .parser import parse_digest
from .types import FORMAT_UNKNOWN


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as fh:
        return fh.read()


def digest_file(path: str) -> tuple[dict[str, Any], bool]:
    """The JSON object for one file, and whether the file could be read."""
    try:
        data = _read(path)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return {
            "file": path,
            "date": None,
            "format": FORMAT_UNKNOWN,
            "papers": [],
            "errors": [f"could not read the file: {reason}"],
            "failures": [],
        }, False
    return {"file": path, **parse_digest(data).to_dict()}, True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m papers.digest",
        description="Parse daily-digest files of Hugging Face Daily Papers summaries to JSON.",
    )
    ap.add_argument("files", nargs="+", metavar="FILE", help="digest file ('-' for stdin)")
    args = ap.parse_args(argv)
    results: list[dict[str, Any]] = []
    ok = True
    for path in args.files:
        obj, readable = digest_file(path)
        results.append(obj)
        ok = ok and readable
    out = json.dumps(results, ensure_ascii=False, indent=2) + "\n"
    # Write UTF-8 bytes whatever the console encoding is (titles are often Korean).
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is not None:
        sys.stdout.flush()
        buffer.write(out.encode("utf-8"))
        buffer.flush()
    else:
        sys.stdout.write(out)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
