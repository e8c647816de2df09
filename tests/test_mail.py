"""`recap email` against a real SMTP server on loopback (aiosmtpd), and its clear errors."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket
import ssl
from pathlib import Path

import pytest
import yaml
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from generator.render import page_name
from tests.conftest import PASSWORDS

SENDER = "Coach Testperson <coach@example.com>"
BASE_URL = "https://coach.example.github.io/journals"


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append((envelope.mail_from, envelope.rcpt_tos, envelope.content))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    """Start an SMTP server on 127.0.0.1; yields (inbox, port)."""
    started: list[Controller] = []

    def start(**smtp_options) -> tuple[Inbox, int]:
        inbox, port = Inbox(), free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port, **smtp_options)
        controller.start()
        started.append(controller)
        return inbox, port

    yield start
    for controller in started:
        controller.stop()


def configure(project, port: int, security: str = "none", **extra: str) -> None:
    """Add `publish.base_url` and an `email:` section (an empty value leaves a key out)."""
    settings = {"host": "127.0.0.1", "port": port, "security": security, "sender": SENDER}
    settings.update(extra)
    config = yaml.safe_load((project.root / "site_config.yml").read_text())
    config["publish"] = {"base_url": BASE_URL}
    config["email"] = {key: value for key, value in settings.items() if value}
    project.write("site_config.yml", yaml.safe_dump(config))


def full_content(project) -> None:
    client = project.root / "content/ada-quill/client.yml"
    client.write_text(client.read_text() + "email_content: full\n")


def test_email_reaches_the_server_as_text_and_html(project, cli, smtp_server, monkeypatch):
    monkeypatch.delenv("RECAP_SMTP_USER", raising=False)
    inbox, port = smtp_server()
    configure(project, port)
    full_content(project)

    result = cli("email", "ada-quill")

    assert result.exit_code == 0, result.output
    assert "sent to ada@example.com: Your session recap is ready (16 March 2026)" in result.output
    [(mail_from, recipients, raw)] = inbox.messages
    assert mail_from == "coach@example.com"
    assert recipients == ["ada@example.com"]
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["To"] == "Ada Quillfeather <ada@example.com>"
    assert message["From"] == SENDER
    assert message["Message-ID"].endswith("@example.com>")
    assert message.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in message.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    site_id = project.config().state.site_id("ada-quill")
    name = page_name(project.config().state.page_key("ada-quill"), "2026-03-16-progress")
    page = f"{BASE_URL}/{site_id}/sessions/{name}/"
    for text in (plain, html):
        assert page in text
        assert f"{BASE_URL}/{site_id}/" in text
        assert "Stretch after runs" in text  # a commitment: the recap is in the email
        assert "Stretching guide" in text  # a resource
    assert "<li>one</li>" in html  # the discussion's Markdown, rendered
    assert "Talked about stretching." in plain
    for password in PASSWORDS.values():
        assert password.encode() not in raw
    assert b"PRIVATE" not in raw


def test_link_only_email_leaves_the_recap_out(project, cli, smtp_server):
    inbox, port = smtp_server()
    configure(project, port)

    result = cli("email", "ada-quill", "--session", "2026-03-02")

    assert result.exit_code == 0, result.output
    message = email.message_from_bytes(inbox.messages[0][2], policy=email.policy.default)
    plain = message.get_body(("plain",)).get_content()
    assert "Kickoff Zephyrine" in plain
    name = page_name(project.config().state.page_key("ada-quill"), "2026-03-02-kickoff")
    assert f"sessions/{name}/" in plain
    assert "2026-03-02-kickoff" not in plain  # no date or title word in an address
    assert "Drink more water" not in plain
    assert "quokkaberry" not in message.get_body(("html",)).get_content()


def test_the_title_goes_in_the_subject_only_when_asked(project, cli, smtp_server):
    inbox, port = smtp_server()
    configure(project, port)
    cli("email", "ada-quill", "--session", "2026-03-02")
    configure(project, port, title_in_subject=True)
    cli("email", "ada-quill", "--session", "2026-03-02")
    subjects = [
        email.message_from_bytes(raw, policy=email.policy.default)["Subject"]
        for _, _, raw in inbox.messages
    ]
    assert subjects == [
        "Your session recap is ready (2 March 2026)",
        "Your session recap is ready: Kickoff Zephyrine (2 March 2026)",
    ]


def test_dry_run_writes_an_eml_file(project, cli):
    configure(project, 1, host="")
    full_content(project)

    result = cli("email", "ada-quill", "--dry-run")

    assert result.exit_code == 0, result.output
    assert (
        "not sent (dry run): wrote .recap/outbox/ada-quill-2026-03-16.eml for ada@example.com"
        in result.output
    )
    eml = project.root / ".recap/outbox/ada-quill-2026-03-16.eml"
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert "Stretch after runs" in message.get_body(("plain",)).get_content()
    assert eml.stat().st_mode & 0o077 == 0


def self_signed_context(folder: Path) -> ssl.SSLContext:
    """A server TLS context with a throw-away self-signed certificate for 127.0.0.1."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


def _refuse_all(server, session, envelope, mechanism, auth_data) -> AuthResult:
    return AuthResult(success=False, handled=False)


def test_wrong_login_is_a_clear_error(project, cli, smtp_server, monkeypatch):
    _, port = smtp_server(authenticator=_refuse_all, auth_require_tls=False)
    configure(project, port)
    monkeypatch.setenv("RECAP_SMTP_USER", "coach")
    monkeypatch.setenv("RECAP_SMTP_PASSWORD", "wrong")

    result = cli("email", "ada-quill")

    assert result.exit_code == 1
    assert result.output.startswith(
        f"Error: 127.0.0.1:{port} refused the login (535 5.7.8 Authentication credentials "
        "invalid): check RECAP_SMTP_USER and RECAP_SMTP_PASSWORD"
    ), result.output


def test_untrusted_certificate_is_a_clear_error(project, cli, smtp_server, tmp_path):
    _, port = smtp_server(tls_context=self_signed_context(tmp_path))
    configure(project, port, security="starttls")

    result = cli("email", "ada-quill")

    assert result.exit_code == 1
    assert result.output.startswith(
        f"Error: TLS failed with 127.0.0.1:{port}: its certificate is not trusted "
        "(self-signed certificate)"
    ), result.output


@pytest.mark.parametrize(
    ("security", "expected"),
    [
        pytest.param(
            "starttls",
            "Error: 127.0.0.1:{port} does not offer STARTTLS: set email.security to tls",
            id="no-starttls",
        ),
        pytest.param("tls", "Error: TLS failed with 127.0.0.1:{port} (", id="tls-on-plain-port"),
    ],
)
def test_wrong_security_is_a_clear_error(project, cli, smtp_server, security, expected):
    inbox, port = smtp_server()
    configure(project, port, security=security)

    result = cli("email", "ada-quill")

    assert result.exit_code == 1
    assert result.output.startswith(expected.format(port=port)), result.output
    assert "Traceback" not in result.output
    assert inbox.messages == []


def test_connection_refused_is_a_clear_error(project, cli):
    port = free_port()
    configure(project, port)

    result = cli("email", "ada-quill")

    assert result.exit_code == 1
    assert result.output == (
        f"Error: could not connect to 127.0.0.1:{port}: connection refused; "
        "check email.host and email.port\n"
    )


@pytest.mark.parametrize(
    ("setting", "slug", "expected"),
    [
        pytest.param(
            {"host": ""},
            "ada-quill",
            "Error: no email.host in site_config.yml: set your SMTP server",
            id="no-host",
        ),
        pytest.param(
            {"sender": ""},
            "ada-quill",
            "Error: no email.sender in site_config.yml: set it to the From address",
            id="no-sender",
        ),
        pytest.param(
            {},
            "ben-marsh",
            "Error: ben-marsh has no email address: add `email: name@example.com` to "
            "ben-marsh/client.yml",
            id="no-client-email",
        ),
    ],
)
def test_missing_settings_are_clear_errors(project, cli, setting, slug, expected):
    configure(project, 2525, **setting)

    result = cli("email", slug)

    assert result.exit_code == 1
    assert result.output.startswith(expected), result.output


def test_no_base_url_is_a_clear_error(project, cli):
    project.write("site_config.yml", "email:\n  sender: coach@example.com\n")

    result = cli("email", "ada-quill", "--dry-run")

    assert result.exit_code == 1
    assert result.output.startswith("Error: no publish.base_url in site_config.yml"), result.output


def test_draft_and_unknown_sessions(project, cli):
    configure(project, 2525)

    draft = cli("email", "ada-quill", "--session", "2026-03-30", "--dry-run")
    missing = cli("email", "ada-quill", "--session", "2026-01-01", "--dry-run")

    assert draft.exit_code == 1
    assert draft.output == (
        "Error: the recap of 2026-03-30 (2026-03-30-draft.md) is a draft: set "
        "`status: published`, publish the journal, then send the email\n"
    )
    assert missing.exit_code == 1
    assert missing.output == (
        "Error: ada-quill has no recap dated 2026-01-01 (latest: 2026-03-02, 2026-03-16)\n"
    )


def test_a_discussion_with_its_own_headings_is_not_titled_twice(project):
    from generator.brief import load_one
    from generator.mail import compose

    configure(project, 2525)
    full_content(project)
    project.recap(
        "ada-quill",
        "2026-04-01",
        "date: 2026-04-01\ntitle: Headed",
        "## What we discussed\n\nThe **quince** plan.",
    )
    config = project.config()
    client = load_one(config, "ada-quill")

    message = compose(config, client, client.published[-1])

    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert plain.count("What we discussed") == 1
    assert html.count("What we discussed") == 1
    assert "<p>The <strong>quince</strong> plan.</p>" in html


def test_every_missing_setting_is_reported_at_once(project, cli):
    project.write("site_config.yml", "branding: {coach_name: Coach}\n")

    result = cli("email", "ben-marsh")

    assert result.exit_code == 1
    assert result.output == (
        "Error: 4 things to set first:\n"
        "- ben-marsh has no email address: add `email: name@example.com` to "
        "ben-marsh/client.yml\n"
        "- no email.sender in site_config.yml: set it to the From address, for example "
        "`sender: Alex Rivera <alex@example.com>`\n"
        "- no publish.base_url in site_config.yml: set it to the public address of your "
        "published sites (for example https://coach.github.io/journals) so the email can link "
        "to the journal\n"
        "- no email.host in site_config.yml: set your SMTP server (for example "
        "smtp.fastmail.com), its port and security (starttls on 587, tls on 465)\n"
    )


def test_full_content_renders_call_outs_and_emphasis_in_both_parts(project, cli):
    configure(project, 2525)
    full_content(project)
    project.recap(
        "ada-quill",
        "2026-04-01",
        "date: 2026-04-01\ntitle: Called out",
        "The **quince** plan, _slowly_.\n\n"
        '!!! note "Before next time"\n'
        "    Try the [breathing guide](https://example.org/b) twice a day.\n\n"
        "- [x] Booked the GP\n",
    )

    result = cli("email", "ada-quill", "--dry-run")

    assert result.exit_code == 0, result.output
    eml = project.root / ".recap/outbox/ada-quill-2026-04-01.eml"
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for raw in ("!!!", "**", "_slowly_", "]("):
        assert raw not in plain and raw not in html
    assert "[x]" not in html and 'type="checkbox"' in html
    assert (
        "What we discussed\n-----------------\nThe quince plan, slowly.\n\n"
        "Before next time:\n\n"
        "Try the breathing guide (https://example.org/b) twice a day.\n\n"
        "- [x] Booked the GP\n"
    ) in plain
    assert "<strong>quince</strong>" in html and "<em>slowly</em>" in html
    assert '<p class="admonition-title" style="font-weight:bold;margin:0 0 4px">Before next' in html
    assert '<a href="https://example.org/b">breathing guide</a>' in html
