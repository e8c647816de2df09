"""Scoring a draft against a scripted session's truth (bench/bench_drafts.py and the tests).

An item matches a truth item when it holds at least half of the truth's content words
(words compared by their first five letters, so that "practise" meets "practice" and a
misheard ending still counts). Each truth item (by id: one said twice is one) counts once
for recall; a drafted item that matches nothing, or an item already matched, counts
against precision.

Resources named aloud are matched on the mention rather than on the exact title (Whisper
mishears titles, and what the coach needs is "a book was mentioned at 3:12" with what was
heard, to put the right title): a drafted mention matches a true resource when it was heard
during the turn that names it (from its start to its end, 2 s of slack either side) **and**
it is of the same kind (book, podcast, app, article, web address; "read ..." counts as a book
or an article) or its heard title is close to the true one (`title_close`). A mention at
another time, or of another kind with an unrelated title, counts against precision. An
address in the front matter (no time) is matched by its words, as the other sections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from generator.recordings.heard import Suggestions
from generator.recordings.summary import terms

SPOKEN = {"dot", "slash", "http", "https", "www", "com", "org", "net", "book", "app", "podcast"}


def words(text: str) -> set[str]:
    """The content words of an item, as compared."""
    return {w[:5] for w in terms(re.sub(r"[/:.]", " ", text)) if w not in SPOKEN}


def overlap(truth: str, drafted: str) -> float:
    """The share of the truth's content words that the drafted item holds."""
    want = words(truth)
    return len(want & words(drafted)) / len(want) if want else 0.0


@dataclass
class Score:
    """Precision and recall of one section over one or more sessions."""

    found: int = 0
    """Truth items matched."""
    truth: int = 0
    right: int = 0
    """Drafted items that matched a truth item not matched before."""
    drafted: int = 0

    def add(self, other: Score) -> None:
        """Sum another session's counts into this one."""
        self.found += other.found
        self.truth += other.truth
        self.right += other.right
        self.drafted += other.drafted

    @property
    def recall(self) -> float:
        """Share of the truth items drafted."""
        return self.found / self.truth if self.truth else 1.0

    @property
    def precision(self) -> float:
        """Share of the drafted items that are right (and not drafted twice)."""
        return self.right / self.drafted if self.drafted else 1.0


def score(truth: list[dict], drafted: list[str], least: float = 0.5) -> tuple[Score, list[str]]:
    """Match drafted items to truth items; the score and the drafted items that matched
    nothing (for the report)."""
    matched: set[str] = set()
    result = Score(truth=len({t["id"] for t in truth}), drafted=len(drafted))
    stray = []
    for item in drafted:
        best = max(truth, key=lambda t: overlap(t["text"], item), default=None)
        if best is None or overlap(best["text"], item) < least:
            stray.append(item)
            continue
        if best["id"] not in matched:
            matched.add(best["id"])
            result.right += 1
        else:
            stray.append(f"{item} (again)")
    result.found = len(matched)
    return result, stray


def missed(truth: list[dict], drafted: list[str], least: float = 0.5) -> list[str]:
    """The truth items no drafted item matched."""
    return [t["text"] for t in truth if not any(overlap(t["text"], d) >= least for d in drafted)]


KINDS = {
    "book": {"book"}, "novel": {"book"}, "workbook": {"book"}, "reading": {"book", "article"},
    "podcast": {"podcast"}, "episode": {"podcast"}, "app": {"app"}, "application": {"app"},
    "article": {"article"}, "paper": {"article"}, "guide": {"article", "site"},
    "web address": {"site"}, "website": {"site"}, "blog": {"site"}, "video": {"video"},
}  # fmt: skip
"""A drafted mention's kind (the cue heard) and the kinds of truth it may be."""
SLACK = 2.0
"""Seconds either side of the turn that names a resource."""


@dataclass(frozen=True)
class Mention:
    """A drafted resource as the coach reads it: what was heard, when, and of what kind."""

    text: str
    at: float | None = None
    """None for an address in the front matter (no time)."""
    kind: str | None = None


def kind_of(text: str) -> str | None:
    """The kind a drafted mention names: "(book, as heard...)", "Calm app", "...article"."""
    low = text.lower()
    if "web address" in low:
        return "web address"
    found = re.findall(r"\b(" + "|".join(k for k in KINDS if " " not in k) + r")\b", low)
    return found[-1] if found else None


def title_close(truth: str, heard: str) -> bool:
    """Whether a heard title is close to the true one: a content word shared, or at least
    half of the true title's letters found in runs of three or more, in order."""
    if words(truth) & words(heard):
        return True
    a = re.sub(r"[^a-z]", "", truth.lower())
    b = re.sub(r"[^a-z]", "", heard.lower())
    blocks = SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
    return bool(a) and sum(m.size for m in blocks if m.size >= 3) / len(a) >= 0.5


def mention_matches(truth: dict, item: Mention) -> bool:
    """The rule in this module's docstring."""
    if item.at is None:
        return overlap(truth["text"], item.text) >= 0.5
    start, end = truth["at"], truth.get("until", truth["at"] + 10)
    if not start - SLACK <= item.at <= end + SLACK:
        return False
    kind = truth.get("kind")
    return bool(kind and kind in KINDS.get(item.kind or "", set())) or title_close(
        truth["text"], item.text
    )


def score_mentions(truth: list[dict], drafted: list[Mention]) -> tuple[Score, list[str]]:
    """`score` for resources, matched by the mention rule; the stray items for the report."""
    matched: set[str] = set()
    result = Score(truth=len({t["id"] for t in truth}), drafted=len(drafted))
    stray = []
    for item in drafted:
        hits = [t for t in truth if mention_matches(t, item)]
        fresh = [t for t in hits if t["id"] not in matched]
        if fresh:
            matched.add(fresh[0]["id"])
            result.right += 1
        else:
            stray.append(item.text + (" (again)" if hits else ""))
    result.found = len(matched)
    return result, stray


def missed_mentions(truth: list[dict], drafted: list[Mention]) -> list[str]:
    """The true resources no drafted item matched."""
    return [t["text"] for t in truth if not any(mention_matches(t, d) for d in drafted)]


def drafted_sections(found: Suggestions) -> dict[str, list]:
    """What `heard.extract` drafted, by section of the truth: texts, and `Mention`s for the
    resources (those with an address by it, the titled ones with their time and kind)."""
    return {
        "commitments": [h.text for h in found.commitments],
        "coach_promises": [h.text for h in found.coach_promises],
        "successes": [h.text for h in found.successes],
        "resources": [
            *(Mention(h.url or h.text) for h in found.resources),
            *(Mention(h.text, h.at, kind_of(h.text)) for h in found.mentions),
        ],
        "next_steps": [h.text for h in found.next_steps],
    }
