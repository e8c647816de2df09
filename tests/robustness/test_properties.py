"""Property-based tests (hypothesis): any input gives a valid model or one of our errors.

Over the front matter loader (`parse_yaml`, `load_recap`), the VTT reader and the content
model (a recap written by `recap_text` loads back as the same recap). `make soak` runs them
with many more examples (HYPOTHESIS_PROFILE=soak).
"""

from __future__ import annotations

import datetime as dt
import string
from pathlib import Path

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from generator.content import MAX_TITLE, load_recap, recap_text
from generator.errors import Problem
from generator.model import Commitment, Recap
from generator.render import read_vtt
from generator.yamlfields import parse_yaml
from tests.robustness.conftest import deadline

FILE = Path("recap.md")
FIELDS = ["date", "title", "status", "focus", "successes", "commitments", "resources",
          "next_steps", "duration", "recording", "transcript", "private", "text", "due",
          "url"]  # fmt: skip

# YAML-ish text: the characters that make YAML's structure, often, and any others sometimes.
yamlish = st.lists(
    st.one_of(
        st.sampled_from([*":-[]{}#&*!|>'\"%@`,? \n\t", "\n  ", "\n- ", ": ", *FIELDS]),
        st.characters(codec="utf-8"),
    ),
    max_size=120,
).map("".join)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=40),
    st.dates(),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=8)), inner, max_size=4),
    ),
    max_leaves=20,
)
fronts = st.dictionaries(st.sampled_from(FIELDS), values, max_size=8)

safe_settings = settings(
    deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


def only_our_problems(problems: list[Problem], file: Path) -> None:
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.file == file or problem.file.name == file.name
        assert problem.message and "Traceback" not in problem.message


@safe_settings
@given(yamlish)
def test_parse_yaml_never_raises_and_agrees_with_pyyaml(text):
    problems: list[Problem] = []
    with deadline():
        data, _ = parse_yaml(text, FILE, problems)
    only_our_problems(problems, FILE)
    if not problems:
        # What we accept, PyYAML's safe loader (libyaml's, as ours) reads the same, where it
        # reads it at all (an impossible date like 2026-13-45 raises there, stays text here).
        try:
            expected = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except (yaml.YAMLError, ValueError):
            return
        assert same(data, expected)


def same(a, b) -> bool:
    """Equal, with NaN equal to itself (YAML's .nan)."""
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@safe_settings
@given(fronts, st.text(max_size=200))
def test_any_front_matter_gives_a_valid_recap_or_our_errors(tmp_path_factory, front, body):
    client = tmp_path_factory.mktemp("client")
    path = client / "sessions" / "2026-05-04.md"
    path.parent.mkdir()
    try:
        text = "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n" + body
    except yaml.YAMLError:
        return
    path.write_text(text, encoding="utf-8")
    problems: list[Problem] = []
    with deadline():
        recap = load_recap(path, client, problems)
    only_our_problems(problems, path)
    errors = [p for p in problems if p.severity == "error"]
    assert (recap is None) == bool(errors)
    if recap is not None:
        assert_valid(recap)


@safe_settings
@given(st.binary(max_size=400) | yamlish.map(lambda t: ("---\n" + t + "\n---\n").encode()))
def test_any_bytes_give_a_valid_recap_or_our_errors(tmp_path_factory, data):
    client = tmp_path_factory.mktemp("client")
    path = client / "sessions" / "2026-05-04.md"
    path.parent.mkdir()
    path.write_bytes(data)
    problems: list[Problem] = []
    with deadline():
        recap = load_recap(path, client, problems)
    only_our_problems(problems, path)
    assert (recap is None) == any(p.severity == "error" for p in problems)
    if recap is not None:
        assert_valid(recap)


def assert_valid(recap: Recap) -> None:
    """The content model's promises, whatever the file said."""
    assert isinstance(recap.date, dt.date)
    assert isinstance(recap.title, str) and recap.title.strip()
    assert len(recap.title) <= MAX_TITLE
    assert recap.status in ("published", "draft")
    for items in (recap.focus, recap.successes, recap.next_steps):
        assert all(isinstance(item, str) and item.strip() for item in items)
    for commitment in recap.commitments:
        assert commitment.text.strip() and commitment.status in ("open", "done", "dropped")
        assert commitment.due is None or isinstance(commitment.due, dt.date)
    for resource in recap.resources:
        assert resource.url.startswith(("http://", "https://", "mailto:"))
    assert recap.duration is None or recap.duration >= 0
    assert "<script" not in recap.body.lower()


# --- the content model round trip ------------------------------------------------------------

words = st.text(alphabet=string.ascii_letters + string.digits + " éü😀&'\".,!?-", min_size=1,
                max_size=30).map(str.strip).filter(bool)  # fmt: skip
commitments = st.builds(
    Commitment,
    text=words,
    status=st.sampled_from(["open", "done", "dropped"]),
    due=st.none() | st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
)


@safe_settings
@given(
    date=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31)),
    title=words,
    focus=st.lists(words, max_size=4),
    successes=st.lists(words, max_size=4),
    commitments=st.lists(commitments, max_size=4),
    body=st.text(alphabet=string.ascii_letters + " \n#*-_.,é", max_size=200),
)
def test_a_written_recap_loads_back_the_same(
    tmp_path_factory, date, title, focus, successes, commitments, body
):
    client = tmp_path_factory.mktemp("client")
    path = client / "sessions" / f"{date.isoformat()}.md"
    path.parent.mkdir()
    front = {
        "date": date,
        "title": title,
        "focus": focus,
        "successes": successes,
        "commitments": [c.to_yaml() for c in commitments],
    }
    path.write_text(recap_text(front, body), encoding="utf-8")
    problems: list[Problem] = []
    recap = load_recap(path, client, problems)
    assert problems == []
    assert recap is not None
    assert (recap.date, recap.title, recap.focus, recap.successes) == (
        date,
        title,
        focus,
        successes,
    )
    assert recap.commitments == commitments
    assert recap.body == body.strip()


# --- the VTT reader ---------------------------------------------------------------------------


@safe_settings
@given(st.binary(max_size=600) | yamlish.map(str.encode))
def test_the_vtt_reader_reads_anything(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("vtt") / "t.vtt"
    path.write_bytes(data)
    with deadline():
        cues = read_vtt(path)
    for cue in cues:
        assert isinstance(cue.start, float) and cue.start >= 0 and isinstance(cue.text, str)


cue_texts = st.text(alphabet=string.ascii_letters + " .,'?!éü", min_size=1, max_size=60).map(
    str.strip
)


@safe_settings
@given(st.lists(st.tuples(st.integers(0, 5 * 3600), cue_texts), min_size=1, max_size=12))
def test_the_vtt_reader_reads_back_what_was_written(tmp_path_factory, cues):
    assume(all(text for _, text in cues))
    lines = ["WEBVTT", ""]
    for start, text in cues:
        begin = f"{start // 3600:02d}:{start // 60 % 60:02d}:{start % 60:02d}.250"
        lines += [f"{begin} --> {begin[:-3]}900", text, ""]
    path = tmp_path_factory.mktemp("vtt") / "t.vtt"
    path.write_text("\n".join(lines), encoding="utf-8")
    read = read_vtt(path)
    assert [cue.text for cue in read] == [text for _, text in cues]
    for cue, (start, _) in zip(read, cues, strict=True):
        assert cue.start == start + 0.25
        hours, minutes, seconds = start // 3600, start // 60 % 60, start % 60
        shown = f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
        assert cue.time == shown  # 1:02:03, 4:05, 0:07
