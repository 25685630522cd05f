"""The data version: one token that changes with every write to what pages show.

Database triggers (installed after every `migrate` by `seminar.versions.install_triggers`)
replace the token in the same transaction as the write, so caches keyed by it can never serve
a page older than the data it was read with; see `seminar/versions.py`.
"""

from __future__ import annotations

from django.db import models


class DataVersion(models.Model):
    scope = models.CharField(max_length=40, primary_key=True)
    # A random token, not a counter: a rolled-back write or an emptied table (tests) can
    # never bring back a token that a cache entry was stored under.
    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = "data version"
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.scope}: {self.token}"
