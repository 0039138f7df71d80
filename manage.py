#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pod_site.settings")
    # Checking or writing migrations reads only the code, never a secret or a
    # note: let that developer's tool run on the embedded defaults, without the
    # production SECRET_KEY and FIELD_ENCRYPTION_KEYS. Every other command keeps
    # DEBUG off unless the environment says otherwise.
    if sys.argv[1:2] == ["makemigrations"]:
        os.environ.setdefault("DEBUG", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
