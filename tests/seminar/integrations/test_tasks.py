"""The beat table names integration tasks by string: each must exist in a worker."""

from __future__ import annotations

import subprocess
import sys

from seminar.beat import SCHEDULES


def test_every_scheduled_integration_task_is_registered_in_a_fresh_worker_process():
    """In a new process (as a worker starts), not this test process that imported everything."""
    names = sorted(s.task for s in SCHEDULES if s.task.startswith("integrations."))
    assert len(names) == 5
    script = (
        "import django; django.setup()\n"
        "from seminar.config.celery import app\n"
        "app.loader.import_default_modules()\n"
        "print(' '.join(sorted(app.tasks)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env={"DJANGO_SETTINGS_MODULE": "seminar.config.test_settings", "PATH": "/usr/bin:/bin"},
    ).stdout.split()
    assert [name for name in names if name not in out] == []
    assert "integrations.publish_week" in out and "integrations.deliver_chat" in out
