"""Email over SMTP, configured by EMAIL_URL:

    smtp://user:password@host:port             plain SMTP (port 25 by default)
    smtp://user:password@host:587?starttls=1   upgraded with STARTTLS (port 587 by default)
    smtps://user:password@host:465             implicit TLS (port 465 by default)
    …?timeout=10                               seconds (default NOTIFY_HTTP_TIMEOUT_SECONDS)

User and password are URL-encoded in the URL. Each message is multipart: a text part and an
HTML part. SMTP 4xx answers and connection failures are worth retrying; 5xx answers are not."""

import smtplib
from email.utils import formataddr, make_msgid, parseaddr
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import global_settings, settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.smtp import EmailBackend
from django.utils.html import linebreaks

from . import escaping
from ._http import button_text, clip, with_link
from .base import Message, SendResult, Target

PROVIDER = "SMTP"
FALLBACK_FROM = "vcassure@localhost"
TRUE = {"1", "true", "yes", "on"}


def backend_from_url(url: str) -> EmailBackend:
    """An SMTP connection (opened per send by Django) from EMAIL_URL; ValueError when malformed."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("EMAIL_URL must look like smtp://user:password@host:port")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    use_ssl = parts.scheme == "smtps"
    use_tls = not use_ssl and query.get("starttls", "").lower() in TRUE
    port = parts.port or (465 if use_ssl else 587 if use_tls else 25)
    return EmailBackend(
        host=parts.hostname,
        port=port,
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_tls=use_tls,
        use_ssl=use_ssl,
        timeout=float(query.get("timeout") or settings.NOTIFY_HTTP_TIMEOUT_SECONDS),
        fail_silently=False,
    )


def from_address() -> str:
    sender = getattr(settings, "DEFAULT_FROM_EMAIL", "") or FALLBACK_FROM
    # Django's own default ("webmaster@localhost") means nobody chose one.
    return FALLBACK_FROM if sender == global_settings.DEFAULT_FROM_EMAIL else sender


def _smtp_failure(code: int, detail: object) -> SendResult:
    text = detail.decode(errors="replace") if isinstance(detail, bytes) else str(detail)
    return SendResult(
        ok=False, retryable=400 <= code < 500, error=clip(f"{PROVIDER}: {code} {text}")
    )


class EmailChannel:
    code = "email"
    kind = "personal"
    required_setting = "EMAIL_URL"  # the platform setting this channel needs
    address_field = "email"  # the Staff field it sends to
    ack_class = "office"

    def send(self, message: Message, target: Target) -> SendResult:
        if not settings.EMAIL_URL:
            return SendResult(
                ok=False, retryable=False, error="Email (EMAIL_URL) is not configured"
            )
        recipient = target.recipient
        if recipient is None or not recipient.email:
            return SendResult(
                ok=False,
                retryable=False,
                error="Email: this person's email address is not configured",
            )
        try:
            connection = backend_from_url(settings.EMAIL_URL)
        except ValueError as exc:
            return SendResult(
                ok=False, retryable=False, error=clip(f"Email: EMAIL_URL is not valid: {exc}")
            )
        sender = from_address()
        # The domain is given so that make_msgid does not look up this machine's FQDN.
        message_id = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or "localhost")
        text = escaping.plain(message.text or message.markdown)
        # message.html is the platform's own; plain text becomes HTML escaped.
        html = message.html or linebreaks(escaping.html(text))
        if message.link_url and not message.html:
            html += f'<p><a href="{escaping.html(message.link_url)}">{escaping.html(button_text(message))}</a></p>'
        mail = EmailMultiAlternatives(
            subject=escaping.plain(message.title, multiline=False),
            body=with_link(text, message.link_url),
            from_email=sender,
            to=[
                formataddr((recipient.name, recipient.email)) if recipient.name else recipient.email
            ],
            connection=connection,
            headers={"Message-ID": message_id},
        )
        mail.attach_alternative(html, "text/html")
        try:
            sent = mail.send()
        except smtplib.SMTPRecipientsRefused as exc:
            code, detail = next(iter(exc.recipients.values()))
            return _smtp_failure(code, detail)
        except smtplib.SMTPResponseException as exc:  # sender refused, data refused, auth, greeting
            return _smtp_failure(exc.smtp_code, exc.smtp_error)
        except (smtplib.SMTPException, OSError) as exc:  # disconnected, refused, timed out, TLS
            return SendResult(
                ok=False, retryable=True, error=clip(f"{PROVIDER}: {type(exc).__name__}: {exc}")
            )
        if not sent:
            return SendResult(
                ok=False, retryable=True, error=f"{PROVIDER}: the server accepted no message"
            )
        return SendResult(ok=True, provider_ref=message_id)
