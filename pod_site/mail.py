"""An email backend that writes each message to a .eml file of its own.

Django's file backend appends every message of a connection to one `.log`
file; a `.eml` file opens in any mail program, as the recipient would see it.
`manage.py sample_digest` writes its sample with it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from django.core.mail import EmailMessage
from django.core.mail.backends.filebased import EmailBackend


class EmlFileBackend(EmailBackend):
    """Writes each message to `<file_path>/<date>-<time>-<random>.eml` and
    remembers the paths it wrote (`written`)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.written: list[Path] = []

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            name = f"{datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
            path = Path(self.file_path) / name
            path.write_bytes(message.message().as_bytes())
            self.written.append(path)
            sent += 1
        return sent
