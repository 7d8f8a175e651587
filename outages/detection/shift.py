"""A lasting change of level, learned within hours instead of alerted on.

The slow level (`baseline.learn_hour`) follows growth over days, and is not
learned inside an incident. A series whose normal has changed for good (a
new audience, a counting change, a story that became the new normal) would
then keep an incident open for days. So the ratio of observed to expected
is kept per block of wall time: when the last `BLOCKS` blocks are all off
by at least `MIN_FACTOR` in the same direction and flat (no block more than
`FLAT` times another), the excess is a new level, not an outage, which
would rise and decay: the level takes the blocks' ratio and any incident
ends. Gating on flatness, not on duration alone, keeps a long outage that
is still changing open.
"""

from dataclasses import dataclass

import numpy as np

# Until a series has learned this many hours its profile is still settling
# (a daily slot seen once or twice misses part of the cycle), and a few
# hours off it are not yet a new level.
AFTER_HOURS = 72
BLOCK_MINUTES = 60.0
# A block holds at least this many buckets, so a coarse series judges
# flatness on enough of them.
MIN_BLOCK_BUCKETS = 4
BLOCKS = 3
MIN_FACTOR = 1.5
FLAT = 1.3
# A block's ratio is (observed + PSEUDO) / (expected + PSEUDO) over its
# buckets: a sparse series needs a few reporters before it can shift.
PSEUDO = 3.0


@dataclass
class Blocks:
    observed: np.ndarray  # (S, BLOCKS) sums of the last complete blocks
    expected: np.ndarray  # (S, BLOCKS)
    # (S, 3) observed, expected and buckets not judged (warming up, or an
    # hour of the day never seen) of the block in progress
    current: np.ndarray

    @property
    def size(self) -> int:
        return self.current.shape[0]


def new_blocks(size: int) -> Blocks:
    return Blocks(
        observed=np.zeros((size, BLOCKS)),
        expected=np.zeros((size, BLOCKS)),
        current=np.zeros((size, 3)),
    )


def block_buckets(bucket_minutes: float) -> int:
    return max(MIN_BLOCK_BUCKETS, round(BLOCK_MINUTES / bucket_minutes))


def add(blocks: Blocks, observed, expected, present, judged) -> None:
    blocks.current[:, 0] += np.where(present, observed, 0.0)
    blocks.current[:, 1] += np.where(present, expected, 0.0)
    blocks.current[:, 2] += ~judged


def close_block(blocks: Blocks) -> tuple[np.ndarray, np.ndarray]:
    """End the block in progress; returns which series shifted, and by what."""
    blocks.observed = np.roll(blocks.observed, -1, axis=1)
    blocks.expected = np.roll(blocks.expected, -1, axis=1)
    observed, expected, unjudged = blocks.current.T
    blocks.observed[:, -1] = observed
    # A block with buckets the expectation could not judge (the first day,
    # when the overall mean stands in for the daily cycle) says nothing
    # about the level: it counts as unseen.
    blocks.expected[:, -1] = np.where(unjudged > 0, 0.0, expected)
    blocks.current[:] = 0
    ratio = (blocks.observed + PSEUDO) / (blocks.expected + PSEUDO)
    high, low = ratio.max(axis=1), ratio.min(axis=1)
    flat = high <= FLAT * low
    up = low >= MIN_FACTOR
    down = high <= 1 / MIN_FACTOR
    # Every block must have seen judged data (a gap is not a new normal).
    seen = (blocks.expected > 0).all(axis=1)
    shifted = flat & (up | down) & seen
    factor = np.exp(np.log(ratio).mean(axis=1))
    return shifted, np.where(shifted, factor, 1.0)


def forget(blocks: Blocks, which: np.ndarray) -> None:
    """After a shift the old blocks are measured against an old level."""
    blocks.observed[which] = 0
    blocks.expected[which] = 0
    # Empty already after `close_block`; not when forgiving mid-block.
    blocks.current[which] = 0
