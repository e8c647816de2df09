"""Passwords people can type and guessers cannot: folding, generated passphrases, strength.

A password is folded before PBKDF2 (`fold_password`: capitals, spaces and dashes do not count),
exactly as `unlock.js` folds it. Generated passphrases are words of `wordlist.txt`; a typed
password must pass `check_strength`, judged on its folded form. Used by `keys.py`, which
re-exports these names.
"""

from __future__ import annotations

import math
import re
import secrets
import unicodedata
from functools import cache
from pathlib import Path

from generator.errors import RecapError

PASSPHRASE_WORDS = 5
"""Words in a generated passphrase: 5 × 11 bits = 55 bits of entropy, each guess costing
600,000 PBKDF2 iterations (about 2^19 hashes): some 2^74 hashes to try them all."""
MIN_LENGTH = 12
"""The shortest password accepted."""
MIN_BITS = 50
"""The least estimated entropy accepted for a typed password."""

_WORD_SEPARATORS = re.compile(r"[\s\-_.,;:+/]+")
_SPACES = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_FOLDED_SEPARATORS = re.compile(f"[{_SPACES}_\\-\u2010-\u2015\u2212]+")
"""Spaces (JavaScript's `\\s`, listed so both sides agree), underscores and dashes of any kind
(a phone may turn "--" into "—"): all one separator in a password."""
_COMMON = (
    "password", "passwort", "qwerty", "azerty", "letmein", "welcome", "admin", "iloveyou",
    "monkey", "dragon", "master", "sunshine", "princess", "football", "baseball", "shadow",
    "abc123", "123456", "654321", "111111", "000000", "trustno1", "secret", "login", "journal",
    "recap", "coach", "changeme",
)  # fmt: skip


class WeakPasswordError(RecapError):
    """A typed password that an attacker with the published keyring could guess."""


def fold_password(password: str) -> str:
    """The form of a password that PBKDF2 sees: "Maple River" and "maple-river" are one password.

    NFC (a phone and a laptop may compose "é" differently), lower case, and every run of
    spaces, dashes and underscores made one dash, none at either end. `unlock.js` folds the
    same way before PBKDF2; `tests/test_unlock_fold.py` checks that both agree.
    """
    text = unicodedata.normalize("NFC", unicodedata.normalize("NFC", password).lower())
    return _FOLDED_SEPARATORS.sub("-", text).strip("-")


def generate_passphrase(words: int = PASSPHRASE_WORDS) -> str:
    """A passphrase of `words` random words from our list, joined by dashes.

    The list (`wordlist.txt`, derived from BIP-39 without its violent or unpleasant words) has
    2048 = 2^11 words of 3 to 8 lowercase letters, the first four letters of each unique, so
    a phone's autocorrect rarely confuses them; the words are drawn with `secrets`, so the
    default 5 words carry 5 × 11 = 55 bits of entropy.
    """
    pool = _wordlist()
    return "-".join(secrets.choice(pool) for _ in range(words))


def estimate_bits(password: str) -> float:
    """A conservative estimate of a password's entropy in bits.

    The lowest of: words of our list (11 bits each, however they are joined), other words
    separated by spaces or dashes (about 14 bits each), and characters
    scored by their alphabet where a repeated or consecutive character (aaa, abc, 123) scores
    one bit and common passwords ("password", "qwerty", ...) count as a single word.
    """
    estimates = [_char_bits(password)]
    words = _segment(password.lower())
    if words is not None:
        estimates.append(11.0 * words)
    tokens = [t for t in _WORD_SEPARATORS.split(password.lower()) if t]
    if len(tokens) > 1 and all(t.isalpha() for t in tokens):
        # Words anyone might pick: about 14 bits each, from a vocabulary of some 20,000.
        estimates.append(14.3 * len(tokens))
    return min(estimates)


def check_strength(password: str) -> None:
    """Raise `WeakPasswordError` with the reason when `password` is too easy to guess.

    Anyone can download a journal's `keyring.json` and guess passwords offline, so a typed
    password needs at least 12 characters and about 50 bits of estimated entropy, both counted
    on its folded form (`fold_password`: capitals, spaces and dashes are free for a guesser).
    """
    hint = (
        f"or let Recap Journal make one of {PASSPHRASE_WORDS} everyday words, strong and easy "
        "to type: `recap client password SLUG` without --type"
    )
    # Judged as the browser will derive it: capitals and separators do not count.
    password = fold_password(password)
    if len(password) < MIN_LENGTH:
        raise WeakPasswordError(
            f"password too short: {len(password)} characters, at least {MIN_LENGTH}; {hint}"
        )
    bits = estimate_bits(password)
    if bits < MIN_BITS:
        raise WeakPasswordError(
            f"password too easy to guess: about {bits:.0f} bits of entropy, at least "
            f"{MIN_BITS} needed (the published keyring lets anyone guess offline; repeated, "
            f"sequential and common words count little); {hint}"
        )


@cache
def _wordlist() -> tuple[str, ...]:
    path = Path(__file__).with_name("wordlist.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    words = tuple(w for w in (line.strip() for line in lines) if w and not w.startswith("#"))
    if len(words) != 2048 or len(set(words)) != 2048:
        raise RuntimeError(f"{path}: expected 2048 distinct words, found {len(set(words))}")
    return words


def _segment(text: str) -> int | None:
    """The fewest words of our list that spell `text` (separators ignored), or None."""
    letters = _WORD_SEPARATORS.sub("", text)
    if not letters.isalpha():
        return None
    vocabulary = set(_wordlist())
    best: list[int | None] = [0] + [None] * len(letters)
    for end in range(1, len(letters) + 1):
        for start in range(max(0, end - 8), end - 2):
            before = best[start]
            if before is not None and letters[start:end] in vocabulary:
                count = before + 1
                current = best[end]
                if current is None or count < current:
                    best[end] = count
    return best[-1]


def _char_bits(password: str) -> float:
    lowered = password.lower()
    for word in _COMMON:
        lowered = lowered.replace(word, "\x00")
    pool = 0
    if any(c.islower() for c in password):
        pool += 26
    if any(c.isupper() for c in password):
        pool += 26
    if any(c.isdigit() for c in password):
        pool += 10
    if any(not c.isalnum() for c in password):
        pool += 33
    per_char = math.log2(max(pool, 2))
    bits = 0.0
    previous = ""
    for char in lowered:
        if char == "\x00":
            bits += 8.0  # a common password fragment: one guess among a few hundred
        elif previous and (char == previous or abs(ord(char) - ord(previous)) == 1):
            bits += 1.0
        else:
            bits += per_char
        previous = char
    # A handful of distinct characters is a pattern, however long it runs.
    return min(bits, len(set(lowered)) * per_char * 1.5)
