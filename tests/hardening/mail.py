"""An email backend for the killed-worker tests: Django's file backend, one file per email,
that hangs on the Nth email of a process (an SMTP server that stops answering mid-run)."""

from __future__ import annotations

import email
import os
import time
from collections import Counter
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend as FileBackend

BLOCK_ON = "HARDENING_MAIL_BLOCK_ON"  # env: hang on this email of the run (1 = the first)
BLOCKED_MARKER = "blocked"


class BlockingFileBackend(FileBackend):
    sent_by_this_process = 0

    def send_messages(self, email_messages):
        block_on = int(os.environ.get(BLOCK_ON) or 0)
        for _message in email_messages:
            BlockingFileBackend.sent_by_this_process += 1
            if BlockingFileBackend.sent_by_this_process == block_on:
                Path(self.file_path, BLOCKED_MARKER).write_text(str(os.getpid()))
                while True:  # the conversation hangs until the worker is killed
                    time.sleep(1)
        return super().send_messages(email_messages)


def recipients(directory: Path) -> Counter[str]:
    """How many emails each address got, from the files the file backend wrote."""
    counts: Counter[str] = Counter()
    for path in directory.glob("*.log"):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                counts[email.message_from_bytes(chunk)["To"]] += 1
    return counts
