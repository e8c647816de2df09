"""`recap check`: each content mistake gives exit 1 and a message naming file, line, field."""

from __future__ import annotations

import pytest


def test_valid_project_passes(project, cli):
    result = cli("check")
    assert result.exit_code == 0, result.output
    assert "All content is valid." in result.output


CASES = [
    pytest.param(
        "2026-05-01.md",
        "---\ndate: 2026-05-01\ntitle: [unclosed\n---\n",
        "content/ada-quill/sessions/2026-05-01.md:3: error: text starting with `[` needs quotes: "
        '`title: "[unclosed"` (or, for a list, close it with `]`)',
        id="unclosed-bracket",
    ),
    pytest.param(
        "2026-05-01.md",
        "---\ndate: 2026-05-01\ntitle: T\nsuccesses:\n\t- Slept well\n---\n",
        "2026-05-01.md:5: error: this line starts with a tab: indent with spaces instead "
        "(YAML does not accept tabs)",
        id="tab",
    ),
    pytest.param(
        "2026-05-01.md",
        "---\ndate: 2026-05-01\ntitle: First session: energy\n---\n",
        '2026-05-01.md:3: error: text containing `: ` needs quotes: `title: "First session: '
        'energy"`',
        id="colon-in-title",
    ),
    pytest.param(
        "2026-05-01.md",
        "---\ndate: 2026-05-01\ntitle: T\nsuccesses: []\n  - Ran 5 km\n---\n",
        "2026-05-01.md:4: error: `successes: []` is an empty list, so the items below it cannot "
        "be added: remove the `[]` and keep `successes:` with each item on its own line "
        "starting with `- `",
        id="items-under-empty-list",
    ),
    pytest.param(
        "2026-05-01.md",
        "---\ndate: 2026-05-01\ntitle: T\nsuccesses:\n  - The wins journal works\n"
        "  - Coffee with Dana: agreed to meet\n---\n",
        "2026-05-01.md:6: error: field 'successes[1]': text containing `: ` needs quotes: "
        '`- "Coffee with Dana: agreed to meet"`',
        id="colon-in-a-bullet",
    ),
    pytest.param(
        "2026-05-01.md",
        "---\ndate: 2026-05-01\ntitle: T\ncommitments:\n  - Call Dana: about the move\n---\n",
        "2026-05-01.md:5: error: field 'commitments[0]': text containing `: ` needs quotes: "
        '`- "Call Dana: about the move"`',
        id="colon-in-a-commitment",
    ),
    pytest.param(
        "2026-05-01.md",
        '---\ndate: 2026-05-01\ntitle: "Big" day\n---\n',
        "2026-05-01.md:3: error: text that starts with a quote mark must be quoted as a whole: "
        """`title: '"Big" day'`""",
        id="quote-at-the-start",
    ),
    pytest.param(
        "2026-05-01.md",
        '---\ndate: 2026-05-01\ntitle: "Open quote\nstatus: draft\n---\n',
        '2026-05-01.md:3: error: the quote mark " opened on this line is never closed: add a " '
        "at the end of the text",
        id="unclosed-quote",
    ),
    pytest.param(
        "2026-05-01.md",
        "---\ndate: 2026-05-01\n  title: T\n---\n",
        "2026-05-01.md:3: error: this line is not valid YAML (mapping values are not allowed in "
        "this context): check its indentation, and put text containing `: ` or ` #` in quotes",
        id="bad-indentation",
    ),
    pytest.param(
        "2026-05-01.md",
        "---\ndate: 2026-05-01\ntitle: T\ncomitments:\n  - Run\n---\n",
        "2026-05-01.md:4: error: field 'comitments': unknown field: did you mean `commitments`? "
        "(as written, it is ignored)",
        id="typo-in-a-field",
    ),
    pytest.param(
        "2026-05-01.md",
        "---\ndate: 2026-05-01\ntitle: T\ncommitments:\n  - text: Run\n    stauts: done\n---\n",
        "2026-05-01.md:6: error: field 'commitments[0].stauts': unknown field: did you mean "
        "`status`? (as written, it is ignored)",
        id="typo-in-a-commitment",
    ),
    pytest.param(
        "2026-05-01.md",
        "Just a body, no front matter.\n",
        "content/ada-quill/sessions/2026-05-01.md:1: error: no front matter",
        id="no-front-matter",
    ),
    pytest.param(
        "2026-05-01.md",
        "---\ndate: 2026-05-01\n---\nbody\n",
        "2026-05-01.md:2: error: field 'title': required field is missing",
        id="missing-title",
    ),
    pytest.param(
        "2026-05-01.md",
        "---\ntitle: No date\n---\nbody\n",
        "error: field 'date': required field is missing (expected a date like 2026-11-02)",
        id="missing-date",
    ),
    pytest.param(
        "2026-05-01.md",
        "---\ndate: 2026-13-45\ntitle: Bad date\n---\n",
        "2026-05-01.md:2: error: field 'date': expected a date like 2026-11-02, found text "
        "('2026-13-45'), which is not a day of the calendar (month must be in 1..12)",
        id="bad-date",
    ),
    pytest.param(
        "2026-05-01.md",
        "---\ndate: 2026-05-01\ntitle: T\nsuccesses: 42\n---\n",
        "2026-05-01.md:4: error: field 'successes': expected a list of text, found a number (42)",
        id="wrong-type",
    ),
    pytest.param(
        "2026-05-01.md",
        "---\ndate: 2026-05-01\ntitle: T\nstatus: finished\n---\n",
        "2026-05-01.md:4: error: field 'status': expected published or draft, "
        "found text ('finished')",
        id="unknown-status",
    ),
    pytest.param(
        "2026-05-01.md",
        "---\ndate: 2026-05-01\ntitle: T\ncommitments:\n  - text: Run\n    status: maybe\n---\n",
        "2026-05-01.md:6: error: field 'commitments[0].status': expected open, done or dropped",
        id="unknown-commitment-status",
    ),
    pytest.param(
        "2026-05-01.md",
        "---\ndate: 2026-05-01\ntitle: T\nrecording: recordings/missing.mp3\n---\n",
        "2026-05-01.md:4: error: field 'recording': no such file: recordings/missing.mp3",
        id="missing-recording",
    ),
    pytest.param(
        "2026-05-01.md",
        "---\ndate: 2026-05-01\ntitle: T\nrecording: ../ben-marsh/client.yml\n---\n",
        "2026-05-01.md:4: error: field 'recording': '../ben-marsh/client.yml' points "
        "outside the client's folder",
        id="recording-outside",
    ),
    pytest.param(
        "2026-05-01.md",
        "---\ndate: 2026-05-01\ntitle: T\ntranscript: /etc/hostname\n---\n",
        "2026-05-01.md:4: error: field 'transcript': '/etc/hostname' points outside",
        id="transcript-outside",
    ),
    pytest.param(
        "2026-05-01.md",
        "---\ndate: 2026-05-01\ntitle: T\nresources:\n  - not a url\n---\n",
        "2026-05-01.md:5: error: field 'resources[0]': expected a URL (https://...) or "
        "{title, url}, found text ('not a url')",
        id="bad-resource",
    ),
    pytest.param(
        "notes.md",
        "---\ndate: 2026-05-01\ntitle: T\n---\n",
        "notes.md: error: file name should start with the session date",
        id="bad-file-name",
    ),
]


@pytest.mark.parametrize(("name", "text", "message"), CASES)
def test_each_mistake_is_reported(project, cli, name, text, message):
    project.write(f"content/ada-quill/sessions/{name}", text)
    result = cli("check")
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_duplicate_date_and_title(project, cli):
    project.recap("ada-quill", "2026-03-02-again", "date: 2026-03-02\ntitle: Kickoff Zephyrine")
    result = cli("check")
    assert result.exit_code == 1
    assert "2026-03-02-kickoff.md" in result.output or "2026-03-02-again.md" in result.output
    assert "a second recap dated 2026-03-02 titled 'Kickoff Zephyrine'" in result.output


def test_invalid_slug(project, cli):
    project.write("content/Bad_Slug/client.yml", "name: Someone\n")
    result = cli("check")
    assert result.exit_code == 1
    assert "content/Bad_Slug: error: invalid client folder name 'Bad_Slug'" in result.output


def test_sessions_without_client_yml(project, cli):
    project.recap("orphan", "2026-05-01", "date: 2026-05-01\ntitle: T")
    result = cli("check")
    assert result.exit_code == 1
    assert "content/orphan: error: a sessions folder without client.yml" in result.output


def test_not_utf8(project, cli):
    path = project.root / "content/ada-quill/sessions/2026-05-01.md"
    path.write_bytes("---\ndate: 2026-05-01\ntitle: Caf\xe9\n---\n".encode("latin-1"))
    result = cli("check")
    assert result.exit_code == 1
    assert "2026-05-01.md: error: not UTF-8 text" in result.output


def test_client_yml_missing_name(project, cli):
    project.write("content/ben-marsh/client.yml", "email: ben@example.com\n")
    result = cli("check")
    assert result.exit_code == 1
    assert "content/ben-marsh/client.yml:1: error: field 'name': required field is missing" in (
        result.output
    )


def test_every_problem_at_once(project, cli):
    project.write("content/ada-quill/sessions/2026-05-01.md", "no front matter\n")
    project.write("content/ben-marsh/sessions/2026-05-02.md", "---\ndate: nope\ntitle: T\n---\n")
    result = cli("check")
    assert result.exit_code == 1
    assert "2026-05-01.md:1: error: no front matter" in result.output
    assert "2026-05-02.md:2: error: field 'date'" in result.output
    assert "2 errors" in result.output


def test_unknown_field_is_a_warning_and_strict_makes_it_an_error(project, cli):
    project.recap("ben-marsh", "2026-05-01", "date: 2026-05-01\ntitle: T\nmood: great")
    result = cli("check")
    assert result.exit_code == 0
    fields = (
        "commitments, date, duration, focus, moments, next_steps, private, recording, resources, "
        "status, successes, title, transcript"
    )
    message = f"field 'mood': unknown field, ignored (a typo? the fields are {fields})"
    assert f"2026-05-01.md:4: warning: {message}" in result.output
    strict = cli("check", "--strict")
    assert strict.exit_code == 1
    assert f"2026-05-01.md:4: error: {message}" in strict.output


def test_a_moment_past_the_end_of_the_recording_is_a_warning(project, cli):
    project.recap(
        "ben-marsh",
        "2026-05-01",
        "date: 2026-05-01\ntitle: T\nduration: 11.0\nmoments:\n"
        '  - {at: "0:07", title: Inside}\n  - {at: "12:30", title: Past the end}',
    )
    result = cli("check")
    assert result.exit_code == 0, result.output
    assert (
        "2026-05-01.md:7: warning: field 'moments[1].at': 12:30 is past the end of the "
        "recording (11 s long): a tap on it would play nothing"
    ) in result.output
    assert "moments[0]" not in result.output
    assert result.output.endswith("All content is valid (1 warning).\n")


def test_a_file_with_several_yaml_mistakes_reports_them_all(project, cli):
    project.recap(
        "ada-quill",
        "2026-05-01",
        """
        date: 2026-05-01
        title: First session: energy
        status: publish
        successes: []
          - Ran 5 km
        comitments:
        \t- Call Dana
        """,
    )
    result = cli("check")
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "2026-05-01.md" in line]
    assert [line.split(": error: ")[0][-15:] for line in lines] == [
        "2026-05-01.md:3", "2026-05-01.md:4", "2026-05-01.md:5", "2026-05-01.md:7",
        "2026-05-01.md:8",
    ]  # fmt: skip
    assert "field 'status': expected published or draft" in lines[1]
    assert "did you mean `commitments`?" in lines[3]
    assert "starts with a tab" in lines[4]


def test_bad_site_config(project, cli):
    project.write(
        "site_config.yml", "branding:\n  primary_colour: 12\nprotection: {iterations: 5}\n"
    )
    result = cli("check")
    assert result.exit_code == 1
    assert "site_config.yml:2: error: field 'branding.primary_colour'" in result.output
    assert "expected 600000 to 10000000 iterations, found 5" in result.output


def test_no_project_found(tmp_path, monkeypatch, cli):
    monkeypatch.chdir(tmp_path)
    result = cli("check")
    assert result.exit_code == 1
    assert "no site_config.yml in" in result.output
