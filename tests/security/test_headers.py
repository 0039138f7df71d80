"""Production headers: CSP, HSTS, https only, no sniffing, no framing but by our own
pages; and Django's own deployment check passes with production settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/2fa/totp/activate/"])
def test_every_page_has_a_strict_content_security_policy(login, supervisor, path):
    client = login(supervisor) if path == "/" else Client()
    # "/" sends a supervisor on to the inbox (teams/landing.py): check the page.
    response = client.get(path, follow=path == "/")

    csp = directives(response["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["object-src"] == ["'none'"]
    # Our own pages only: the in-page sign-in dialog frames the sign-in page.
    assert csp["frame-ancestors"] == ["'self'"]
    assert csp["frame-src"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["base-uri"] == ["'self'"]
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header


def test_templates_need_no_inline_script_or_style():
    # What the CSP above would block. Emails are not web pages: no CSP there
    # (the app's own in templates/emails/, allauth's in account/email/ and mfa/email/).
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        if {"emails", "email"} & set(template.relative_to(ROOT / "templates").parts[:-1]):
            continue
        html = template.read_text()
        for needle in ("style=", "<style", " onclick=", " onload=", "javascript:"):
            if needle in html:
                offenders.append(f"{template.relative_to(ROOT)}: {needle}")
        for line in html.splitlines():
            if "<script" in line and "src=" not in line and "application/json" not in line:
                offenders.append(f"{template.relative_to(ROOT)}: {line.strip()}")
    assert offenders == []


def test_production_redirects_to_https_and_sends_hsts(settings):
    settings.SECURE_SSL_REDIRECT = True  # as production (tests turn it off)
    client = Client()

    plain = client.get("/accounts/login/")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/accounts/login/"

    secure = client.get("/accounts/login/", secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert secure["X-Content-Type-Options"] == "nosniff"
    assert secure["Referrer-Policy"] == "same-origin"
    assert secure["X-Frame-Options"] == "SAMEORIGIN"
    assert secure["Cross-Origin-Opener-Policy"] == "same-origin"


def test_behind_a_proxy_the_forwarded_scheme_counts_when_configured():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
    )
    assert result.stdout.splitlines()[-1] == "('HTTP_X_FORWARDED_PROTO', 'https')", result.stderr


def production_environment(**extra: str) -> dict[str, str]:
    unset = {"DEBUG", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "SECURE_COOKIES", "ALLOWED_HOSTS"}
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update(
        DEBUG="false",
        SECRET_KEY="a-production-like-secret-key-" + "k3y5" * 10,
        ALLOWED_HOSTS="pod.example.org",
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        **extra,
    )
    return environment


def run_manage(*arguments: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=production_environment(**extra),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_deployment_check_finds_nothing_with_production_settings():
    result = run_manage("check", "--deploy")

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert "?:" not in output
    assert "System check identified no issues" in output


def test_secure_cookies_false_keeps_plain_http_working_locally():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS)",
        SECURE_COOKIES="false",
    )
    assert result.stdout.splitlines()[-1] == "False False 0", result.stderr


def test_the_csrf_failure_page_is_friendly(author):
    client = Client(enforce_csrf_checks=True)
    client.force_login(author, backend="django.contrib.auth.backends.ModelBackend")

    response = client.post(reverse("reflections:new"), {})

    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1>Your session may have expired</h1>" in page
    assert "nhsuk-header" in page
