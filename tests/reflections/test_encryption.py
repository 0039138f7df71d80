"""Free text of reflections is encrypted at rest, and keys can be rotated."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from pod_site import env
from reflections.fields import DecryptionError, decrypt
from reflections.models import Disclosure, PrincipleNote, Reflection
from tests.factories import ReflectionFactory

pytestmark = pytest.mark.django_db

SECRET = "I told them about my own time in hospital."


def raw_column(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_the_database_column_holds_ciphertext(author):
    reflection = ReflectionFactory(author=author, text=SECRET)
    disclosure = Disclosure.objects.create(reflection=reflection, what_shared=SECRET)

    stored = raw_column("reflections_reflection", "text", reflection.pk)
    stored_disclosure = raw_column("reflections_disclosure", "what_shared", disclosure.pk)

    assert SECRET not in stored
    assert "hospital" not in stored_disclosure
    assert decrypt(stored) == SECRET
    assert Reflection.objects.get(pk=reflection.pk).text == SECRET


def test_each_save_uses_a_fresh_token(author):
    first = ReflectionFactory(author=author, text=SECRET)
    second = ReflectionFactory(author=author, text=SECRET)

    assert raw_column("reflections_reflection", "text", first.pk) != raw_column(
        "reflections_reflection", "text", second.pk
    )


def test_empty_text_stays_empty_so_queries_can_ask_for_it(author):
    reflection = ReflectionFactory(author=author, text="")

    assert raw_column("reflections_reflection", "text", reflection.pk) == ""
    assert Reflection.objects.filter(text="").count() == 1


def test_key_rotation_keeps_every_note_readable(settings, author, db):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    reflection = ReflectionFactory(author=author, text=SECRET)
    principle_note = PrincipleNote.objects.create(
        reflection=reflection,
        principle_id=reflection_principle_id(),
        text="Attuned to the quiet brother.",
    )

    # Step 1: the new key goes first, the old one stays; everything still reads.
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    assert Reflection.objects.get(pk=reflection.pk).text == SECRET

    output = io.StringIO()
    call_command("reencrypt_fields", stdout=output)
    assert "reflections.Reflection: re-encrypted 1 rows." in output.getvalue()

    # Step 2: with only the new key, every note still reads.
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert Reflection.objects.get(pk=reflection.pk).text == SECRET
    assert PrincipleNote.objects.get(pk=principle_note.pk).text == "Attuned to the quiet brother."
    token = raw_column("reflections_reflection", "text", reflection.pk)
    assert Fernet(new_key).decrypt(token.encode()).decode() == SECRET


def reflection_principle_id() -> int:
    from principles.models import Principle

    return Principle.objects.peer_practice().first().pk


def test_a_value_no_key_can_open_raises_a_clear_error(settings, author):
    reflection = ReflectionFactory(author=author, text=SECRET)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(DecryptionError, match="could not be decrypted with any key"):
        Reflection.objects.get(pk=reflection.pk)


def test_a_development_key_is_generated_once_under_var(monkeypatch, tmp_path):
    monkeypatch.delenv("FIELD_ENCRYPTION_KEYS", raising=False)
    key_file = tmp_path / "var" / "field_encryption.key"

    first = env.env_fernet_keys("FIELD_ENCRYPTION_KEYS", key_file)
    second = env.env_fernet_keys("FIELD_ENCRYPTION_KEYS", key_file)

    assert first == second
    assert len(first) == 1
    Fernet(first[0])
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_keys_are_required_without_a_development_key_file(monkeypatch):
    monkeypatch.delenv("FIELD_ENCRYPTION_KEYS", raising=False)

    with pytest.raises(SystemExit, match="FIELD_ENCRYPTION_KEYS must be set when DEBUG is off"):
        env.env_fernet_keys("FIELD_ENCRYPTION_KEYS", None)


def test_a_malformed_key_is_named(monkeypatch):
    monkeypatch.setenv("FIELD_ENCRYPTION_KEYS", f"{Fernet.generate_key().decode()},not-a-key")

    with pytest.raises(SystemExit, match="FIELD_ENCRYPTION_KEYS key 2 is not a Fernet key"):
        env.env_fernet_keys("FIELD_ENCRYPTION_KEYS", None)
