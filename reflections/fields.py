"""Encryption at rest for the free text of reflections.

`EncryptedTextField` stores text as a Fernet token (AES-128-CBC with an HMAC)
made with the newest key in FIELD_ENCRYPTION_KEYS, and reads tokens made with
any of them, so keys can be rotated: put a new key first, run
`python manage.py reencrypt_fields`, then drop the old key.

Text is normalised to Unicode NFC before it is encrypted. The empty string is
stored as it is: it says nothing but "no text", and lets queries ask which
notes are empty. Encrypted text cannot be searched in the
database; searches decrypt a person's own notes in Python.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


class DecryptionError(Exception):
    """A stored value that none of the configured keys can open."""


@lru_cache(maxsize=4)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS has no key.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS holds a value that is not a Fernet key "
            "(32 url-safe base64-encoded bytes)."
        ) from None


def fernet() -> MultiFernet:
    """The keys in force, newest first (cached per set of keys)."""
    return _fernet_for(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeEncodeError):
        raise DecryptionError(
            "A stored note could not be decrypted with any key in FIELD_ENCRYPTION_KEYS. "
            "Was a key removed before `manage.py reencrypt_fields` ran?"
        ) from None


class EncryptedTextField(models.TextField):
    """A TextField whose values are encrypted in the database."""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        # Stored in Unicode NFC (what browsers mostly send; canonically the same
        # text), so search compares like with like (reflections.models.search_key).
        return encrypt(unicodedata.normalize("NFC", value))

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)
