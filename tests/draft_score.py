"""Scoring a draft against a scripted session's truth (bench/bench_drafts.py and the tests).

An item matches a truth item when it holds at least half of the truth's content words
(words compared by their first five letters, so that "practise" meets "practice" and a
misheard ending still counts). Each truth item (by id: one said twice is one) counts once
for recall; a drafted item that matches nothing, or an item already matched, counts
against precision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
