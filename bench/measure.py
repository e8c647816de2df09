"""What a benchmark reports: a time, the baseline measured in the same run, their ratio."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Measure:
    """One comparison: `seconds` against `baseline_seconds`, with an optional upper limit."""

    name: str
    seconds: float
    baseline: str
    baseline_seconds: float
    limit: float | None = None

    @property
    def ratio(self) -> float:
        """seconds / baseline_seconds."""
        return self.seconds / self.baseline_seconds

    def __str__(self) -> str:
        limit = f" (limit {self.limit})" if self.limit is not None else ""
        return (
            f"{self.name}: {self.seconds:.3f} s vs {self.baseline} {self.baseline_seconds:.3f} s"
            f" → ratio {self.ratio:.3f}{limit}"
        )


def best_of(func: Callable[[], object], repeat: int = 3) -> float:
    """The median wall time of `repeat` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
