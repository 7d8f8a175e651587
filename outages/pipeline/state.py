"""The detector's saved state: every series' arrays in one row, and its keys.

The row (`DetectorState`, NumPy's npz format in single precision) is locked
by the cycle that advances it, so two cycles never judge the same minute;
the read side unpacks it to draw each series' usual range. Its two blobs are
written as often as they change: `arrays` (windows, levels of alarm) every
cycle, `slow` (keys, seasonal profiles, dispersion) when an hour is learned
or a series joins; both are deflated, so a cycle writes about a twentieth of
what the whole state took before.
"""

import io
import zlib

import numpy as np

from outages.detection.detector import SLOW, Detector
from outages.models import DetectorState
from outages.pipeline.counts import Key


def pack(keys: list[Key], detector: Detector) -> bytes:
    """The detector and its series keys as one blob."""
    return _blob({**_key_arrays(keys), **detector.save()})


def fast_blob(detector: Detector) -> bytes:
    """What changes every bucket: `DetectorState.arrays`."""
    return _blob({n: a for n, a in detector.save().items() if n not in SLOW})


def slow_blob(keys: list[Key], detector: Detector) -> bytes:
    """The keys and what changes hourly at most: `DetectorState.slow`."""
    arrays = detector.save()
    return _blob({**_key_arrays(keys), **{n: arrays[n] for n in SLOW}})


def _key_arrays(keys: list[Key]) -> dict[str, np.ndarray]:
    return {
        "services": np.array([k[0] for k in keys], dtype=np.int64),
        "regions": np.array([k[1] for k in keys], dtype="U10"),
    }


def _blob(arrays: dict[str, np.ndarray]) -> bytes:
    # Half the size in single precision: profiles need no more.
    single = {
        name: a.astype(np.float32) if a.dtype == np.float64 else a
        for name, a in arrays.items()
    }
    buffer = io.BytesIO()
    np.savez(buffer, **single)
    # Deflate at its fastest: most series sit near zero and an hour's
    # expectation repeats, so the blob shrinks about five-fold, for under
    # half a second at 100,000 series (bench/scale.py).
    return zlib.compress(buffer.getvalue(), 1)


def _opened(blob: bytes):
    # Blobs saved before compression are plain npz (a zip: "PK").
    return np.load(io.BytesIO(blob if blob[:2] == b"PK" else zlib.decompress(blob)))


def unpack(
    blob: bytes, slow: bytes = b"", bucket_minutes: float = 1.0
) -> tuple[list[Key], Detector]:
    """The keys and detector of a row's blobs (`slow` empty: all in `blob`)."""
    if not blob:
        return [], Detector(0, bucket_minutes)
    arrays = {}
    for part in (slow, blob):
        if part:
            with _opened(part) as found:
                arrays.update((name, found[name]) for name in found.files)
                whole = SLOW[0] in found.files
    keys = [
        (int(s), str(r))
        for s, r in zip(arrays["services"], arrays["regions"], strict=True)
    ]
    detector = Detector.load(arrays, bucket_minutes)
    # A whole blob in `arrays` (an older radar, a test) overrides `slow`,
    # which must then be written again.
    detector.slow_changed = detector.slow_changed or whole
    return keys, detector


def loaded(row: DetectorState) -> tuple[list[Key], Detector]:
    return unpack(bytes(row.arrays), bytes(row.slow))


def store(row: DetectorState, keys: list[Key], detector: Detector, **fields) -> None:
    """Save the detector into `row` (with any other `fields`), writing the
    slow arrays only when they changed."""
    row.arrays = fast_blob(detector)
    changed = ["arrays", "updated_at", *fields]
    if detector.slow_changed or not row.slow:
        row.slow = slow_blob(keys, detector)
        changed.append("slow")
    for name, value in fields.items():
        setattr(row, name, value)
    row.save(update_fields=changed)
    detector.slow_changed = False


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
    found = DetectorState.objects.filter(shard=0).values_list("arrays", "slow").first()
    blob, slow = found or (b"", b"")
    return unpack(bytes(blob), bytes(slow))
