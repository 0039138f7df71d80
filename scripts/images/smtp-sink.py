"""The CI check's SMTP server in Mailpit's place: prints every message it receives.

Listens on 0.0.0.0:1025 (what the app's EMAIL_URL, smtp://mailpit:1025, names) and
writes each message to standard output between ---------- MESSAGE FOLLOWS ----------
and ------------ END MESSAGE ------------ lines (aiosmtpd's Debugging handler), so
`podman logs` shows it. Stops at once, with exit status 0, on SIGTERM or SIGINT.
"""

import signal
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Debugging


def stop(signum, frame):
    controller.stop()
    sys.exit(0)


controller = Controller(Debugging(sys.stdout), hostname="0.0.0.0", port=1025)  # noqa: S104  # nosec B104
signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
controller.start()
print("SMTP sink listening on 0.0.0.0:1025", flush=True)
while True:
    signal.pause()
