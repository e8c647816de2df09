"""YAML that would hang or crash a naive loader: alias bombs, deep nesting, huge files, BOMs.

Each is refused (or read) at once with a message naming the file, the line and the limit's
setting; the other clients are not affected.
"""

from __future__ import annotations

from generator.config import load_config
from generator.content import load_content


def alias_bomb(levels: int = 9) -> str:
    """The "billion laughs": nine anchors of nine aliases each, a few hundred bytes."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    previous = "a"
    for name in "bcdefghijklm"[: levels - 1]:
        lines.append(f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]")
        previous = name
    return "\n".join(lines) + f"\nfocus: *{previous}\n"


def test_alias_bomb_in_a_recap_is_refused_at_once(project, cli, within):
    front = "date: 2026-05-01\ntitle: Bomb\n" + alias_bomb()
    project.write("content/ada-quill/sessions/2026-05-01.md", f"---\n{front}---\nbody\n")
    with within():
        result = cli("check")
    assert result.exit_code == 1
    assert (
        "content/ada-quill/sessions/2026-05-01.md:8: error: more than 10000 values once "
        "aliases (*name) are expanded (the limit is limits.yaml_values in site_config.yml)"
    ) in result.output
    assert "ben-marsh" not in result.output  # the other client is fine


def test_alias_bomb_in_client_yml_and_site_config(project, cli, within):
    project.write("content/ben-marsh/client.yml", "name: Ben\n" + alias_bomb())
    with within():
        result = cli("check")
    assert result.exit_code == 1
    assert "content/ben-marsh/client.yml:6: error: more than 10000 values" in result.output
    project.write("site_config.yml", alias_bomb().replace("focus:", "extra:"))
    with within():
        result = cli("check")
    assert result.exit_code == 1
    assert "site_config.yml:5: error: more than 10000 values" in result.output


def test_a_few_aliases_are_fine(project):
    project.recap(
        "ben-marsh",
        "2026-05-01",
        "date: 2026-05-01\ntitle: Aliases\nfocus: &f [sleep, food]\nsuccesses: *f",
    )
    (ben,) = [load for load in load_content(project.config()) if load.slug == "ben-marsh"]
    assert ben.ok, ben.problems
    assert ben.client.recaps[-1].successes == ["sleep", "food"]


def test_deep_nesting_is_refused_before_the_parser_recurses(project, cli, within):
    # A few thousand `[` crash libyaml's recursive tree builder (a segfault, not an error).
    flow = "[" * 50_000 + "]" * 50_000
    block = "".join("  " * i + "- \n" for i in range(2_000)) + "  " * 2_000 + "- x\n"
    project.write("content/ada-quill/sessions/2026-05-01.md", f"---\ndate: 2026-05-01\n"
                  f"title: T\nfocus: {flow}\n---\n")  # fmt: skip
    project.write("content/ada-quill/sessions/2026-05-02.md", f"---\ndate: 2026-05-02\n"
                  f"title: T\nfocus:\n{block}---\n")  # fmt: skip
    with within():
        result = cli("check")
    assert result.exit_code == 1
    assert (
        "2026-05-01.md:4: error: lists and mappings nested more than 32 levels deep "
        "(the limit is limits.yaml_depth in site_config.yml)"
    ) in result.output
    assert "2026-05-02.md:" in result.output
    assert "Traceback" not in result.output


def test_limits_are_settings(project, cli):
    project.recap(
        "ben-marsh", "2026-05-01", "date: 2026-05-01\ntitle: T\ncommitments:\n  - text: Run"
    )
    assert cli("check").exit_code == 0
    config = project.root / "site_config.yml"
    config.write_text(config.read_text() + "limits:\n  yaml_depth: 2\n", encoding="utf-8")
    result = cli("check")
    assert result.exit_code == 1
    assert "2026-05-01.md:5: error: lists and mappings nested more than 2 levels" in (result.output)
    config.write_text(config.read_text() + "  yaml_values: none\n", encoding="utf-8")
    result = cli("check")
    assert "site_config.yml:8: error: field 'limits.yaml_values': expected a whole number" in (
        result.output
    )


def test_duplicate_keys_are_an_error_not_a_silent_choice(project, cli):
    project.recap(
        "ben-marsh",
        "2026-05-01",
        "date: 2026-05-01\ntitle: First\ncommitments:\n  - {text: a, due: 2026-05-02, "
        "due: 2026-05-09}\ntitle: Second",
    )
    result = cli("check")
    assert result.exit_code == 1
    assert "2026-05-01.md:6: error: field 'title': appears twice (first on line 3)" in (
        result.output
    )
    assert "2026-05-01.md:5: error: field 'commitments[0].due': appears twice" in result.output


def test_byte_order_mark_and_crlf_are_read(project, cli):
    text = "---\r\ndate: 2026-05-01\r\ntitle: Saved by Notepad\r\n---\r\n\r\nBody.\r\n"
    bom = b"\xef\xbb\xbf"
    (project.root / "content/ben-marsh/sessions/2026-05-01.md").write_bytes(
        bom + text.encode("utf-8")
    )
    (project.root / "content/ben-marsh/client.yml").write_bytes(bom + b"name: Ben Marsh\r\n")
    config = project.root / "site_config.yml"
    config.write_bytes(bom + config.read_bytes())
    result = cli("check")
    assert result.exit_code == 0, result.output
    assert load_config(config).branding.coach_name == "Coach Testperson"
    (ben,) = [load for load in load_content(project.config()) if load.slug == "ben-marsh"]
    assert ben.client.name == "Ben Marsh"
    assert ben.client.recaps[-1].title == "Saved by Notepad"
    assert ben.client.recaps[-1].body == "Body."


def test_a_file_over_the_size_limit_is_not_read(project, cli, within):
    path = project.root / "content/ben-marsh/sessions/2026-05-01.md"
    with path.open("wb") as handle:  # 50 MB, made here rather than stored
        handle.write(b"---\ndate: 2026-05-01\ntitle: Huge\n---\n")
        handle.write(b"word " * 10_000_000)
    with within():
        result = cli("check")
    assert result.exit_code == 1
    assert (
        "content/ben-marsh/sessions/2026-05-01.md: error: 2026-05-01.md is 50.0 MB; text files "
        "are read up to 10 MB (limits.text_file_mb in site_config.yml)"
    ) in result.output


def test_a_huge_transcript_is_named_by_the_recap_field(project, cli):
    vtt = project.root / "content/ben-marsh/recordings/2026-05-01.vtt"
    vtt.parent.mkdir(parents=True)
    vtt.write_bytes(b"WEBVTT\n\n" + b"x" * 11_000_000)
    project.recap(
        "ben-marsh",
        "2026-05-01",
        "date: 2026-05-01\ntitle: T\ntranscript: recordings/2026-05-01.vtt",
    )
    result = cli("check")
    assert result.exit_code == 1
    assert (
        "2026-05-01.md:4: error: field 'transcript': 2026-05-01.vtt is 11.0 MB; text files "
        "are read up to 10 MB"
    ) in result.output
