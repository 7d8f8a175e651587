"""EMAIL_URL: one variable for the SMTP server, read as the settings start."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.email import SmtpServer, smtp_server

ROOT = Path(__file__).resolve().parent.parent


def test_smtp_is_starttls_on_the_submission_port():
    assert smtp_server("smtp://alerts:secret@mail.example.com") == SmtpServer(
        "mail.example.com", 587, "alerts", "secret", use_tls=True, use_ssl=False
    )


def test_smtp_ssl_is_tls_from_the_start_on_465():
    found = smtp_server("smtp+ssl://u:p@mail.example.com")
    assert (found.port, found.use_tls, found.use_ssl) == (465, False, True)


def test_smtp_plain_is_for_a_relay_without_tls():
    found = smtp_server("smtp+plain://127.0.0.1:2525")
    assert (found.host, found.port, found.user, found.password) == (
        "127.0.0.1",
        2525,
        "",
        "",
    )
    assert not (found.use_tls or found.use_ssl)


def test_the_user_and_password_are_percent_decoded():
    found = smtp_server("smtp://alerts%40example.com:p%40ss%3Aw0rd@mail.example.com:25")
    assert (found.user, found.password, found.port) == (
        "alerts@example.com",
        "p@ss:w0rd",
        25,
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://mail.example.com", "EMAIL_URL must start with smtp://"),
        ("smtp://mail.example.com:port", "EMAIL_URL's port is not a number"),
        ("smtp://", "EMAIL_URL has no host"),
    ],
)
def test_a_url_that_cannot_be_read_is_refused(url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        smtp_server(url)


def test_the_settings_take_the_server_from_email_url():
    code = (
        "from django.conf import settings as s; import django; django.setup(); "
        "print(s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_USE_TLS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "EMAIL_URL": "smtp://me:pw@smtp.example.com",
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["smtp.example.com", "587", "me", "True"]
