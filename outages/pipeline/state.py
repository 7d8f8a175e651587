"""The detector's saved state: every series' arrays in one row, and its keys.

The row (`DetectorState`, NumPy's npz format in single precision) is locked
by the cycle that advances it, so two cycles never judge the same minute;
the read side unpacks it to draw each series' usual range.
"""

import io

import numpy as np

from outages.detection.detector import Detector
from outages.models import DetectorState
from outages.pipeline.counts import Key


def pack(keys: list[Key], detector: Detector) -> bytes:
    """The detector and its series keys as one blob."""
    buffer = io.BytesIO()
    services = np.array([k[0] for k in keys], dtype=np.int64)
    regions = np.array([k[1] for k in keys], dtype="U10")
    # Half the size in single precision: profiles need no more.
    arrays = {
        name: a.astype(np.float32) if a.dtype == np.float64 else a
        for name, a in detector.save().items()
    }
    np.savez(buffer, services=services, regions=regions, **arrays)
    return buffer.getvalue()


def unpack(blob: bytes, bucket_minutes: float = 1.0) -> tuple[list[Key], Detector]:
    if not blob:
        return [], Detector(0, bucket_minutes)
    with np.load(io.BytesIO(blob)) as arrays:
        keys = [
            (int(s), str(r))
            for s, r in zip(arrays["services"], arrays["regions"], strict=True)
        ]
        detector = Detector.load(arrays, bucket_minutes)
    return keys, detector


def locked() -> DetectorState:
    """The state row, locked until the transaction ends (made when missing)."""
    DetectorState.objects.get_or_create(shard=0)
    return DetectorState.objects.select_for_update().get(shard=0)


def saved_minute():
    """The last minute the saved state has judged, or None."""
    return (
        DetectorState.objects.filter(shard=0).values_list("minute", flat=True).first()
    )


def saved() -> tuple[list[Key], Detector]:
    """The saved keys and detector, unlocked (for reading)."""
    blob = (
        DetectorState.objects.filter(shard=0).values_list("arrays", flat=True).first()
    )
    return unpack(bytes(blob or b""))
