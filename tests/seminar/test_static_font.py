"""The vendored Pretendard survives `collectstatic` as production runs it (WhiteNoise's manifest
storage rewrites every url() in the CSS to a hashed name, and fails on one it cannot find)."""

from __future__ import annotations

import re

from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command

CSS = "vendor/pretendard/pretendardvariable-dynamic-subset.css"


def test_the_font_css_and_its_files_are_collected_with_hashed_names(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    # (Django's test signals reset the storage when these settings change.)
    call_command("collectstatic", interactive=False, verbosity=0)
    hashed = staticfiles_storage.stored_name(CSS)
    css = (tmp_path / hashed).read_text(encoding="utf-8")
    urls = re.findall(r"url\(([^)]+)\)", css)
    assert len(urls) == 92
    for url in (u.strip("'\"") for u in urls):
        target = (tmp_path / hashed).parent / url
        assert target.is_file(), url
        assert re.search(r"\.[0-9a-f]{12}\.woff2$", url), url  # hashed: cached forever
