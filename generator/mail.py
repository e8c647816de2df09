"""`recap email`: tell a client their recap is ready, with the link to their journal.

The message is multipart/alternative (plain text and HTML). With the client's
`email_content: full` it carries the recap itself: successes, the discussion (Markdown
rendered to HTML), resources and commitments. It never carries the journal's password: the
client already has it, and an email is the last place it should travel.

SMTP settings come from `site_config.yml` (`email:`), the credentials from the environment
(`RECAP_SMTP_USER`, `RECAP_SMTP_PASSWORD`), so no secret is ever written in the project.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

from generator.config import SiteConfig
from generator.errors import RecapError
from generator.fs import write_atomic
from generator.mailtext import html_text, markdown_html
from generator.model import Client, Recap
from generator.render import page_name

log = logging.getLogger(__name__)

USER_ENV = "RECAP_SMTP_USER"
PASSWORD_ENV = "RECAP_SMTP_PASSWORD"
TIMEOUT = 30
LOOPBACK = {"localhost", "127.0.0.1", "::1"}


@dataclass(frozen=True)
class SentEmail:
    """What `send_recap_email` did: sent to `recipient`, or written to `eml` on a dry run."""

    recipient: str
    subject: str
    link: str
    eml: Path | None = None


NO_BASE_URL = (
    "no publish.base_url in site_config.yml: set it to the public address of your published "
    "sites (for example https://coach.github.io/journals) so the email can link to the journal"
)
NO_SENDER = (
    "no email.sender in site_config.yml: set it to the From address, for example "
    "`sender: Alex Rivera <alex@example.com>`"
)
NO_HOST = (
    "no email.host in site_config.yml: set your SMTP server (for example smtp.fastmail.com), "
    "its port and security (starttls on 587, tls on 465)"
)


def missing_settings(config: SiteConfig, client: Client, *, sending: bool) -> list[str]:
    """Everything still to set before `client` can be emailed, all at once (not one per run)."""
    missing = []
    if not client.email:
        missing.append(
            f"{client.slug} has no email address: add `email: name@example.com` to "
            f"{client.folder.name}/client.yml"
        )
    if not config.email.sender or "@" not in parseaddr(config.email.sender)[1]:
        missing.append(NO_SENDER)
    if not config.publish.base_url:
        missing.append(NO_BASE_URL)
    if sending and not config.email.host:
        missing.append(NO_HOST)
    return missing


def _require(missing: list[str]) -> None:
    if len(missing) == 1:
        raise RecapError(missing[0])
    if missing:
        raise RecapError(
            f"{len(missing)} things to set first:\n" + "\n".join(f"- {m}" for m in missing)
        )


def journal_link(config: SiteConfig, slug: str) -> str:
    """The public address of the client's journal: `publish.base_url` + `/<site id>/`."""
    base = config.publish.base_url
    if not base:
        raise RecapError(NO_BASE_URL)
    return f"{base.rstrip('/')}/{config.state.site_id(slug)}/"


def pick_recap(client: Client, session: dt.date | None) -> Recap:
    """The published recap of `session` (a date), or the latest published one."""
    if session is None:
        if not client.published:
            raise RecapError(f"{client.slug} has no published recap to announce yet")
        return client.published[-1]
    on_day = [r for r in client.recaps if r.date == session]
    published = [r for r in on_day if r.published]
    if published:
        return published[-1]
    if on_day:
        raise RecapError(
            f"the recap of {session} ({on_day[-1].path.name}) is a draft: set "
            "`status: published`, publish the journal, then send the email"
        )
    dates = ", ".join(r.date.isoformat() for r in client.published[-5:]) or "none"
    raise RecapError(f"{client.slug} has no recap dated {session} (latest: {dates})")


def compose(config: SiteConfig, client: Client, recap: Recap) -> EmailMessage:
    """The email announcing `recap` to `client`: plain text and HTML alternatives."""
    _require(missing_settings(config, client, sending=False))
    sender = config.email.sender
    link = journal_link(config, client.slug)
    page = f"{link}sessions/{page_name(config.state.page_key(client.slug), recap.path.stem)}/"
    colour = _hex(config.branding.primary_colour)
    full = client.email_content == "full"
    context = {
        "client": client,
        "recap": recap,
        "coach": config.branding.coach_name,
        "practice": config.branding.practice_name,
        "link": link,
        "page": page,
        "full": full,
        "discussion": markdown_html(recap.body, colour) if full and recap.body.strip() else "",
        "titled": _starts_with_heading(recap.body),
        "colour": colour,
    }
    message = EmailMessage()
    title = f": {recap.title}" if config.email.title_in_subject else ""
    message["Subject"] = f"Your session recap is ready{title} ({long_date(recap.date)})"
    message["From"] = sender
    message["To"] = f"{client.name} <{client.email}>"
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2])
    message.set_content(_plain_text(context))
    message.add_alternative(_render_html(context), subtype="html")
    return message


def send_recap_email(
    config: SiteConfig,
    client: Client,
    *,
    session: dt.date | None = None,
    dry_run: bool = False,
    env: Mapping[str, str],
) -> SentEmail:
    """Compose and send the email for one recap; on `dry_run`, write an `.eml` file instead.

    The `.eml` goes to `.recap/outbox/<slug>-<date>.eml` (private, git-ignored): open it in
    any mail program to see exactly what the client would receive.
    """
    _require(missing_settings(config, client, sending=not dry_run))
    recap = pick_recap(client, session)
    message = compose(config, client, recap)
    sent = SentEmail(client.email or "", str(message["Subject"]), journal_link(config, client.slug))
    if dry_run:
        path = config.state.root / "outbox" / f"{client.slug}-{recap.date.isoformat()}.eml"
        write_atomic(path, message.as_bytes(), mode=0o600)
        return SentEmail(sent.recipient, sent.subject, sent.link, eml=path)
    deliver(config, message, env)
    return sent


def deliver(config: SiteConfig, message: EmailMessage, env: Mapping[str, str]) -> None:
    """Send `message` through the configured SMTP server; `RecapError` with the fix on failure."""
    settings = config.email
    if not settings.host:
        raise RecapError(NO_HOST)
    user, password = env.get(USER_ENV), env.get(PASSWORD_ENV)
    where = f"{settings.host}:{settings.port}"
    if user and settings.security == "none" and settings.host not in LOOPBACK:
        raise RecapError(
            f"refusing to send your SMTP password unencrypted to {where}: set email.security "
            "to starttls (port 587) or tls (port 465)"
        )
    context = ssl.create_default_context()
    try:
        if settings.security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=TIMEOUT, context=context
            )
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT)
        with smtp:
            if settings.security == "starttls":
                smtp.starttls(context=context)
            if user:
                smtp.login(user, password or "")
            smtp.send_message(message)
    except smtplib.SMTPNotSupportedError as exc:
        raise RecapError(
            f"{where} does not offer STARTTLS{_detail(exc)}: set email.security to tls "
            "(usually port 465), or none only for a server on this machine"
        ) from exc
    except smtplib.SMTPAuthenticationError as exc:
        raise RecapError(
            f"{where} refused the login{_detail(exc)}: check {USER_ENV} and {PASSWORD_ENV}"
        ) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise RecapError(
            f"{where} refused the recipient {', '.join(exc.recipients)}{_detail(exc)}"
        ) from exc
    except smtplib.SMTPSenderRefused as exc:
        hint = "" if user else f" (does it need a login? set {USER_ENV} and {PASSWORD_ENV})"
        raise RecapError(f"{where} refused the sender {exc.sender}{_detail(exc)}{hint}") from exc
    except ssl.SSLCertVerificationError as exc:
        raise RecapError(
            f"TLS failed with {where}: its certificate is not trusted ({exc.verify_message}); "
            "check email.host is the server's real name"
        ) from exc
    except ssl.SSLError as exc:
        raise RecapError(
            f"TLS failed with {where} ({exc.reason or exc}): port 465 usually needs "
            "security: tls, port 587 security: starttls"
        ) from exc
    except (smtplib.SMTPServerDisconnected, TimeoutError) as exc:
        raise RecapError(
            f"{where} stopped answering ({exc or 'timed out'}): check email.port and "
            "email.security (465 with tls, 587 with starttls)"
        ) from exc
    except smtplib.SMTPException as exc:
        raise RecapError(f"{where} refused the email{_detail(exc)}") from exc
    except ConnectionRefusedError as exc:
        raise RecapError(
            f"could not connect to {where}: connection refused; check email.host and email.port"
        ) from exc
    except socket.gaierror as exc:
        raise RecapError(
            f"could not find the SMTP server {settings.host!r}: {exc.strerror}; check email.host"
        ) from exc
    except OSError as exc:
        raise RecapError(f"could not reach {where}: {exc.strerror or exc}") from exc
    log.info("sent %s to %s via %s", message["Subject"], message["To"], where)


def _detail(exc: smtplib.SMTPException) -> str:
    code = getattr(exc, "smtp_code", None)
    error = getattr(exc, "smtp_error", b"")
    text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
    return f" ({code} {text.strip()})" if code else ""


def _starts_with_heading(body: str) -> bool:
    """Whether the discussion brings its own first heading (`recap new`'s template does)."""
    return body.lstrip().startswith("#")


def _hex(colour: str) -> str:
    """A CSS colour for the email's accents (Material names have no CSS equivalent)."""
    return colour if colour.startswith("#") else "#00796b"


def _plain_text(c: dict) -> str:
    recap: Recap = c["recap"]
    lines = [
        f"Hello {c['client'].name},",
        "",
        f"The recap of our session on {long_date(recap.date)}, “{recap.title}”,",
        "is in your journal:",
        "",
        f"    {c['page']}",
        "",
        f"Your journal: {c['link']}",
        "(Open it with the password you already have.)",
    ]
    if c["full"]:
        lines += _plain_sections(recap, c["discussion"])
    lines += ["", f"— {c['coach']}", c["practice"], ""]
    return "\n".join(lines)


def _plain_sections(recap: Recap, discussion: str) -> list[str]:
    out: list[str] = []

    def section(title: str, items: list[str]) -> None:
        if items:
            out.extend(["", title, "-" * len(title), *[f"- {item}" for item in items]])

    section("Successes", recap.successes)
    if recap.body.strip():
        titled = [] if _starts_with_heading(recap.body) else ["What we discussed", "-" * 17]
        out.extend(["", *titled, html_text(discussion)])
    section("Resources", [f"{r.title}: {r.url}" if r.title != r.url else r.url
                          for r in recap.resources])  # fmt: skip
    section("Commitments", [_commitment_line(c) for c in recap.commitments])
    section("Next steps", recap.next_steps)
    return out


def _commitment_line(commitment) -> str:
    due = f" (due {long_date(commitment.due)})" if commitment.due else ""
    state = "" if commitment.status == "open" else f" [{commitment.status}]"
    return f"{commitment.text}{due}{state}"


HTML = """\
<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ recap.title }}</title></head>
<body style="margin:0;padding:24px;font-family:-apple-system,Segoe UI,Roboto,sans-serif;\
line-height:1.5;color:#222;background:#f6f6f6">
<div style="max-width:600px;margin:0 auto;background:#fff;padding:24px;border-radius:8px">
<p>Hello {{ client.name }},</p>
<p>The recap of our session on {{ recap.date | long_date }},
<strong>{{ recap.title }}</strong>, is in your journal.</p>
<p><a href="{{ page }}" style="display:inline-block;padding:10px 18px;background:{{ colour }};\
color:#fff;text-decoration:none;border-radius:4px">Read the recap</a></p>
<p style="font-size:14px;color:#555">Your journal: <a href="{{ link }}" \
style="word-break:break-all">{{ link }}</a><br>
Open it with the password you already have.</p>
{% if full %}
{% if recap.successes %}<h2>Successes</h2><ul>{% for s in recap.successes %}<li>{{ s }}</li>\
{% endfor %}</ul>{% endif %}
{% if discussion %}{% if not titled %}<h2>What we discussed</h2>{% endif %}\
{{ discussion | safe }}{% endif %}
{% if recap.resources %}<h2>Resources</h2><ul>{% for r in recap.resources %}\
<li><a href="{{ r.url }}">{{ r.title }}</a></li>{% endfor %}</ul>{% endif %}
{% if recap.commitments %}<h2>Commitments</h2><ul>{% for c in recap.commitments %}\
<li>{{ c.text }}{% if c.due %} <em>(due {{ c.due | long_date }})</em>{% endif %}\
{% if c.status != 'open' %} [{{ c.status }}]{% endif %}</li>{% endfor %}</ul>{% endif %}
{% if recap.next_steps %}<h2>Next steps</h2><ul>{% for s in recap.next_steps %}<li>{{ s }}</li>\
{% endfor %}</ul>{% endif %}
{% endif %}
<p>— {{ coach }}<br><span style="color:#555">{{ practice }}</span></p>
</div></body></html>
"""


def _render_html(context: dict) -> str:
    from jinja2 import Environment

    env = Environment(autoescape=True)
    env.filters["long_date"] = long_date
    return env.from_string(HTML).render(**context)


def long_date(date: dt.date) -> str:
    """`2 November 2026` (portable: `%-d` is not on every platform)."""
    return f"{date.day} {date:%B %Y}"
