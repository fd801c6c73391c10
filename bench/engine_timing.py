"""Timing for ``bench/engine.py``: the median and the best of timed samples after a warm-up,
and two functions timed interleaved, sample by sample, so that their ratio is taken over
samples that saw the same load on the machine.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    """Seconds per call: the median and the best of the timed samples (after one warm-up)."""

    median: float
    best: float

    @classmethod
    def of(cls, samples: list[float]) -> Timing:
        return cls(statistics.median(samples), min(samples))


def _sample(fn: Callable[[], object], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def timed(fn: Callable[[], object], repeat: int, number: int = 1) -> Timing:
    fn()  # warm-up
    return Timing.of([_sample(fn, number) for _ in range(repeat)])


@dataclass(frozen=True)
class Pair:
    ours: Timing
    baseline: Timing
    #: The median of baseline/ours over samples taken back to back, so both see the same noise.
    ratio: float
    #: How many times each side ran per sample.
    passes: int


def paired(
    ours: Callable[[], object], baseline: Callable[[], object], repeat: int, number: int
) -> Pair:
    """Time two functions interleaved: each sample runs one, then the other."""
    ours(), baseline()  # warm-up
    mine, theirs = [], []
    for _ in range(repeat):
        mine.append(_sample(ours, number))
        theirs.append(_sample(baseline, number))
    ratio = statistics.median(t / m for m, t in zip(mine, theirs, strict=True))
    return Pair(Timing.of(mine), Timing.of(theirs), ratio, number)
