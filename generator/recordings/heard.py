"""What a transcript says the recap should hold, told apart by who said it.

From sentences with their speaker (`Coach`, `Client`, or None when unknown):
- client commitments ("I will", "I'm going to", "I'll", "my plan is to") from the client only;
  the coach's own promises ("I'll send you...") to a list of their own, and what is to be sent
  to a resource placeholder;
- successes, one per fact ("I swam..., and I finished..." is two), from the client only;
- resources heard: web addresses (also spoken: "example dot com slash sleep"), and titled
  books, articles, podcasts, apps ("a book called Made to Stick", "the Calm app",
  "Atomic Habits by James Clear");
- next steps ("next time we'll...", "before our next session...");
- focus tags: the client's earlier tags that come up again.

Near-duplicates (the same commitment said three times) are one item with all their times.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

from generator.recordings.summary import Sentence, terms
from generator.recordings.transcribe import Segment

COACH, CLIENT = "Coach", "Client"
FILLER = {"so", "and", "okay", "ok", "well", "yeah", "right", "um", "uh", "then", "but", "also"}
COMMITMENT = re.compile(
    r"\b(?:I\s+will|I'll|I\s+am\s+going\s+to|I'm\s+going\s+to|I'm\s+gonna|I\s+plan\s+to|"
    r"my\s+plan\s+is\s+to|I've\s+decided\s+to|I\s+promise\s+to|I\s+commit\s+to|"
    r"I'm\s+committing\s+to)\s+(?P<rest>.+)",
    re.IGNORECASE,
)
NOT_A_PROMISE = re.compile(
    r"^(?:be\s+honest|admit|tell\s+you|say|be\s+right|be\s+fine|see|think|never|probably\s+not)\b",
    re.IGNORECASE,
)
SEND = re.compile(
    r"^(?:also\s+)?(?:send|email|e-mail|forward|share|mail|text|look\s+up|find|dig\s+out)\s+"
    r"(?:you\s+|it\s+to\s+you\s+|over\s+)?(?P<what>.+)",
    re.IGNORECASE,
)
WHEN = re.compile(
    r"\s+(?:after\s+(?:the|our|this)\b|before\s+(?:the|our)\b|by\s+\w+day\b|tonight\b|"
    r"tomorrow\b|later\b|on\s+\w+day\b|this\s+(?:week|evening|afternoon)\b|next\s+week\b|"
    r"I\s+mentioned\b|for\s+you\b).*$",
    re.IGNORECASE,
)
SUCCESS_VERBS = (
    r"managed\s+to|was\s+able\s+to|finished|completed|started|succeeded\s+in|stuck\s+to|kept|"
    r"got|did|swam|ran|wrote|spoke|made|set\s+up|said\s+no|took|won|gave|began|slept|walked|"
    r"went|paid|cleared|finally|[a-z]+ed"
)
SUCCESS = re.compile(
    r"\bI(?:'ve|\s+have)?\s+(?:also\s+|actually\s+)?(?P<verb>"
    + SUCCESS_VERBS
    + r")\s+(?P<rest>.+)",
    re.IGNORECASE,
)
BEEN = re.compile(r"\bI(?:'ve|\s+have)\s+been\s+(?P<rest>\w+ing\b.+)", re.IGNORECASE)
NOT_SUCCESS = {
    "needed", "wanted", "tried", "asked", "noticed", "realized", "realised", "talked",
    "mentioned", "used", "liked", "loved", "hoped", "planned", "worried", "wondered", "pushed",
    "wished", "expected", "named", "decided", "guessed", "assumed", "supposed", "believed",
    "enjoyed", "learned", "heard", "seemed", "happened", "need", "feed", "proceed",
}  # fmt: skip
"""-ed words that are not achievements."""
WEAK_OBJECT = re.compile(r"^(?:not|n't|it|that|this|so|to|a\s+lot|nothing|some)\b", re.IGNORECASE)
TLDS = "com|org|net|io|co|uk|de|app|dev|info|edu|gov"
URL = re.compile(
    r"\b(?:https?://\S+|(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\."
    r"(?:" + TLDS + r")(?:/[^\s,;]*)?)",
    re.IGNORECASE,
)
SPOKEN_URL = re.compile(
    r"\b(?:www\s+dot\s+)?(?P<host>[a-z0-9-]+(?:\s+dot\s+[a-z0-9-]+)*(?:\s+dot\s+|\s*\.)"
    r"(?:" + TLDS + r"))\b"
    r"(?P<path>(?:\s+slash\s+[a-z0-9-]+)*)",
    re.IGNORECASE,
)
KINDS = (
    r"book|novel|article|paper|podcast|episode|app|application|video|talk|course|newsletter|"
    r"website|blog|workbook|guide"
)
TITLE_WORD = r"(?:[A-Z][\w'’-]*|of|to|the|and|a|an|in|on|for|with|&)"
TITLE = (
    r"[A-Z][\w'’-]*(?:\s+" + TITLE_WORD + r")*(?:,?\s+by\s+[A-Z]\w+(?:\s+(?:and\s+)?[A-Z]\w+)*)?"
)
AFTER_KIND = re.compile(
    r"\b(?P<kind>" + KINDS + r")\b(?:\s+(?:I|you|we)\s+\w+(?:\s+\w+)?)?"
    r"(?:\s*,|\s+(?:called|titled|named|is))?\s+(?!I\b)(?P<title>" + TITLE + r")"
)
BEFORE_KIND = re.compile(
    r"\b(?:the|a|an)\s+(?P<title>(?:[A-Z][\w'’-]*\s+){1,4})(?P<kind>" + KINDS + r")\b"
    r"(?P<about>\s+(?:on|about)\s+[a-z][\w\s-]{2,40}?)?(?=[,.;!?]|$|\s+(?:that|which|it)\b)"
)
LOOSE_TITLE = re.compile(
    r"\b(?P<kind>" + KINDS + r")\b(?:\s+\w+){0,4}?\s+(?:called|titled|named|is)\s+"
    r"(?P<title>[\w'’-]+(?:\s+[\w'’-]+){0,4}?)(?=\s*[,.;!?]|$|\s+(?:by|that|which|it|there)\b)",
    re.IGNORECASE,
)
"""A title the transcript did not capitalise: "a podcast you might enjoy is hidden brain"."""
READ_BY = re.compile(
    r"\b(?:read|listen\s+to|watch)\s+(?:the\s+(?:\w+\s+)?)?(?P<title>[a-z][\w'’-]*(?:\s+[\w'’-]+){0,4}?)"
    r",?\s+by\s+(?P<author>[A-Za-z]\w+(?:\s+[A-Z]\w+)?)",
    re.IGNORECASE,
)
"""A work and its author the transcript did not capitalise: "read the book made to stick by
chip heath"."""
SMALL_WORDS = {"of", "to", "the", "and", "a", "an", "in", "on", "for", "with", "&"}
BY_AUTHOR = re.compile(
    r"\b(?P<title>[A-Z][\w'’-]*(?:\s+" + TITLE_WORD + r"){0,5}),?\s+by\s+"
    r"(?P<author>[A-Z]\w+(?:\s+(?:and\s+)?[A-Z]\w+){0,3})"
)
LONGEST_TITLE = 8
"""Words: more than this after a cue is a sentence, not a title."""
LOOSE_KINDS = (
    r"book|novel|article|paper|podcast|episode|app|video|course|newsletter|website|blog|"
    r"workbook|guide|documentary"
)
LOOSE_KIND = re.compile(
    r"(?:\b(?:a|an|the|this|that|one)\s+(?P<pre>(?:[\w'-]+\s+){0,4}?))?\b(?P<kind>"
    + LOOSE_KINDS
    + r")\b(?P<after>[^.?!]*)",
    re.IGNORECASE,
)
"""A kind of resource named: what follows may hold its title, however it was heard."""
RELATIVE = re.compile(
    r"^\s*,?\s*(?:(?:that|which)\s+)?(?:(?:you|I|we|people|many\s+people|a\s+lot\s+of\s+\w+)"
    r"\s+(?:(?:might|may|could|would|will|should|really|also)\s+)*\w+\s*)?"
    r"(?:,\s*)?(?:is|in|was|called|titled|named|by|'s)?\s+",
    re.IGNORECASE,
)
"""What may stand between a kind and its title: "you might enjoy is", "called", "is"."""
PLAIN_ADJECTIVES = {
    "good", "great", "simple", "short", "nice", "useful", "lovely", "brilliant", "wonderful",
    "new", "little", "free", "excellent", "interesting", "fantastic", "helpful", "popular",
    "famous", "long", "old", "recent", "classic", "very", "really", "quick", "whole", "other",
}  # fmt: skip
"""Words before a kind that describe it rather than name it ("a good article")."""
SAID_ABOUT = re.compile(
    r"^\s*(?:that\s+)?(?:I|you|we|they|people)\s+(?:(?:often|always|really|also|would|"
    r"might|could|can)\s+)*(?:recommend|like|love|use|mentioned|read|suggest)\w*"
    r"(?:\s+(?:here|to\s+\w+|a\s+lot|for\s+this))?\s*$",
    re.IGNORECASE,
)
"""After a kind, a clause about it that holds no title: "a book I often recommend here"."""
VAGUE_AFTER = ("on this", "on that", "about this", "about that", "on it", "about it", "for you")
RECOMMEND = re.compile(
    r"\b(?:you\s+(?:might|may|could|would|will)\s+(?:really\s+)?(?:like|love|enjoy)|"
    r"I\s+(?:recommend|suggest)|check\s+out|worth\s+(?:reading|a\s+listen)|"
    r"^(?P<verb>read|listen\s+to|watch))"
    r"(?P<after>\s+[^.?!]*)",
    re.IGNORECASE,
)
"""A recommendation without its kind heard: "you might like atomic habits"."""
NOT_A_TITLE = {
    "to", "it", "that", "this", "them", "him", "her", "me", "us", "you", "your", "my", "our",
    "his", "their", "i", "we", "they", "on", "about", "at", "in", "with", "for", "if", "when",
    "doing", "having", "being", "a", "an", "the",
}  # fmt: skip
"""A "title" starting with one of these is the rest of a sentence."""
SPOKEN_PATH = re.compile(
    r"(?:\b[\w-]+\s+)?(?:\.|\b(?:dot|com|come|org|net))\s*[\w-]*\s+slash\s+[\w-]+"
    r"(?:\s+slash\s+[\w-]+)*",
    re.IGNORECASE,
)
"""An address said aloud but not caught cleanly: "... com slash budget", "not come slash
budget" (Whisper's "dot com"); speech says "slash" after these almost only in addresses."""
NEXT = re.compile(
    r"\b(?P<when>next\s+time|(?P<at>(?:in|at|before|for|during)\s+)?(?:our|the)\s+next\s+"
    r"(?:session|meeting|call)|before\s+we\s+(?:meet|talk|speak)\s+again|"
    r"when\s+we\s+(?:meet|talk|speak)\s+next)\b,?\s*(?P<rest>.+)",
    re.IGNORECASE,
)
WE_WILL = re.compile(
    r"^(?:,\s*)?(?:we\s+will|we'll|let's|let\s+us|we\s+can|we\s+should|I'd\s+like\s+us\s+to|"
    r"I\s+want\s+us\s+to|we're\s+going\s+to|we\s+are\s+going\s+to)\s+",
    re.IGNORECASE,
)
TOO_VAGUE = {"it", "that", "this", "them", "so", "do", "try", "see", "be", "do it", "try it"}
CALENDAR = {f"{d:%A}" for d in (dt.date(2026, 1, 5) + dt.timedelta(n) for n in range(7))} | {
    f"{dt.date(2026, m, 1):%B}" for m in range(1, 13)
}


@dataclass(frozen=True)
class Heard:
    """A candidate item: its text, every time it was said, the sentence it first came from
    and who said it (`url` for a resource with an address, `kind` for a titled one)."""

    text: str
    times: tuple[float, ...]
    quote: str
    speaker: str | None = None
    url: str | None = None
    kind: str | None = None

    @property
    def at(self) -> float:
        """When it was first said."""
        return self.times[0]


@dataclass
class Suggestions:
    """Everything drafted from one transcript, by section."""

    commitments: list[Heard] = field(default_factory=list)
    coach_promises: list[Heard] = field(default_factory=list)
    to_send: list[Heard] = field(default_factory=list)
    successes: list[Heard] = field(default_factory=list)
    resources: list[Heard] = field(default_factory=list)
    """Resources with an address (a URL heard or spelt out)."""
    mentions: list[Heard] = field(default_factory=list)
    """Titled resources without an address: books, podcasts, apps, articles."""
    next_steps: list[Heard] = field(default_factory=list)
    focus: list[str] = field(default_factory=list)


def sentences(segments: list[Segment]) -> list[Sentence]:
    """The transcript as sentences, each with its start time and speaker.

    Cues are sentence-sized already; older transcripts (segments cut anywhere) are rebuilt
    into sentences across segments, and a change of speaker always ends one.
    """
    out: list[Sentence] = []
    current: list[str] = []
    start, speaker = 0.0, None

    def close() -> None:
        if current:
            out.append(Sentence(start, " ".join(current), speaker))
            current.clear()

    for segment in segments:
        if current and segment.speaker != speaker:
            close()
        text = segment.text.replace("\u2019", "'").strip()
        for piece in re.split(r"(?<=[.!?])\s+", text):
            if not piece:
                continue
            if not current:
                start, speaker = segment.start, segment.speaker
            current.append(piece)
            if piece.endswith((".", "!", "?")):
                close()
        if current and len(" ".join(current).split()) > 25:
            close()
    close()
    return out


def extract(segments: list[Segment], earlier_focus: list[str] | None = None) -> Suggestions:
    """Every candidate of a transcript, by section (see the module's docstring)."""
    found = Suggestions()
    said = sentences(segments)
    for n, sentence in enumerate(said):
        text, at, who = sentence.text, sentence.at, sentence.speaker
        if not text.rstrip().endswith("?"):
            for clause in _clauses(text):
                _promise(found, at, clause, text, who)
                if who != COACH:
                    _success(found, at, clause, text, who)
            _next_step(found, at, text, who)
        if not _resources(found, at, text, who):
            _loose_mention(found, sentence, said[n + 1] if n + 1 < len(said) else None)
    for name in ("commitments", "coach_promises", "to_send", "successes", "next_steps"):
        setattr(found, name, merge(getattr(found, name)))
    found.resources = _merge_exact(found.resources)
    found.mentions = merge(found.mentions)
    found.focus = _focus(said, earlier_focus or [])
    return found


def _clauses(sentence: str) -> list[str]:
    """A sentence cut before each "I" that starts a clause of its own."""
    return [
        c
        for c in re.split(
            r"(?:[,;]\s+|\s+)(?:and\s+|but\s+|so\s+|then\s+)(?=I\b)|[,;]\s+(?=I\b)", sentence
        )
        if c.strip()
    ]


def _promise(found: Suggestions, at: float, clause: str, quote: str, who: str | None) -> None:
    match = COMMITMENT.search(clause)
    if not match:
        return
    rest = _clean(match.group("rest"))
    if (
        len(rest.split()) < 2
        or rest.lower() in TOO_VAGUE
        or rest.lower().startswith("try ")
        or NOT_A_PROMISE.match(rest)
    ):
        return
    send = SEND.match(rest)
    if who == COACH or (who is None and send and re.search(r"\byou\b", rest[:20], re.I)):
        found.coach_promises.append(Heard(_capitalise(rest), (at,), quote, who))
        if send:
            what = _clean(WHEN.sub("", send.group("what")))
            if what and what.lower() not in TOO_VAGUE:
                found.to_send.append(Heard(what, (at,), quote, who))
        return
    when = [
        w if w.capitalize() in CALENDAR else w.lower()
        for w in re.findall(r"[\w']+", clause[: match.start()])
        if w.lower() not in FILLER
    ]
    text = _capitalise(rest + (" " + " ".join(when) if 0 < len(when) <= 4 else ""))
    found.commitments.append(Heard(text, (at,), quote, who))


def _success(found: Suggestions, at: float, clause: str, quote: str, who: str | None) -> None:
    been = BEEN.search(clause)
    if been:
        rest = _clean(been.group("rest"))
        if len(rest.split()) >= 2 and not rest.lower().startswith(("thinking", "wondering")):
            found.successes.append(Heard(_capitalise(rest), (at,), quote, who))
        return
    match = SUCCESS.search(clause)
    if not match:
        return
    verb = " ".join(match.group("verb").split()).lower()
    rest = _clean(match.group("rest"))
    # "I did not...", "I got it", "I noticed...": nothing achieved, or nothing said about it.
    # ...but "I talked to my manager", "I went to the meetup": done, and said so.
    reached = re.match(r"to\s+(?:the|a|an|my|our|his|her|their)\s+\w", rest, re.IGNORECASE)
    if verb in NOT_SUCCESS and not (verb == "talked" and reached):
        return
    if len(rest.split()) < 2 or (WEAK_OBJECT.match(rest) and not reached):
        return
    text = rest if verb == "finally" else f"{verb} {rest}"
    found.successes.append(Heard(_capitalise(text), (at,), quote, who))


def _next_step(found: Suggestions, at: float, text: str, who: str | None) -> None:
    match = NEXT.search(text)
    if not match:
        return
    rest = _clean(match.group("rest"))
    when = match.group("when").lower()
    if WE_WILL.match(rest):
        rest = WE_WILL.sub("", rest)
    elif when.startswith(("our", "the")):
        return  # "the next session is on Monday": said about it, not what happens in it
    elif re.match(r"(?:I|you)\b", rest):  # "next time I'll...": a commitment, not a next step
        return
    if when != "next time" and when not in rest.lower():
        rest = f"{rest} {when}"
    if len(rest.split()) >= 2:
        found.next_steps.append(Heard(_capitalise(rest), (at,), text, who))


def _resources(found: Suggestions, at: float, text: str, who: str | None) -> bool:
    """The resources of one sentence heard clearly (a title, an address); whether any was."""
    before = len(found.resources) + len(found.mentions)
    written = [m.span() for m in URL.finditer(text)]
    for match in URL.finditer(text):
        raw = match.group(0).rstrip(".,;:!?)")
        url = raw if raw.lower().startswith("http") else f"https://{raw}"
        found.resources.append(Heard(url, (at,), text, who, url=url))
    for match in SPOKEN_URL.finditer(text):
        if any(a <= match.start() < b for a, b in written):
            continue  # written out already ("example.com/sleep"), not spoken
        host = re.sub(r"\s+dot\s+|\s*\.", ".", match.group("host").lower())
        path = "".join(
            "/" + p for p in re.findall(r"slash\s+([a-z0-9-]+)", match.group("path"), re.I)
        )
        url = f"https://{host}{path.lower()}"
        found.resources.append(Heard(url, (at,), text, who, url=url))
    titled: list[tuple[str, str]] = []
    for match in AFTER_KIND.finditer(text):
        titled.append((match.group("title"), match.group("kind").lower()))
    for match in LOOSE_TITLE.finditer(text):
        if not match.group("title")[:1].isupper():
            title = match.group("title")
            if title.split()[0].lower() not in ("a", "an", "the", "it", "that", "this", "very"):
                titled.append((_title_case(title), match.group("kind").lower()))
    for match in BEFORE_KIND.finditer(text):
        about = (match.group("about") or "").strip()
        title = match.group("title").strip()
        titled.append((f"{title} {match.group('kind').lower()} {about}".strip(), ""))
    if not titled:
        for match in READ_BY.finditer(text):
            if match.group("author").split()[0] not in CALENDAR:
                title, author = (
                    _title_case(match.group("title")),
                    _title_case(match.group("author")),
                )
                titled.append((f"{title}, by {author}", ""))
    for match in BY_AUTHOR.finditer(text):
        if any(w in CALENDAR for w in match.group("author").split()):
            continue  # "book the GP by Friday": a day, not an author
        titled.append((f"{match.group('title')}, by {match.group('author')}", "book"))
    for title, kind in titled:
        words = _clean(title).split()
        while words and words[-1].lower() in SMALL_WORDS:
            words.pop()
        title = " ".join(words)
        if len(title) < 3 or title.split()[0] in ("I", "It", "That", "This"):
            continue
        label = f"{title} ({kind})" if kind and kind not in title.lower() else title
        found.mentions.append(Heard(label, (at,), text, who, kind=kind or None))
    return len(found.resources) + len(found.mentions) > before


def _loose_mention(found: Suggestions, sentence: Sentence, following: Sentence | None) -> None:
    """A resource named in words Whisper did not catch cleanly: its kind from a cue ("a
    podcast you might enjoy is...", "there is a good article on this.", "you might like...",
    "... slash budget") and whatever was heard as its title, marked as heard, so that the
    coach knows a book was mentioned at that time and can put its right title."""
    text, at, who = sentence.text, sentence.at, sentence.speaker
    kind, heard = "", ""
    if text.rstrip().endswith("?"):
        return  # "how is the novel going?": asked about, not recommended
    if match := LOOSE_KIND.search(text):
        after = match.group("after")
        kind, heard = match.group("kind").lower(), _heard_title(after)
        if SAID_ABOUT.match(after):
            heard = ""  # "a book I often recommend here": about it; its title comes next
        if not heard and (
            after.strip(" .,;:!?").lower() in ("", *VAGUE_AFTER) or SAID_ABOUT.match(after)
        ):
            heard = _next_title(sentence, following)  # "There's a good article on this. <title>."
        named = [w for w in (match.group("pre") or "").split() if w.lower() not in PLAIN_ADJECTIVES]
        if not heard and len(named) >= 2:  # "the <title> article on delegation"
            heard = " ".join([*named, match.group("kind"), *_about(match.group("after"))])
        if not heard:
            return
    elif match := RECOMMEND.search(text):
        heard = _heard_title(match.group("after"))
        if not heard:
            return
        verb = (match.group("verb") or "").lower()
        kind = {"read": "reading", "watch": "video"}.get(verb, "podcast" if verb else "")
    elif match := SPOKEN_PATH.search(text):
        kind, heard = "web address", _clean(match.group(0))
    else:
        return
    label = f"“{heard}” ({kind + ', ' if kind else ''}as heard: check the title)"
    found.mentions.append(Heard(label, (at,), text, who, kind=kind or None))


def _about(after: str) -> list[str]:
    """ "on delegation" after a kind: part of how the resource is named."""
    about = re.match(r"\s+(?:on|about)\s+([\w'-]+(?:\s+[\w'-]+)?)", after)
    return ["on", about.group(1)] if about and about.group(1).split()[0] not in NOT_A_TITLE else []


def _heard_title(after: str) -> str:
    """The words after a cue up to the end of their clause (at most `LONGEST_TITLE`)."""
    after = RELATIVE.sub("", after, count=1)
    words = re.split(r"[,.;:!?]", after, maxsplit=1)[0].split()
    while words and words[-1].lower() in SMALL_WORDS:
        words.pop()
    if not words or words[0].lower() in NOT_A_TITLE or len(words) > LONGEST_TITLE:
        return ""
    if len(words) == 1 and (words[0].lower() in PLAIN_ADJECTIVES or not terms(words[0])):
        return ""  # "the app is great": said about it, no title
    return " ".join(words)


def _next_title(sentence: Sentence, following: Sentence | None) -> str:
    """The next sentence as a title, when the same speaker says it right after, short."""
    if following is None or following.speaker != sentence.speaker:
        return ""
    if following.at - sentence.at > 8 or following.text.rstrip().endswith("?"):
        return ""
    words = _clean(following.text).split()
    return " ".join(words) if 0 < len(words) <= LONGEST_TITLE else ""


def _focus(said: list[Sentence], earlier: list[str]) -> list[str]:
    heard = {t for s in said for t in terms(s.text)}
    out = []
    for tag in earlier:
        words = terms(tag.replace("-", " "))
        if words and all(w in heard for w in words) and tag not in out:
            out.append(tag)
    return out


def similar(a: str, b: str) -> bool:
    """Whether two items say the same thing: most of their content words shared."""
    x, y = set(terms(a)), set(terms(b))
    if not x or not y:
        return a.casefold() == b.casefold()
    shared = len(x & y)
    return shared / len(x | y) >= 0.6 or shared / min(len(x), len(y)) >= 0.8


def merge(items: list[Heard]) -> list[Heard]:
    """Near-duplicates as one item (the first wording, a longer one if it says more), with
    every time it was said. Resources are compared by their titles alone (not by the kind
    and the "as heard" note around them)."""
    out: list[Heard] = []
    for item in items:
        for i, kept in enumerate(out):
            if similar(_named(kept.text), _named(item.text)):
                text = item.text if len(terms(item.text)) > len(terms(kept.text)) else kept.text
                out[i] = replace(kept, text=text, times=(*kept.times, *item.times))
                break
        else:
            out.append(item)
    return out


def _named(text: str) -> str:
    """An item's words without a trailing note in brackets ("(app, as heard: ...)") and
    without the words every spoken address has ("dot com slash")."""
    named = re.sub(r"\s*\([^)]*\)$", "", text).strip("“”")
    return re.sub(r"\b(?:dot|not|com|come|comes|org|net|slash)\b", " ", named, flags=re.I)


def _merge_exact(items: list[Heard]) -> list[Heard]:
    out: dict[str, Heard] = {}
    for item in items:
        key = (item.url or item.text).casefold().rstrip("/")
        seen = out.get(key)
        out[key] = replace(seen, times=(*seen.times, *item.times)) if seen else item
    return list(out.values())


def _title_case(text: str) -> str:
    words = text.split()
    return " ".join(
        w if w[:1].isupper() or (i and w.lower() in SMALL_WORDS) else w.capitalize()
        for i, w in enumerate(words)
    )


def _clean(text: str) -> str:
    return " ".join(text.split()).rstrip(" .,;:!?").lstrip(" ,;:")


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]
