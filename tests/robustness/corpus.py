"""The hostile corpus: what a careless coach, a strange editor or a broken disk leaves behind.

Each `Case` writes one client folder (or a sibling of it) into a project's `content/` and
says what must happen: either the client builds (`expect` empty) and its journal shows the
`shows` text, or `recap check` fails with every fragment of `expect` in its output, each
naming the file (and the field where there is one). Large files are made at test time.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.sample_site import make_mp3

DATE = "2026-05-04"
RECAP = f"sessions/{DATE}.md"


@dataclass(frozen=True)
class Case:
    """One hostile input and what must come of it."""

    name: str
    """The pytest id, and the client folder's name (a valid slug unless the case is a slug)."""
    make: Callable[[Path], None]
    """Writes the case into the client folder (which has `client.yml` already)."""
    expect: tuple[str, ...] = ()
    """Fragments of `recap check`'s output; empty when the client must build."""
    shows: tuple[str, ...] = ()
    """Text the built (preview) journal must contain, where it builds."""
    hides: tuple[str, ...] = ()
    """Text the built (preview) journal must not contain (unescaped HTML, a secret)."""

    @property
    def builds(self) -> bool:
        """Whether this client must build."""
        return not self.expect


def recap(front: str, body: str = "Body text.", *, name: str = RECAP) -> Callable[[Path], None]:
    """A case that writes one recap with this front matter (text between the `---` lines)."""

    def make(client: Path) -> None:
        write(client / name, f"---\n{front.strip(chr(10))}\n---\n\n{body}\n")

    return make


def raw(data: bytes | str, *, name: str = RECAP) -> Callable[[Path], None]:
    """A case that writes `data` as it is into a file of the client folder."""

    def make(client: Path) -> None:
        path = client / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

    return make


def write(path: Path, text: str) -> None:
    """Write a text file, making its folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def both(*makers: Callable[[Path], None]) -> Callable[[Path], None]:
    """A case made of several writes."""

    def make(client: Path) -> None:
        for maker in makers:
            maker(client)

    return make


def big(size_mb: int, head: bytes, filler: bytes, *, name: str = RECAP) -> Callable[[Path], None]:
    """A file of `size_mb` MB: `head` then `filler` repeated (written in blocks)."""

    def make(client: Path) -> None:
        path = client / name
        path.parent.mkdir(parents=True, exist_ok=True)
        block = filler * (1_000_000 // len(filler))
        with path.open("wb") as handle:
            handle.write(head)
            for _ in range(size_mb):
                handle.write(block)

    return make


def media(name: str, data: bytes) -> Callable[[Path], None]:
    """A recording or transcript file in `recordings/`."""
    return raw(data, name=f"recordings/{name}")


def mp3(seconds: float = 1.0, *, truncate: int | None = None) -> Callable[[Path], None]:
    """A real mp3 in `recordings/` (cut to `truncate` bytes when given)."""

    def make(client: Path) -> None:
        path = make_mp3(client / "recordings" / f"{DATE}.mp3", seconds)
        if truncate is not None:
            path.write_bytes(path.read_bytes()[:truncate])

    return make


def client_yml(text: str) -> Callable[[Path], None]:
    """A case that replaces `client.yml`."""
    return raw(text, name="client.yml")


def elsewhere(make_outside: Callable[[Path, Path], None]) -> Callable[[Path], None]:
    """A case given a folder outside the project too (for links that leave it)."""

    def make(client: Path) -> None:
        outside = client.parents[2] / "outside"
        outside.mkdir(exist_ok=True)
        (outside / "secret.txt").write_text("OUTSIDE-SECRET\n", encoding="utf-8")
        make_outside(client, outside)

    return make


def _symlink(link: str, target: str | Path) -> Callable[[Path], None]:
    def make(client: Path) -> None:
        path = client / link
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, path)

    return make


def _folder(name: str) -> Callable[[Path], None]:
    def make(client: Path) -> None:
        path = client / name
        if path.is_file():
            path.unlink()
        path.mkdir(parents=True)

    return make


def _sibling(folder: str, files: dict[str, str]) -> Callable[[Path], None]:
    """A second client folder beside this one (for bad slugs); this one stays valid."""

    def make(client: Path) -> None:
        for name, text in files.items():
            write(client.parent / folder / name, text)

    return make


F = f"date: {DATE}\ntitle: A session"  # the two required fields, valid
AT = f"{RECAP}:"
VTT = f"recordings/{DATE}.vtt"
GOOD_VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nHello there.\n"
WITH_MP3 = recap(f"{F}\nrecording: recordings/{DATE}.mp3")
WITH_VTT = recap(f"{F}\ntranscript: {VTT}")
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4

CASES: list[Case] = [
    # --- broken YAML of every kind -----------------------------------------------------
    Case("yaml-unclosed-bracket", recap(f"{F}\nfocus: [sleep, food"),
         (f"{AT}4: error: ",)),
    Case("yaml-unclosed-quote", recap(f'date: {DATE}\ntitle: "never closed'),
         (f"{AT}3: error: the quote mark",)),
    Case("yaml-tab-indent", recap(f"{F}\ncommitments:\n\t- text: Run"),
         (f"{AT}5: error: this line starts with a tab",)),
    Case("yaml-colon-in-value", recap(f"date: {DATE}\ntitle: Plan: next steps: now"),
         (f"{AT}3: error: text containing `: ` needs quotes",)),
    Case("yaml-bad-indent", recap(f"{F}\nfocus:\n  - a\n - b"), (f"{AT}6: error: ",)),
    Case("yaml-alias-bomb", recap(F + "\n" + "\n".join(
        [f'a0: &a0 [{", ".join(["lol"] * 9)}]']
        + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)])
        + "\nfocus: *a8"), (f"{AT}", "more than 10000 values once aliases")),
    Case("yaml-deep-flow", recap(f"{F}\nfocus: " + "[" * 20_000 + "]" * 20_000),
         (f"{AT}4: error: lists and mappings nested more than 32 levels deep",)),
    Case("yaml-deep-block", recap(F + "\nfocus:\n" + "".join("  " * i + "-\n" for i in range(500))),
         (f"{AT}", "nested more than 32 levels deep")),
    Case("yaml-duplicate-key", recap(f"{F}\ntitle: Again"),
         (f"{AT}4: error: field 'title': appears twice (first on line 3)",)),
    Case("yaml-undefined-alias", recap(f"{F}\nfocus: *nowhere"), (f"{AT}4: error: ",)),
    Case("yaml-python-tag", recap(f"{F}\nfocus: !!python/object/apply:os.system [echo hi]"),
         (f"{AT}4: error: ",)),
    Case("yaml-unknown-tag", recap(f"{F}\nfocus: !custom thing"), (f"{AT}4: error: ",)),
    Case("yaml-binary-tag", recap(f"{F}\nsuccesses: !!binary aGVsbG8="),
         (f"{AT}4: error: field 'successes': expected a list of text",)),
    Case("yaml-set-tag", recap(f"{F}\nfocus: !!set {{a, b}}"),
         (f"{AT}4: error: field 'focus': expected a list of tags",)),
    Case("yaml-complex-key", recap(f"{F}\n? [a, b]\n: c"), (f"{AT}4: error: ",)),
    Case("yaml-non-text-keys", recap(f"{F}\n1: one\ntrue: yes\nnull: nothing"), ()),
    Case("yaml-merge-key", recap(f"base: &b {{title: Merged title}}\ndate: {DATE}\n<<: *b"), (),
         shows=("Merged title",)),
    Case("yaml-front-matter-list", recap("- date\n- title"),
         (f"{AT}2: error: expected YAML fields, found a list",)),
    Case("yaml-front-matter-scalar", recap("just words"),
         (f"{AT}2: error: expected YAML fields, found text",)),
    Case("yaml-front-matter-empty", recap(""),
         (f"{AT}2: error: expected YAML fields, found nothing",)),
    Case("yaml-unclosed-front-matter", raw(f"---\n{F}\n\nBody without the closing line.\n"),
         (f"{AT}1: error: no front matter",)),
    Case("yaml-control-character", recap(f"date: {DATE}\ntitle: bell \x07 here"),
         (f"{AT}3: error: this line holds a control character (#x07)",)),
    Case("yaml-huge-scalar-in-unknown-field", recap(f"{F}\nnotes: {'x' * 2_000_000}"), ()),
    Case("yaml-huge-title", recap(f"date: {DATE}\ntitle: {'Long ' * 400_000}"),
         (f"{AT}3: error: field 'title': expected a title of at most 300 characters",)),
    # --- wrong types in every field ------------------------------------------------------
    Case("type-date-list", recap("date: [2026, 5, 4]\ntitle: T"),
         (f"{AT}2: error: field 'date': expected a date like 2026-11-02, found a list",)),
    Case("type-title-mapping", recap(f"date: {DATE}\ntitle: {{a: b}}"),
         (f"{AT}3: error: field 'title': expected a title, found a mapping",)),
    Case("type-title-bool", recap(f"date: {DATE}\ntitle: yes"),
         (f"{AT}3: error: field 'title': expected a title, found true/false",)),
    Case("type-status-number", recap(f"{F}\nstatus: 1"),
         (f"{AT}4: error: field 'status': expected published or draft",)),
    Case("type-recording-list", recap(f"{F}\nrecording: [a.mp3]"),
         (f"{AT}4: error: field 'recording': expected a path relative to the client folder",)),
    Case("type-transcript-number", recap(f"{F}\ntranscript: 12"),
         (f"{AT}4: error: field 'transcript': no such file: 12",)),
    Case("type-duration-negative", recap(f"{F}\nduration: -5"),
         (f"{AT}4: error: field 'duration': expected a duration in seconds or H:MM:SS",)),
    Case("type-duration-text", recap(f"{F}\nduration: an hour"),
         (f"{AT}4: error: field 'duration': expected a duration",)),
    Case("type-duration-nan", recap(f"{F}\nduration: .nan"), (f"{AT}4: error: field 'duration'",)),
    Case("type-duration-infinite", recap(f"{F}\nduration: .inf"),
         (f"{AT}4: error: field 'duration'",)),
    Case("type-focus-mapping", recap(f"{F}\nfocus: {{a: 1}}"),
         (f"{AT}4: error: field 'focus': expected a list of tags, found a mapping",)),
    Case("type-successes-number", recap(f"{F}\nsuccesses: 3"),
         (f"{AT}4: error: field 'successes': expected a list of text, found a number",)),
    Case("type-next-steps-nested", recap(f"{F}\nnext_steps: [[a]]"),
         (f"{AT}4: error: field 'next_steps[0]': expected text, found a list",)),
    Case("type-commitments-text", recap(f"{F}\ncommitments: walk more"),
         (f"{AT}4: error: field 'commitments': expected a list, found text",)),
    Case("type-commitment-number", recap(f"{F}\ncommitments: [42]"),
         (f"{AT}4: error: field 'commitments[0]': expected text or {{text, status, due}}",)),
    Case("type-commitment-due", recap(f"{F}\ncommitments:\n  - text: Run\n    due: soon"),
         (f"{AT}6: error: field 'commitments[0].due': expected a date",)),
    Case("type-commitment-no-text", recap(f"{F}\ncommitments:\n  - status: done"),
         (f"{AT}5: error: field 'commitments[0].text': required field is missing",)),
    Case("type-resources-mapping", recap(f"{F}\nresources: {{url: https://a.example}}"),
         (f"{AT}4: error: field 'resources': expected a list",)),
    Case("type-resource-javascript-url",
         recap(f"{F}\nresources:\n  - title: Click\n    url: javascript:alert(1)"),
         (f"{AT}6: error: field 'resources[0].url': expected a URL (https://...)",)),
    Case("type-resource-no-url", recap(f"{F}\nresources:\n  - title: Nothing"),
         (f"{AT}5: error: field 'resources[0].url': required field is missing",)),
    Case("client-name-list", client_yml("name: [a, b]\n"),
         ("client.yml:1: error: field 'name': expected the client's name, found a list",)),
    Case("client-email-bad", client_yml("name: Sam\nemail: not-an-address\n"),
         ("client.yml:2: error: field 'email': expected an email address",)),
    Case("client-email-content-bad", client_yml("name: Sam\nemail_content: everything\n"),
         ("client.yml:2: error: field 'email_content': expected link or full",)),
    Case("client-yml-list", client_yml("- name: Sam\n"),
         ("client.yml: error: expected a mapping with `name:`, found a list",)),
    Case("client-yml-empty", client_yml(""),
         ("client.yml: error: expected a mapping with `name:`, found nothing",)),
    Case("client-yml-folder", _folder("client.yml"),
         ("error: a client folder without client.yml",)),
    # --- impossible dates ----------------------------------------------------------------
    Case("date-february-30", recap("date: 2026-02-30\ntitle: T", name="sessions/2026-02-30.md"),
         ("2026-02-30.md:2: error: field 'date': expected a date like 2026-11-02, "
           "found text ('2026-02-30')",)),
    Case("date-month-13", recap("date: 2026-13-45\ntitle: T", name="sessions/2026-13-45.md"),
         ("2026-13-45.md:2: error: field 'date': expected a date",)),
    Case("date-year-zero", recap("date: 0000-01-01\ntitle: T", name="sessions/0000-01-01.md"),
         ("0000-01-01.md:2: error: field 'date': expected a date",)),
    Case("date-five-digit-year", recap("date: 20260-01-01\ntitle: T"),
         (f"{AT}2: error: field 'date': expected a date",)),
    Case("date-started-impossible", client_yml("name: Sam\nstarted: 2026-04-31\n"),
         ("client.yml:2: error: field 'started': expected a date like 2026-01-12",)),
    Case("date-name-disagrees", recap("date: 2026-05-05\ntitle: T"), (), shows=("T",)),  # a warning
    Case("date-with-time-and-zone", recap(f"date: {DATE}T10:30:00+02:00\ntitle: Timed"), (),
         shows=("Timed",)),
    # --- empty, binary, NUL, not UTF-8, BOM, line endings ---------------------------------
    Case("file-empty", raw(b""), (f"{AT}1: error: no front matter",)),
    Case("file-binary", raw(bytes(range(256)) * 64), (f"{RECAP}: error: not UTF-8 text",)),
    Case("file-nul-filled", raw(b"\0" * 4096), (f"{AT}1: error: no front matter",)),
    Case("file-nul-in-front-matter", raw(f"---\n{F}\nfocus: [a\0b]\n---\n"),
         (f"{AT}4: error: this line holds a control character (#x00)",)),
    Case("file-latin-1", raw(f"---\n{F}\nfocus: [café]\n---\n".encode("latin-1")),
         (f"{RECAP}: error: not UTF-8 text",)),
    Case("file-utf-16", raw(f"---\n{F}\n---\n".encode("utf-16")),
         (f"{RECAP}: error: not UTF-8 text",)),
    Case("file-bom-crlf", raw(b"\xef\xbb\xbf" + f"---\r\n{F}\r\n---\r\n\r\nBOM body.\r\n".encode()),
         (), shows=("BOM body.",)),
    Case("file-cr-only", raw(f"---\r{F}\r---\r\rOld Mac body.\r"), (), shows=("Old Mac body.",)),
    Case("file-50-mb-recap", big(50, f"---\n{F}\n---\n".encode(), b"lorem ipsum "),
         (f"{RECAP}: error: {DATE}.md is 50.0 MB; text files are read up to 10 MB",)),
    Case("file-50-mb-client-yml", big(50, b"name: Sam\nnotes: ", b"x", name="client.yml"),
         ("client.yml: error: client.yml is 50.0 MB",)),
    Case("file-50-mb-transcript",
         both(big(50, b"WEBVTT\n\n", b"00:00:01.000 --> 00:00:02.000\nword\n\n", name=VTT),
                                       WITH_VTT),
         (f"{AT}4: error: field 'transcript': {DATE}.vtt is 50.0 MB",)),
    Case("file-recap-is-folder", _folder(RECAP), (f"{RECAP}: error: cannot be read",)),
    Case("file-sessions-is-file", raw("not a folder", name="sessions"), ()),
    # --- paths leaving the project -------------------------------------------------------
    Case("path-dotdot-recording", recap(f"{F}\nrecording: ../../../outside/secret.mp3"),
         (f"{AT}4: error: field 'recording': '../../../outside/secret.mp3' points outside",)),
    Case("path-absolute-transcript", recap(f"{F}\ntranscript: /etc/passwd"),
         (f"{AT}4: error: field 'transcript': '/etc/passwd' points outside",)),
    Case("path-symlink-recording",
         both(elsewhere(lambda c, o: _symlink(f"recordings/{DATE}.mp3", o / "secret.txt")(c)),
                                        WITH_MP3),
         (f"{AT}4: error: field 'recording': 'recordings/{DATE}.mp3' points outside",)),
    Case("path-symlink-recordings-folder",
         both(elsewhere(lambda c, o: _symlink("recordings", o)(c)),
                                                recap(f"{F}\ntranscript: recordings/secret.txt")),
         (f"{AT}4: error: field 'transcript': 'recordings/secret.txt' points outside",)),
    Case("path-symlink-recap", elsewhere(lambda c, o: _symlink(RECAP, o / "secret.txt")(c)),
         (f"{RECAP}: error: is a link to a file outside the client's folder: not read",),
         hides=("OUTSIDE-SECRET",)),
    Case("path-nul-in-recording", recap(f'{F}\nrecording: "a\\0b.mp3"'),
         (f"{AT}4: error: field 'recording': not a usable path (embedded null byte)",)),
    Case("path-very-long", recap(f"{F}\nrecording: {'a' * 5000}.mp3"),
         (f"{AT}4: error: field 'recording': not a usable path (File name too long)",)),
    Case("path-recording-is-folder", both(_folder(f"recordings/{DATE}.mp3"), WITH_MP3),
         (f"{AT}4: error: field 'recording': no such file",)),
    Case("path-recording-wrong-kind",
         both(media(f"{DATE}.wav", b"RIFF"), recap(f"{F}\nrecording: recordings/{DATE}.wav")),
         (f"{AT}4: error: field 'recording': expected a .mp3 file, found {DATE}.wav",)),
    # --- slugs and file names ------------------------------------------------------------
    Case("slug-with-spaces", _sibling("Jane Doe", {"client.yml": "name: Jane\n"}),
         ("content/Jane Doe: error: invalid client folder name 'Jane Doe'",)),
    Case("slug-emoji", _sibling("jane-🙂", {"client.yml": "name: Jane\n"}),
         ("error: invalid client folder name 'jane-🙂'",)),
    Case("slug-leading-dash", _sibling("-jane", {"client.yml": "name: Jane\n"}),
         ("error: invalid client folder name '-jane'",)),
    Case("file-name-with-spaces", recap(F, name=f"sessions/{DATE} my session.md"),
         (f"{DATE} my session.md: error: file name should start with the session date",)),
    Case("file-name-emoji", recap(F, name=f"sessions/{DATE}-🙂.md"),
         (f"{DATE}-🙂.md: error: file name should",)),
    # --- unicode and emoji where they are valid -------------------------------------------
    Case("unicode-everywhere", both(client_yml("name: Zoë Ångström 🌱\n"), recap(
        f"date: {DATE}\ntitle: Sömn & stress 😴\nfocus: [sömn, 🧘]\nsuccesses: [Slept 8 h ✅]\n"
        "commitments: [Läsa 📚]", "Body with emoji 🎉, RTL שלום, combining é, CJK 睡眠.")),
         (), shows=("Sömn &amp; stress 😴", "Zoë Ångström 🌱", "睡眠", "שלום")),
    # --- HTML and <script> -----------------------------------------------------------------
    Case("html-in-title", recap(f"date: {DATE}\ntitle: <script>alert('t')</script> Title"),
         (), shows=("&lt;script&gt;alert",), hides=("<script>alert('t')",)),
    Case("html-in-client-name", client_yml("name: <img src=x onerror=alert(1)>\n"), (),
         hides=("<img src=x onerror",)),
    Case("html-in-lists", recap(f"{F}\nfocus: ['<b>bold</b>']\n"
                                "successes: ['<script>alert(2)</script>']\n"
                                "commitments: ['<iframe src=x>']\n"
                                "next_steps: ['<style>x</style>']\n"
                                "resources:\n  - title: '<script>alert(3)</script>'\n    url: https://a.example/"),
         (), hides=("<script>alert(2)", "<iframe src=x>", "<script>alert(3)", "<b>bold</b>")),
    Case("html-in-body", recap(F, "Hello <b>bold</b> <details><summary>More</summary>x</details>"),
         (), shows=("Hello <b>bold</b>",)),  # the coach's own Markdown may hold HTML
    Case("script-in-body", recap(F, "Hello\n\n< SCRIPT src=https://evil.example/x.js></script>"),
         (f"{AT}8: error: a <script> in the body",)),
    Case("title-backslash-and-quotes",
         recap(f"date: {DATE}\ntitle: 'C:\\new \\x \"quoted\" \\u0041'"),
         (), shows=("C:\\new \\x &#34;quoted&#34; \\u0041",)),
    Case("html-in-transcript", both(media(f"{DATE}.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n"
                                          "<script>alert('vtt')</script> said &amp; done\n"),
                                    WITH_VTT),
         (), hides=("<script>alert('vtt')",)),
    # --- audio and transcripts that are not what they claim -------------------------------
    Case("audio-corrupt", both(media(f"{DATE}.mp3", b"\x00\x13not audio" * 1000), WITH_MP3),
         (f"{AT}4: error: field 'recording': recordings/{DATE}.mp3 is not audio",)),
    Case("audio-wav-renamed",
         both(media(f"{DATE}.mp3", b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(64)),
                                   WITH_MP3),
         (f"{AT}4: error: field 'recording': recordings/{DATE}.mp3 is not audio",)),
    Case("audio-empty", both(media(f"{DATE}.mp3", b""), WITH_MP3),
         (f"{AT}4: error: field 'recording': recordings/{DATE}.mp3 is not audio",)),
    Case("audio-truncated", both(mp3(2.0, truncate=3000), WITH_MP3),
         (), shows=("A session",)),  # the part that is there plays
    Case("audio-good", both(mp3(1.0), media(f"{DATE}.vtt", GOOD_VTT),
                            recap(f"{F}\nrecording: recordings/{DATE}.mp3\ntranscript: {VTT}")),
         (), shows=("Hello there.",)),
    Case("vtt-is-png", both(media(f"{DATE}.vtt", PNG), WITH_VTT),
         (f"{AT}4: error: field 'transcript': recordings/{DATE}.vtt is not a WebVTT file",)),
    Case("vtt-no-header",
         both(media(f"{DATE}.vtt", "00:00:01.000 --> 00:00:02.000\nhi\n"), WITH_VTT),
         (f"{AT}4: error: field 'transcript': recordings/{DATE}.vtt is not a WebVTT file",)),
    Case("vtt-empty", both(media(f"{DATE}.vtt", ""), WITH_VTT),
         (f"{AT}4: error: field 'transcript': recordings/{DATE}.vtt is not a WebVTT file",)),
    Case("vtt-garbled-cues",
         both(media(f"{DATE}.vtt", "WEBVTT\n\n--> -->\n\nnot a time --> x\ntext\n\n99:99 -->\n"),
                                  WITH_VTT), ()),
]  # fmt: skip
