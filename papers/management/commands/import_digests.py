"""`python manage.py import_digests PATH...`: import digest files, folders or globs now."""

from __future__ import annotations

import glob
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from papers.models import Digest
from papers.services import import_digest_file
from papers.sources import digest_files_in


def expand_paths(patterns: list[str]) -> tuple[list[Path], list[str]]:
    """Files named by the arguments (folders give their *.md/*.txt), and what matched nothing."""
    files: list[Path] = []
    missing: list[str] = []
    for pattern in patterns:
        path = Path(pattern)
        if path.is_dir():
            files += digest_files_in(path)
        elif path.is_file():
            files.append(path)
        elif glob.has_magic(pattern):
            matches = sorted(Path(p) for p in glob.glob(pattern, recursive=True))
            found = [p for p in matches if p.is_file()]
            files += found
            if not found:
                missing.append(pattern)
        else:
            missing.append(pattern)
    return list(dict.fromkeys(files)), missing


class Command(BaseCommand):
    help = "Import daily-digest files (files, folders of *.md/*.txt, or glob patterns)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")

    def handle(self, *args, paths: list[str], **options):
        files, missing = expand_paths(paths)
        for pattern in missing:
            self.stderr.write(f"{pattern}: no such file")
        failed = len(missing)
        totals = dict.fromkeys(("new", "updated", "unchanged", "failed"), 0)
        for path in files:
            started = timezone.now()
            try:
                digest = import_digest_file(path=path)
            except (OSError, ValidationError) as exc:
                reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else exc
                self.stderr.write(f"{path}: not imported ({reason})")
                failed += 1
                continue
            if digest.finished_at and digest.finished_at < started:
                # Same content as an earlier import: nothing was written this time.
                self.stdout.write(
                    f"{path}: already imported as digest #{digest.pk} ({digest.status})"
                )
                failed += digest.status == Digest.Status.FAILED
                continue
            counts = {
                "new": digest.papers_new,
                "updated": digest.papers_updated,
                "unchanged": digest.papers_unchanged,
                "failed": digest.papers_failed,
            }
            for key, value in counts.items():
                totals[key] += value
            figures = " ".join(f"{key}={value}" for key, value in counts.items())
            line = f"{path}: {digest.status} {figures} (digest #{digest.pk}, {digest.date or '?'})"
            if digest.status == Digest.Status.FAILED:
                failed += 1
                reasons = "; ".join(e["reason"] for e in digest.errors[:3])
                self.stdout.write(self.style.ERROR(f"{line}: {reasons}"))
            elif digest.status == Digest.Status.PARTIAL:
                self.stdout.write(self.style.WARNING(line))
            else:
                self.stdout.write(line)
        summary = " ".join(f"{key}={value}" for key, value in totals.items())
        self.stdout.write(f"{len(files)} file(s), {failed} failed; papers {summary}")
        if failed:
            raise CommandError(f"{failed} file(s) could not be imported.")
