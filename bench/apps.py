from __future__ import annotations

from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark and its fake data: a development-only app.

    Installed when `DEBUG` or `BENCH` is on (and in the test suite); nothing in `seminar/`,
    `papers/` or `reviews/` imports it (the import contract in pyproject.toml checks).
    """

    name = "bench"
    verbose_name = "Benchmark"
