"""`manage.py sample_digest`: the demo supervisor's digest as a .eml file (`make run`)."""

from email import message_from_bytes, policy
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from supervision.models import DigestDelivery

pytestmark = pytest.mark.django_db

MARKER = "MARKER-5e21"


def test_writes_one_eml_with_counts_and_no_note_text(make_supervisor, write_marker, tmp_path):
    supervisor = make_supervisor("ruth@example.org")
    supervisee = write_marker(supervisor, MARKER)
    out = StringIO()

    call_command("sample_digest", supervisor="ruth@example.org", outbox=tmp_path, stdout=out)

    files = list(tmp_path.iterdir())
    assert [file.suffix for file in files] == [".eml"]
    raw = files[0].read_bytes()
    email = message_from_bytes(raw, policy=policy.default)
    assert email["To"] == "ruth@example.org"
    text = email.get_body(("plain",)).get_content()
    html = email.get_body(("html",)).get_content()
    assert "1 shared note is waiting for your review" in text
    assert "1 summary from the intervision groups you supervise is waiting" in text
    for part in (email["Subject"], text, html, raw.decode("utf-8", "replace")):
        assert MARKER.lower() not in part.lower()
        assert supervisee.email not in part
    assert str(files[0]) in out.getvalue()
    # A sample claims no period: the real digest is still sent when it is due.
    assert not DigestDelivery.objects.exists()


def test_without_an_address_the_first_supervisor(make_supervisor, tmp_path):
    make_supervisor("first@example.org")
    make_supervisor("second@example.org")
    out = StringIO()

    call_command("sample_digest", outbox=tmp_path, stdout=out)

    (file,) = tmp_path.iterdir()
    assert message_from_bytes(file.read_bytes())["To"] == "first@example.org"
    assert "nothing to report" in out.getvalue()


def test_refuses_someone_who_does_not_supervise(author, tmp_path):
    with pytest.raises(CommandError, match="No active supervisor"):
        call_command("sample_digest", supervisor=author.email, outbox=tmp_path)
    assert not list(tmp_path.iterdir())


def test_writes_to_the_embedded_outbox_by_default(make_supervisor, settings, tmp_path):
    settings.EMAIL_FILE_PATH = tmp_path / "outbox"
    make_supervisor("ruth@example.org")

    call_command("sample_digest", stdout=StringIO())

    assert [file.suffix for file in (tmp_path / "outbox").iterdir()] == [".eml"]
