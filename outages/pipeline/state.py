"""The detector's saved state: each shard's series' arrays in a row, and keys.

A row (`DetectorState`, NumPy's npz format in single precision) is locked
by the cycle that advances its shard, so two cycles never judge the same
minute of it; the read side unpacks it to draw each series' usual range.
Its two blobs are written as often as they change: `arrays` (windows,
levels of alarm) every cycle, `slow` (keys, seasonal profiles, dispersion)
when an hour is learned or a series joins; both are deflated, so a cycle
writes about a twentieth of what the whole state took before.
"""

import io
import zlib
from dataclasses import replace

import numpy as np
from django.db import transaction
from django.db.models import Max

from outages.detection import borrowing
from outages.detection.detector import SLOW, Detector
from outages.models import DetectorState
from outages.pipeline import family, shards
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


def members_blob(keys: list[Key], detector: Detector) -> bytes:
    """What the series add to their categories' typical member, by name."""
    fam = detector.family or family.family(keys)
    found = borrowing.members(detector.baseline, fam, detector.buckets_per_hour)
    names = family.groups()[: found.known.shape[0]]
    return _blob({"names": np.array(names, dtype=str), **vars(found)})


def _elsewhere(blobs) -> borrowing.Members:
    """What the other shards' series add to each category's typical member,
    numbered as `family.groups()`, from their saved member sums."""
    names = family.groups()
    index = {name: g for g, name in enumerate(names)}
    total = borrowing.Members.none(len(names))
    for blob in blobs:
        if not blob:
            continue
        with _opened(bytes(blob)) as found:
            rows = [index.get(str(name), -1) for name in found["names"]]
            known = [r >= 0 for r in rows]
            part = {f: np.zeros(getattr(total, f).shape) for f in vars(total)}
            for f in part:
                part[f][[r for r in rows if r >= 0]] = found[f][known]
        total = total + borrowing.Members(**part)
    return total


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
    for name in WHOLE:
        a = single.get(name)
        if a is not None and _whole(a):
            single[name] = a.astype(np.uint16)
    buffer = io.BytesIO()
    np.savez(buffer, **single)
    # Deflate at its fastest: most series sit near zero and an hour's
    # expectation repeats, so the blob shrinks about five-fold, for under
    # half a second at 100,000 series (bench/scale.py).
    return zlib.compress(buffer.getvalue(), 1)


# Counts of reporters are whole numbers: as 16-bit integers the ring of
# observed counts deflates to three quarters of its single-precision size,
# the largest part of what a cycle writes (bench/scale.py).
WHOLE = ("observed",)


def _whole(a: np.ndarray) -> bool:
    return bool(
        a.size == 0 or (a.min() >= 0 and a.max() < 2**16 and (a == np.round(a)).all())
    )


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
    for name in WHOLE:
        if name in arrays and arrays[name].dtype.kind == "u":
            arrays[name] = arrays[name].astype(np.float64)
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
    row.series, row.shards = len(keys), shards.count()
    changed = ["arrays", "series", "shards", "updated_at", *fields]
    if detector.slow_changed or not row.slow:
        row.slow = slow_blob(keys, detector)
        row.members = members_blob(keys, detector)
        changed += ["slow", "members"]
    for name, value in fields.items():
        setattr(row, name, value)
    row.save(update_fields=changed)
    detector.slow_changed = False


def locked(shard: int) -> DetectorState:
    """The shard's row, locked until the transaction ends (made when
    missing)."""
    if not DetectorState.objects.exists():
        # A new radar: every shard starts empty at once, none to relearn.
        DetectorState.objects.bulk_create(
            [
                DetectorState(shard=k, shards=shards.count())
                for k in range(shards.count())
            ],
            ignore_conflicts=True,
        )
    # A shard added to a radar that has judged is made unsaved (`shards` 0),
    # so its cycle relearns its series.
    DetectorState.objects.get_or_create(shard=shard)
    return DetectorState.objects.select_for_update().get(shard=shard)


def see_others(detector: Detector, shard: int, own: int) -> None:
    """Tell the shard's detector what the other shards hold, from one read of
    their rows (each cycle; they write them hourly): how many series all
    shards judge, this one holding `own` of them, and what the others' series
    add to each category's typical member.

    A shard not saved yet for this number of shards is taken to hold as many
    as this one: counting too few would loosen every shard's bar.
    """
    others = DetectorState.objects.exclude(shard=shard).filter(
        shard__lt=shards.count(), shards=shards.count()
    )
    found = list(others.values_list("series", "members"))
    unsaved = shards.count() - 1 - len(found)
    detector.population = own + sum(series for series, _ in found) + own * unsaved
    detector.family = replace(
        detector.family, elsewhere=_elsewhere(blob for _, blob in found)
    )


def regroup() -> bool:
    """Spread the saved series over the number of shards there is now (a
    new setting, or a radar saved in one row), each row split and joined as
    it stands, with nothing relearned. False when a saved row cannot be read
    as it is (saved by a detector this one cannot read, or at another minute
    than the rest): its series must be relearned from their buckets.
    """
    count = shards.count()
    with transaction.atomic():
        # Every row, in one order, so two shards regrouping at once take turns.
        rows = list(DetectorState.objects.select_for_update().order_by("shard"))
        if len(rows) >= count and all(r.shards == count for r in rows[:count]):
            return True  # done by another shard's task meanwhile
        saved = [r for r in rows if r.shards]
        if len({r.minute for r in saved}) > 1:
            return False
        found = [loaded(r) for r in saved]
        if any(keys and detector.steps == 0 for keys, detector in found):
            return False
        keys = [key for part, _ in found for key in part]
        parts = [detector for part, detector in found if part]
        whole = Detector.joined(parts) if parts else Detector(0, 1.0)
        minute = saved[0].minute if saved else None
        DetectorState.objects.filter(shard__gte=count).delete()
        for shard in range(count):
            which = [i for i, key in enumerate(keys) if shards.of(key[0]) == shard]
            row, _ = DetectorState.objects.get_or_create(shard=shard)
            mine = whole.part(np.array(which, dtype=int))
            store(row, [keys[i] for i in which], mine, minute=minute)
    return True


def current(shard: int) -> bool:
    """Whether the shard's row was saved for the number of shards there is
    (or is new to a radar that has saved none)."""
    found = DetectorState.objects.filter(shard=shard).values_list("shards", flat=True)
    mine = found.first()
    if mine == shards.count():
        return True
    return mine is None and not DetectorState.objects.filter(shards__gt=0).exists()


def latest_minute():
    """The last minute any shard has judged, or None."""
    return DetectorState.objects.aggregate(latest=Max("minute"))["latest"]


def saved_minute(shard: int):
    """The last minute the shard's saved state has judged, or None."""
    found = DetectorState.objects.filter(shard=shard, shards=shards.count())
    return found.values_list("minute", flat=True).first()


def saved(shard: int) -> tuple[list[Key], Detector]:
    """The shard's saved keys and detector, unlocked (for reading)."""
    found = (
        DetectorState.objects.filter(shard=shard, shards=shards.count())
        .values_list("arrays", "slow")
        .first()
    )
    blob, slow = found or (b"", b"")
    return unpack(bytes(blob), bytes(slow))
