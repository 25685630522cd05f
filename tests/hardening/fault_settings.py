"""Settings for the subprocesses of the fault tests: the test settings, with emails written
to `HARDENING_MAIL_DIR` by `tests.hardening.mail.BlockingFileBackend`."""

from __future__ import annotations

import os

from seminar.config.test_settings import *  # noqa: F403

EMAIL_BACKEND = "tests.hardening.mail.BlockingFileBackend"
EMAIL_FILE_PATH = os.environ["HARDENING_MAIL_DIR"]
