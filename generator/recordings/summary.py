""" "What we discussed", drafted offline: topics found in the transcript, each told by its most
central sentence, with its time.

1. Each sentence becomes a TF-IDF vector over its content words (numpy; no model).
2. Topic boundaries, TextTiling-style: the similarity of the few sentences before and after
   each gap; a gap whose similarity dips well below its neighbours' (its *depth*) starts a
   new topic, with topics at least `SHORTEST_TOPIC` seconds long.
3. Each topic's bullet is its sentence nearest the topic's centroid (statements preferred to
   questions, long enough to say something), and its moment a short title: the phrase
   around the topic's weightiest word in its most central sentence that holds it ("I spoke
   up twice in the leadership meeting" → "Leadership meeting"), cut at the words that only
   link (articles, pronouns, prepositions).
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

WINDOW = 4
"""Sentences on each side of a gap compared for the topic boundaries."""
SHORTEST_TOPIC = 15.0
"""Seconds: a topic shorter than this is merged into its neighbour."""
MINUTES_PER_TOPIC = 0.6
"""At most one topic per this many minutes (a 10-minute session: up to 16)."""
STOP_WORDS = """
a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from
further had has have having he her here hers herself him himself his how i if in into is
it its itself just let lets me more most my myself no nor not now of off on once only or
other our ours ourselves out over own really same she should so some such than that thats
the their theirs them themselves then there these they this those through to too under
until up very was we were what when where which while who whom why will with would you
your yours yourself yourselves im ive ill youre youve youll dont didnt doesnt isnt wasnt
its okay ok yes yeah well right actually also maybe much many one two thing things
something anything like get got go going went say said think know want mean sure good
great kind lot bit week weeks time next last today sounds feel felt make made still even
way little every pretty part thank thanks please honestly today back welcome
wonderful perfect mostly nothing real big step sounds
"""
STOP = set(STOP_WORDS.split())


@dataclass(frozen=True)
class Sentence:
    """One sentence of the transcript: when it starts, what was said, and by whom."""

    at: float
    text: str
    speaker: str | None = None


@dataclass(frozen=True)
class Topic:
    """One stretch of the session about one thing: its bullet and its moment's title."""

    start: float
    end: float
    bullet: str
    """The topic's most central sentence (or two, for a long topic)."""
    bullet_at: float
    title: str
    """A short title for the journal's chapters (`moments:`)."""


def terms(text: str) -> list[str]:
    """The content words of a sentence, crudely stemmed (plural and -ing folded)."""
    out = []
    for word in re.findall(r"[a-z]+", text.lower().replace("'", "")):
        if word in STOP or len(word) < 3:
            continue
        for suffix in ("ing", "es", "s"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                word = word[: -len(suffix)]
                break
        out.append(word)
    return out


def vectors(sentences: list[Sentence]) -> tuple[np.ndarray, list[str]]:
    """Unit-length TF-IDF vectors of the sentences (rows) over their vocabulary: each term
    named by the word it was most often said as ("nights" and "night": "night")."""
    bags = [Counter(terms(s.text)) for s in sentences]
    stems = sorted({t for bag in bags for t in bag})
    index = {t: i for i, t in enumerate(stems)}
    counts = np.zeros((len(sentences), len(stems)))
    for row, bag in enumerate(bags):
        for term, n in bag.items():
            counts[row, index[term]] = n
    idf = np.log((1 + len(sentences)) / (1 + (counts > 0).sum(0))) + 1
    weighted = counts * idf
    norms = np.linalg.norm(weighted, axis=1, keepdims=True)
    said: dict[str, Counter[str]] = {t: Counter() for t in stems}
    for sentence in sentences:
        for word in re.findall(r"[a-z]+", sentence.text.lower().replace("'", "")):
            for term in terms(word):
                said[term][word] += 1
    vocabulary = [said[t].most_common(1)[0][0] if said[t] else t for t in stems]
    return weighted / np.where(norms > 0, norms, 1), vocabulary


def boundaries(matrix: np.ndarray, starts: list[float], duration: float) -> list[int]:
    """Indexes of the sentences that start a new topic (TextTiling's depth scores)."""
    n = len(matrix)
    if n < 2 * WINDOW:
        return []
    similarity = np.zeros(n)
    for gap in range(1, n):
        before = matrix[max(0, gap - WINDOW) : gap].sum(0)
        after = matrix[gap : gap + WINDOW].sum(0)
        denominator = np.linalg.norm(before) * np.linalg.norm(after)
        similarity[gap] = before @ after / denominator if denominator else 0.0
    depth = np.zeros(n)
    for gap in range(1, n):
        # The peaks nearest the gap, climbing away from it (TextTiling's rule).
        i = gap
        while i > 1 and similarity[i - 1] >= similarity[i]:
            i -= 1
        left = similarity[i]
        j = gap
        while j < n - 1 and similarity[j + 1] >= similarity[j]:
            j += 1
        right = similarity[j]
        depth[gap] = (left - similarity[gap]) + (right - similarity[gap])
    candidates = depth[1:]
    cutoff = candidates.mean() + 0.5 * candidates.std()
    most = max(2, round(duration / 60 / MINUTES_PER_TOPIC))
    chosen: list[int] = []
    for gap in sorted(range(1, n), key=lambda g: -depth[g]):
        if depth[gap] <= cutoff or len(chosen) >= most - 1:
            break
        edges = [0, *sorted(chosen), n]
        k = next(i for i in range(len(edges) - 1) if edges[i] < gap < edges[i + 1])
        end = starts[edges[k + 1]] if edges[k + 1] < n else duration
        if starts[gap] - starts[edges[k]] >= SHORTEST_TOPIC and end - starts[gap] >= SHORTEST_TOPIC:
            chosen.append(gap)
    return sorted(chosen)


def topics(sentences: list[Sentence], duration: float) -> list[Topic]:
    """The session's topics in order, each with its bullet and title."""
    kept = [s for s in sentences if terms(s.text)]
    if not kept:
        return []
    matrix, vocabulary = vectors(kept)
    starts = [s.at for s in kept]
    edges = [0, *boundaries(matrix, starts, duration), len(kept)]
    out = []
    for a, b in itertools.pairwise(edges):
        part = kept[a:b]
        centroid = matrix[a:b].sum(0)
        best = max(range(a, b), key=lambda i: _centrality(kept[i], matrix[i], centroid))
        bullet, at = kept[best].text, kept[best].at
        if b - a >= 12:  # a long topic: its second most central statement too, in order
            second = max(
                (i for i in range(a, b) if i != best),
                key=lambda i: _centrality(kept[i], matrix[i], centroid),
            )
            first, then = sorted((best, second))
            bullet, at = f"{kept[first].text} {kept[then].text}", kept[first].at
        end = kept[b].at if b < len(kept) else duration
        ranked = sorted(range(a, b), key=lambda i: -_centrality(kept[i], matrix[i], centroid))
        title = _title([kept[i].text for i in ranked], centroid, vocabulary)
        out.append(Topic(part[0].at, end, bullet, at, title))
    return out


def _centrality(sentence: Sentence, vector: np.ndarray, centroid: np.ndarray) -> float:
    norm = np.linalg.norm(centroid)
    score = float(vector @ centroid / norm) if norm else 0.0
    words = len(sentence.text.split())
    if sentence.text.rstrip().endswith("?"):
        score *= 0.5  # a question says what was asked, not what was found
    return score * min(1.0, math.log(1 + words) / math.log(12))


def _title(said: list[str], centroid: np.ndarray, vocabulary: list[str]) -> str:
    """A short title for a topic: the weightiest run of content words (a noun phrase, most
    often: "leadership meeting", "five kilometre run") among its most central sentences; else
    the weightiest short phrase from one of them ("call my sister about the move"); its two
    weightiest words when neither is found."""
    weight = {
        terms(v)[0] if terms(v) else v: float(w) for v, w in zip(vocabulary, centroid, strict=True)
    }
    best, best_score = [], 0.0
    for rank, text in enumerate(said[:TITLE_SENTENCES]):
        for chunk in _chunks(text):
            for a in range(len(chunk)):
                words = _trimmed(chunk[a : a + LONGEST_TITLE])
                if len(words) < 2:
                    continue
                score = sum(weight.get(t, 0.0) for w in words for t in terms(w)) / (1 + rank / 2)
                if score > best_score:
                    best, best_score = words, score
    if not best:  # no two content words in a row: a short phrase of the central sentences
        best = _phrase(said[:TITLE_SENTENCES], weight)
    if best:
        title = " ".join(best)
    else:
        top = [
            vocabulary[i]
            for i in np.argsort(-centroid)
            if centroid[i] > 0 and vocabulary[i] not in NOT_IN_TITLE
        ][:2]
        title = " and ".join(top) or "Discussion"
    return title[:1].upper() + title[1:]


LONGEST_TITLE = 4
"""Words in a moment's title at most."""
TITLE_SENTENCES = 5
"""A topic's most central sentences in which its title is looked for."""
NOT_IN_TITLE_WORDS = """
    called named titled find finds found want wants wanted held seems seemed seem feels keep
    keeps ask asks asked read reads says tell tells told look looks use uses used need needs
    try tries tried help helps helped take takes took give gives gave people useful scary
    hard easy better worse ready fine nearly probably honestly exactly com comes slash dot
    might may could would should must enjoy enjoyed love loved hope hoped
    """
NOT_IN_TITLE = set(NOT_IN_TITLE_WORDS.split())
"""Verbs and judgements that end a title's run of words rather than name what it is about."""


def _chunks(text: str) -> list[list[str]]:
    """The runs of content words (and numbers) of a sentence, cut at punctuation."""
    out: list[list[str]] = []
    for clause in re.split(r"[,.;:!?]", text):
        run: list[str] = []
        for word in re.findall(r"[\w'-]+", clause):
            if (terms(word) or word.isdigit()) and word.lower() not in NOT_IN_TITLE:
                run.append(word if word[:1].isupper() and run else word.lower())
            elif run:
                out.append(run)
                run = []
        if run:
            out.append(run)
    return out


LONGEST_PHRASE = 6
"""Words in a title made of a phrase (content words with the small words between them)."""


def _phrase(said: list[str], weight: dict[str, float]) -> list[str]:
    """The weightiest phrase of at most `LONGEST_PHRASE` words within one clause of the
    sentences, from a content word to a content word, with at least two content words."""
    best, best_score = [], 0.0
    for rank, text in enumerate(said):
        for clause in re.split(r"[,.;:!?]", text):
            words = re.findall(r"[\w'-]+", clause)
            content = [bool(terms(w)) and w.lower() not in NOT_IN_TITLE for w in words]
            for a, b in itertools.combinations(range(len(words)), 2):
                if b - a >= LONGEST_PHRASE or not (content[a] and content[b]):
                    continue
                score = sum(weight.get(t, 0.0) for w in words[a : b + 1] for t in terms(w))
                score /= (1 + rank / 2) * (1 + (b - a) / 10)  # shorter reads better
                if score > best_score:
                    best = [
                        w if i and w[:1].isupper() else w.lower()
                        for i, w in enumerate(words[a : b + 1])
                    ]
                    best_score = score
    return best


def _trimmed(words: list[str]) -> list[str]:
    """A run without the verbs and adverbs that end it ("Jonas starting", "story together")."""
    words = list(words)
    while len(words) > 1 and re.search(r"(?:ing|ed|ly|together|again)$", words[-1]):
        words.pop()
    return words
