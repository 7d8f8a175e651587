"""EMAIL_URL: the SMTP server the radar sends through, in one variable.

    smtp://user:password@host:587       STARTTLS (the submission port)
    smtp+ssl://user:password@host:465   TLS from the first byte
    smtp+plain://host:25                no TLS: a relay on the same machine

The user name and password are percent-encoded (an "@" in one is "%40").
A URL that cannot be read stops the process at start-up, naming what is
wrong, like every other setting.
"""

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

# scheme: (STARTTLS, implicit TLS, default port)
SCHEMES = {
    "smtp": (True, False, 587),
    "smtp+ssl": (False, True, 465),
    "smtp+plain": (False, False, 25),
}


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    user: str
    password: str
    use_tls: bool
    use_ssl: bool


def smtp_server(url: str) -> SmtpServer:
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise ImproperlyConfigured(
            f"EMAIL_URL must start with {', '.join(f'{s}://' for s in SCHEMES)}, "
            f"not {parts.scheme!r}"
        )
    use_tls, use_ssl, default_port = SCHEMES[parts.scheme]
    try:
        port = parts.port or default_port
    except ValueError:
        raise ImproperlyConfigured("EMAIL_URL's port is not a number") from None
    if not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL has no host")
    return SmtpServer(
        host=parts.hostname,
        port=port,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_tls=use_tls,
        use_ssl=use_ssl,
    )
