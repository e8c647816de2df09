"""A hang guard for the robustness tests: a deadline that interrupts the code under test."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator

import pytest
from hypothesis import settings

# Property tests: 100 examples each in `make test`; `make soak` sets HYPOTHESIS_PROFILE=soak.
# No example database: nothing is written into the repository.
settings.register_profile("default", max_examples=100, database=None)
settings.register_profile("soak", max_examples=3000, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

PER_FILE_SECONDS = 10
"""The most one hostile file may take to load or be refused (a hang fails the test, not CI)."""


class Hang(AssertionError):
    """The code under test passed its deadline."""


@contextlib.contextmanager
def deadline(seconds: float = PER_FILE_SECONDS) -> Iterator[None]:
    """Fail with `Hang` when the block runs longer than `seconds` (a guard, not a benchmark)."""

    def expire(signum, frame):
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def within():
    """`with within():` — the deadline context manager, as a fixture."""
    return deadline
