# ruff: noqa: S603, S607, S608 -- runs the PostgreSQL tools and counts our own tables by name
"""The backup and restore drill of docs/operations.md, on the test database:
pg_dump -Fc, pg_restore into a new database, then the same row counts and the
same decrypted text there. PostgreSQL only (fails in CI on anything else)."""

import os
import shutil
import subprocess
import uuid

import psycopg
import pytest
from django.apps import apps
from django.db import connection

from reflections.fields import decrypt
from reflections.models import PrincipleNote, Reflection
from tests.factories import ReflectionFactory

pytestmark = [
    # pg_dump sees only committed rows; the principles are put back afterwards.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres,
]

TEXT = "After the meeting: what Mum said about the housing officer stayed with me. ü ✓"


def conninfo(settings_dict: dict, name: str) -> dict:
    return {
        "dbname": name,
        "user": settings_dict["USER"],
        "password": settings_dict["PASSWORD"],
        "host": settings_dict["HOST"] or "127.0.0.1",
        "port": settings_dict["PORT"] or "5432",
    }


def test_a_dump_restores_into_a_new_database_with_the_same_rows_and_text(
    tmp_path, author, meeting, settings
):
    if connection.vendor != "postgresql":
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run on PostgreSQL")
        pytest.skip("the drill uses pg_dump and pg_restore")
    for tool in ("pg_dump", "pg_restore"):
        assert shutil.which(tool), f"{tool} is not installed"
    note = ReflectionFactory(author=author, meeting=meeting, text=TEXT)
    PrincipleNote.objects.create(
        reflection=note,
        principle=PrincipleNote._meta.get_field("principle").related_model.objects.first(),
        text=TEXT,
    )
    source = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": source["PASSWORD"]}
    common = [
        "-h",
        source["HOST"] or "127.0.0.1",
        "-p",
        str(source["PORT"] or 5432),
        "-U",
        source["USER"],
    ]
    dump = tmp_path / "pod.dump"
    restored = f"pod_restore_{uuid.uuid4().hex[:8]}"

    # The documented procedure: a custom-format dump, a new empty database, a restore.
    subprocess.run(
        ["pg_dump", *common, "-Fc", "-f", str(dump), source["NAME"]], env=env, check=True
    )
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{restored}"')
    try:
        subprocess.run(
            ["pg_restore", *common, "--no-owner", "--exit-on-error", "-d", restored, str(dump)],
            env=env,
            check=True,
        )
        tables = [model._meta.db_table for model in apps.get_models() if model._meta.managed]
        with connection.cursor() as cursor:
            expected = {}
            for table in tables:
                cursor.execute(f'SELECT count(*) FROM "{table}"')
                expected[table] = cursor.fetchone()[0]
        with psycopg.connect(**conninfo(source, restored)) as copy:
            found = {
                table: copy.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                for table in tables
            }
            text_column = Reflection._meta.get_field("text").column
            token = copy.execute(
                f"SELECT {text_column} FROM {Reflection._meta.db_table} WHERE id = %s", [note.pk]
            ).fetchone()[0]
            note_tokens = copy.execute(
                f"SELECT text FROM {PrincipleNote._meta.db_table} WHERE reflection_id = %s",
                [note.pk],
            ).fetchall()
        assert found == expected
        assert expected[Reflection._meta.db_table] >= 1
        assert TEXT not in token  # encrypted at rest, in the copy too
        assert decrypt(token) == TEXT
        assert [decrypt(row[0]) for row in note_tokens] == [TEXT]
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
