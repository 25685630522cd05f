"""Growth: the per-page run at 1, 4 and 10 times the five years of data.

Each scale has its database: the benchmark's (`seminar_bench`, or `BENCH_DATABASE_URL`) for
1x, the same name with `_x4`, `_x10` for the others, generated once with
`generate_fake_data --scale N --if-absent` (N x the weeks, the papers and the members who were
ever in the group; the group and its coming weeks stay as they are) and kept for later runs.
For each scale, `bench/run.py --growth-child` (a process of its own, as the database is a
setting) migrates and generates when needed, starts gunicorn on that database and puts
`BENCH_CLIENTS` clients on each page for `BENCH_GROWTH_SECONDS` (4) after a short warm-up;
no one-client run, no ceiling. Per page and scale: app and database CPU per request,
queries per request (`X-DB-Queries`), p95.

A page *grows with the data* when its CPU per request (app + database) at the largest scale
is more than `CPU_GROWTH` (25%) above 1x, or the database's alone is (and by at least 1 ms),
or its query count differs between scales. Runs are short, so a flag near 25% can be noise:
run again, or longer (`BENCH_GROWTH_SECONDS`), before chasing it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

SECONDS = float(os.environ.get("BENCH_GROWTH_SECONDS", "4"))
CPU_GROWTH = 0.25
# The database's share is flagged on its own when it grows by CPU_GROWTH and at least this
# much (a scan that grows with a table shows there first; below it, noise).
DB_GROWTH_FLOOR_MS = 1.0


def scales_from(text: str) -> list[int]:
    """`"1,4,10"` as [1, 4, 10]: sorted, without repeats; each at least 1."""
    scales = sorted({int(part) for part in text.split(",") if part.strip()})
    if not scales or scales[0] < 1:
        raise ValueError(f"scales are whole numbers from 1: {text!r}")
    return scales


SCALES = scales_from(os.environ.get("BENCH_GROWTH_SCALES", "1,4,10"))


def scale_database_url(base_url: str, scale: int) -> str:
    """The database of `scale` times the data: the base one for 1, `<name>_x<scale>` else."""
    if scale == 1:
        return base_url
    url = urlsplit(base_url)
    return url._replace(path=f"{url.path.rstrip('/')}_x{scale}").geturl()


def run_growth(
    script: Path, base_url: str, scales: list[int] = SCALES, seconds: float = SECONDS
) -> dict[str, object]:
    """Each scale's per-page figures, from a child run of `script` on its database:
    {"seconds_per_page", "scales": {"1": {"database", "pages": {...}}, ...}, "growing"}."""
    results: dict[str, object] = {}
    for scale in scales:
        url = scale_database_url(base_url, scale)
        print(f"Growth {scale}x: {urlsplit(url).path.lstrip('/')}", flush=True)
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "growth.json"
            env = {
                **os.environ,
                "BENCH_DATABASE_URL": url,
                "BENCH_SCALE": str(scale),
                "BENCH_SECONDS": str(seconds),
            }
            done = subprocess.run(
                [sys.executable, str(script), "--growth-child", str(out)], env=env, check=False
            )
            if done.returncode != 0 or not out.exists():
                results[str(scale)] = {"database": url, "error": f"exit {done.returncode}"}
                continue
            results[str(scale)] = json.loads(out.read_text())
    return {
        "seconds_per_page": seconds,
        "scales": results,
        "growing": growing_pages(results),
    }


def _cpu(page: dict) -> float | None:
    app, db = page.get("server_cpu_ms"), page.get("db_cpu_ms")
    return None if app is None or db is None else float(app) + float(db)


def growing_pages(scales: dict[str, dict]) -> dict[str, str]:
    """The pages whose cost grows with the data, each with why."""
    measured = {
        int(scale): result["pages"]
        for scale, result in scales.items()
        if isinstance(result, dict) and "pages" in result
    }
    if len(measured) < 2:
        return {}
    small, large = min(measured), max(measured)
    names = [n for n in measured[small] if all(n in pages for pages in measured.values())]
    growing: dict[str, str] = {}
    for name in names:
        reasons = []
        before, after = _cpu(measured[small][name]), _cpu(measured[large][name])
        if before and after is not None and after > before * (1 + CPU_GROWTH):
            reasons.append(
                f"CPU {before:.1f} -> {after:.1f} ms/request (+{after / before - 1:.0%}, "
                f"{small}x -> {large}x)"
            )
        db_before = measured[small][name].get("db_cpu_ms")
        db_after = measured[large][name].get("db_cpu_ms")
        if (
            not reasons
            and db_before
            and db_after is not None
            and db_after > db_before * (1 + CPU_GROWTH)
            and db_after - db_before >= DB_GROWTH_FLOOR_MS
        ):
            reasons.append(
                f"db CPU {db_before:.1f} -> {db_after:.1f} ms/request "
                f"(+{db_after / db_before - 1:.0%}, {small}x -> {large}x)"
            )
        counts = [measured[s][name].get("queries") for s in sorted(measured)]
        if len(set(counts)) > 1:
            reasons.append("queries " + " -> ".join(str(c) for c in counts))
        if reasons:
            growing[name] = "; ".join(reasons)
    return growing


def report_lines(growth: dict[str, object]) -> list[str]:
    """The growth table: a row per page, each figure at each scale."""
    scales = growth["scales"]
    measured = [s for s in scales if "pages" in scales[s]]
    lines = [
        f"growth: {growth['seconds_per_page']:g} s per page at "
        + ", ".join(f"{s}x" for s in scales)
        + " the data (app CPU / db CPU ms per request, queries, p95 ms)"
    ]
    for scale, result in scales.items():
        if "error" in result:
            lines.append(f"  {scale}x: failed ({result['error']})")
    if not measured:
        return lines
    width = 6 * len(measured)
    header = "".join(f"{s + 'x':>6}" for s in measured)
    lines.append(
        f"{'page':<13}{'app ms':^{width}} {'db ms':^{width}} {'queries':^{width}} "
        f"{'p95 ms':^{width}}"
    )
    lines.append(f"{'':<13}{header} {header} {header} {header}")
    pages = scales[measured[0]]["pages"]
    for name in pages:
        cells = []
        for key in ("server_cpu_ms", "db_cpu_ms", "queries", "p95_ms"):
            cells.append(
                "".join(f"{_short(scales[s]['pages'].get(name, {}).get(key)):>6}" for s in measured)
            )
        lines.append(f"{name:<13}{' '.join(cells)}")
    growing = growth.get("growing") or {}
    if growing:
        lines.append("grows with the data:")
        lines += [f"  {name}: {why}" for name, why in growing.items()]
    elif len(measured) > 1:
        lines.append("no page grows with the data (CPU +25%, or a query more).")
    return lines


def _short(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}" if value < 100 else f"{value:.0f}"
    return str(value)
