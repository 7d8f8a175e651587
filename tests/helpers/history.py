"""Simulated normal history for tests that need a detector that has learned."""

import numpy as np

WEEK = 7 * 24 * 60


def quiet_history(service_id: int, rates: dict[str, float], weeks=2, seed=1):
    """Keys and (S, T) counts: each region's normal reports per minute."""
    rng = np.random.default_rng(seed)
    minutes = np.arange(weeks * WEEK)
    daily = 1 + 0.3 * np.cos(2 * np.pi * (minutes / 60 - 19) / 24)
    keys = [(service_id, region) for region in rates]
    counts = np.stack([rng.poisson(rate * daily) for rate in rates.values()]).astype(
        float
    )
    return keys, counts
