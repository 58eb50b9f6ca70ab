"""Email over SMTP (settings.SMTP_URL) with aiosmtplib: sign-up and password-reset links, address checks, and
the old address told of a change.

An action asks for an email with a mail event (events.Mail); `requested`, a subscriber of actions.publish
(subscribers.py), sends it after the commit in the background, so the page's answer never waits for SMTP
and how long a send takes tells nothing about whether an account exists; a failed send is logged, never shown.
"""

import logging
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from djangochat_rx import routes, settings
from djangochat_rx.domain.account_links import AddressChange, MailedLink
from djangochat_rx.domain.events import (
    AddressCheckRequested,
    AddressReplaced,
    Mail,
    ResetLinkRequested,
    SignupLinkRequested,
)
from djangochat_rx.domain.signup import SignupMail
from djangochat_rx.realtime.sockets import sockets

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Server:
    hostname: str
    port: int
    username: str | None
    password: str | None
    # smtps://: TLS from the first byte.
    use_tls: bool
    # smtp://: STARTTLS required (True: a username and password go only over TLS), when the server offers it
    # (None: no credentials to protect), or never (False: `?tls=none`, the credentials in clear, asked for).
    start_tls: bool | None


def configured() -> bool:
    return bool(settings.SMTP_URL)


def server(url: str) -> Server:
    """The SMTP server an SMTP_URL names; ValueError for anything but smtp:// or smtps://. Credentials go only
    over TLS (smtps://, or STARTTLS required) unless the URL ends in `?tls=none`."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("SMTP_URL must look like smtp://user:password@host:587 or smtps://user:password@host:465")
    implicit = parts.scheme == "smtps"
    credentials = bool(parts.username) and not implicit
    start_tls = parse_qs(parts.query).get("tls") != ["none"] if credentials else None
    return Server(
        hostname=parts.hostname,
        port=parts.port or (465 if implicit else 587),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        use_tls=implicit,
        start_tls=start_tls,
    )


# Headers are never folded into encoded words: a long List-Unsubscribe URL must stay a URL (RFC 5322
# allows lines of 998 characters).
POLICY = policy.SMTP.clone(max_line_length=998)


def compose(to: str, subject: str, body: str, headers: dict[str, str] | None = None) -> EmailMessage:
    """A plain-text email from SMTP_FROM, with any further `headers`, under POLICY."""
    message = EmailMessage(policy=POLICY)
    message["From"] = settings.SMTP_FROM
    message["To"] = to
    message["Subject"] = subject
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message


def reset_message(link: MailedLink) -> EmailMessage:
    url = f"{settings.PUBLIC_URL}{routes.RESET}?token={link.token}"
    minutes = settings.EMAIL_RESET_LINK_MINUTES
    return compose(
        link.address,
        "Reset your DjangoChat RX password",
        f"Hello {link.username},\n\n"
        f"someone (we hope you) asked to reset the password of your account. Open this link within "
        f"{minutes} minutes to choose a new one:\n\n{url}\n\n"
        "Using it logs your account out everywhere. If you did not ask, ignore this email: nothing changes.\n",
    )


def verify_message(link: MailedLink) -> EmailMessage:
    url = f"{settings.PUBLIC_URL}{routes.VERIFY}?token={link.token}"
    return compose(
        link.address,
        "Confirm your email address for DjangoChat RX",
        f"Hello {link.username},\n\n"
        f"open this link within {settings.VERIFY_LINK_HOURS} hours to make this your account's address "
        f"(for password resets):\n\n{url}\n\nIf you did not add it, ignore this email.\n",
    )


def signup_message(link: SignupMail) -> EmailMessage:
    """The link that finishes a sign-up by address, or, for an address that has an account, a reminder."""
    if link.username:
        return compose(
            link.address,
            "You already have a DjangoChat RX account",
            f"Someone (we hope you) asked to register with this address, which already belongs to the account "
            f"{link.username}. Log in at {settings.PUBLIC_URL}{routes.LOGIN}, or reset the password at "
            f"{settings.PUBLIC_URL}{routes.FORGOT}.\n",
        )
    url = f"{settings.PUBLIC_URL}{routes.invite(link.token)}"
    return compose(
        link.address,
        "Finish creating your DjangoChat RX account",
        f"Open this link within {settings.VERIFY_LINK_HOURS} hours to choose your username and password:\n\n"
        f"{url}\n\nIf you did not ask, ignore this email: nothing is created.\n",
    )


async def send(message: EmailMessage) -> bool:
    """Send one email; False (and a log line, without the link) when the server refused or was unreachable,
    or offered no STARTTLS to protect the SMTP password (which is then never sent)."""
    target = server(settings.SMTP_URL)
    try:
        await aiosmtplib.send(
            message,
            hostname=target.hostname,
            port=target.port,
            username=target.username,
            password=target.password,
            use_tls=target.use_tls,
            start_tls=target.start_tls,
            timeout=settings.SMTP_TIMEOUT_SECONDS,
        )
    except (aiosmtplib.SMTPException, OSError) as error:
        hint = " (the SMTP password goes only over TLS; ?tls=none in SMTP_URL sends it in clear)"
        hint = hint if target.start_tls else ""
        log.warning("email %r to %s not sent: %s%s", message["Subject"], message["To"], error, hint)
        return False
    return True


def address_changed_message(change: AddressChange) -> EmailMessage:
    """To the address an account had: another one replaced it (so its owner can act if it was not them)."""
    return compose(
        change.previous,
        "Your DjangoChat RX email address was changed",
        f"Hello {change.username},\n\n"
        f"the email address of your account is now {change.address}: this one gets no more email from us, "
        f"and for {settings.EMAIL_CHANGE_RESET_HOLD_HOURS} hours no password reset is emailed anywhere.\n\n"
        "If you did not change it, someone else is using your account: change your password (it logs out every "
        f"session and revokes your API tokens) at {settings.PUBLIC_URL}{routes.ACCOUNT}, or ask an administrator "
        "for a reset link.\n",
    )


def message_for(event: Mail) -> EmailMessage:
    """The email a mail event asks for."""
    match event:
        case SignupLinkRequested(link):
            return signup_message(link)
        case ResetLinkRequested(link):
            return reset_message(link)
        case AddressCheckRequested(link):
            return verify_message(link)
        case AddressReplaced(change):
            return address_changed_message(change)


async def requested(events: list[Mail]) -> None:
    """After the commit (actions.publish): send the emails these events ask for, each in the background (none
    without SMTP_URL)."""
    if configured():
        for event in events:
            sockets.spawn(send(message_for(event)))
