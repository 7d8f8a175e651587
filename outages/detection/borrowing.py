"""What a series with little history borrows from its parent.

A place borrows from the place that holds it (a subdivision from its country,
a country from the world), and a service's world series from the typical
service of its category. The prior for a series in an hour is its parent's
expectation for that hour times the series' share of the parent, measured on
both daily profiles over the hours of the day both have seen; the series' own
profile is then shrunk towards the prior by how many reporters back it
(`baseline.shrink`). A busy series keeps its own profile; a quiet one takes
its parent's daily and weekly shape at its own scale, so it does not expect
zero in an hour it happened to see empty.

A place with no history has no share yet and borrows nothing. A new service
is taken for a typical member of its category (the geometric mean of the
members that know the hour) until its own hours say otherwise. Either way a
series may alert only after its own warm-up (`lifecycle.Rules.warmup_hours`),
so a new service's first reports never open an incident.

Who is whose parent is the caller's business (`outages.pipeline.family` for
the live radar): this module sees index arrays only.
"""

from dataclasses import dataclass

import numpy as np

from outages.detection import baseline
from outages.detection.clock import HOURS_PER_WEEK


@dataclass(frozen=True)
class Members:
    """Sums over members of each group: for each hour of the week, how many
    know it and the sum of the logs of their expectations; for each hour of
    the day, the same over their daily profiles. Sums add up, so the typical
    member of members judged apart (in other shards) is theirs added to
    one's own."""

    known: np.ndarray  # (G, 168)
    logs: np.ndarray  # (G, 168)
    daily_seen: np.ndarray  # (G, 24)
    daily_logs: np.ndarray  # (G, 24)

    @classmethod
    def none(cls, groups: int) -> "Members":
        week, day = np.zeros((groups, HOURS_PER_WEEK)), np.zeros((groups, 24))
        return cls(week, week.copy(), day, day.copy())

    def __add__(self, other: "Members") -> "Members":
        return Members(
            self.known + other.known,
            self.logs + other.logs,
            self.daily_seen + other.daily_seen,
            self.daily_logs + other.daily_logs,
        )


@dataclass(frozen=True)
class Family:
    """Parents of S series; build it with `family()`."""

    parent: np.ndarray  # (S,) index of the parent series, -1 for none
    group: np.ndarray  # (S,) group (category) of a series without parent, or -1
    levels: tuple[np.ndarray, ...]  # series indices by depth, parents first
    # Members of the groups that are not among these series (other shards).
    elsewhere: Members | None = None

    @property
    def size(self) -> int:
        return self.parent.size


def family(parent, group=None) -> Family:
    """A Family from each series' parent index (-1: none) and group (-1: none).

    A group is a virtual parent for series that have no parent: its typical
    member. Groups are numbered from 0; a group on a series with a parent is
    ignored.
    """
    parent = np.asarray(parent, dtype=np.int64)
    size = parent.size
    group = np.full(size, -1) if group is None else np.asarray(group, np.int64)
    if group.shape != parent.shape:
        raise ValueError("one group is needed per series")
    group = np.where(parent < 0, group, -1)
    if ((parent < -1) | (parent >= size)).any():
        raise ValueError("a parent must be -1 or the index of another series")
    depth = np.zeros(size, dtype=np.int64)
    up = parent.copy()
    while (up >= 0).any():
        depth += up >= 0
        if depth.max(initial=0) > size:
            raise ValueError("parents must not form a cycle")
        up = np.where(up >= 0, parent[up], -1)
    levels = tuple(np.flatnonzero(depth == d) for d in range(depth.max(initial=0) + 1))
    return Family(parent, group, levels)


def expected(
    b: baseline.Baseline,
    fam: Family,
    hour_of_week: int,
    buckets_per_hour: float = 60.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Expected count per bucket of every series, borrowing from parents.

    Also returns whether each series knows this hour of the day, itself or
    through a parent it has a share of. Parents come first, so a child
    borrows from its parent's final expectation.
    """
    if fam.size != b.size:
        raise ValueError("the family must have one entry per series")
    own = baseline.own_expected(b, hour_of_week, buckets_per_hour)
    knows = baseline.known(b, hour_of_week)
    hours = baseline.support_hours(b, hour_of_week)
    seen = b.daily_seen > 0

    # What each series is measured against: its parent's daily profile, or
    # for a series atop a group the group's typical member; and the
    # parent's expectation now. Shares need only profiles, so all at once;
    # profiles are de-levelled, so each side is levelled after summing.
    has_parent = fam.parent >= 0
    up = np.where(has_parent, fam.parent, np.arange(b.size))
    parent_daily, parent_seen, parent_level = b.daily[up], seen[up], b.level[up]
    parent_mu = np.zeros(b.size)
    parent_knows = np.zeros(b.size, dtype=bool)
    default = np.zeros(b.size)  # the share of a series with no hours yet
    grouped = np.flatnonzero(~has_parent & (fam.group >= 0))
    if grouped.size:
        g = fam.group[grouped]
        typical_mu, typical_knows, typical_daily = _typical(
            _sums(
                g,
                own[grouped],
                knows[grouped],
                b.daily[grouped] * b.level[grouped, None],
                seen[grouped],
                fam.group.max() + 1,
            ),
            fam.elsewhere,
            hour_of_week,
        )
        parent_daily[grouped] = typical_daily[g]
        parent_seen[grouped] = typical_daily[g] > 0
        parent_level[grouped] = 1.0  # the typical profile is levelled
        parent_mu[grouped] = typical_mu[g]
        parent_knows[grouped] = typical_knows[g]
        # A service with no hours of its own is taken for a typical member.
        default[grouped] = 1.0
    both = (seen & parent_seen).astype(float)
    child_sum = np.einsum("ij,ij->i", b.daily, both) * b.level
    parent_sum = np.einsum("ij,ij->i", parent_daily, both) * parent_level
    measured = parent_sum > 0
    share = np.where(measured, child_sum / np.where(measured, parent_sum, 1.0), default)
    borrows = measured | (default > 0)

    mu = own.copy()

    def borrow(at):
        informed = borrows[at] & (parent_mu[at] > 0)
        prior = share[at] * parent_mu[at]
        shrunk = baseline.shrink(
            own[at], prior, hours[at], b.dispersion[at], buckets_per_hour
        )
        mu[at] = np.where(informed, shrunk, own[at])
        knows[at] |= informed & measured[at] & parent_knows[at]

    borrow(grouped)
    # Then each level below, from its parents' final expectations.
    for at in fam.levels[1:]:
        parent_mu[at] = mu[fam.parent[at]]
        parent_knows[at] = knows[fam.parent[at]]
        borrow(at)
    return np.maximum(mu, baseline.FLOOR), knows


def members(b: baseline.Baseline, fam: Family, buckets_per_hour: float) -> Members:
    """What the series atop groups add to their groups' typical member, for
    every hour of the week (for the members judged elsewhere to add)."""
    grouped = np.flatnonzero((fam.parent < 0) & (fam.group >= 0))
    groups = int(fam.group.max(initial=-1)) + 1
    if not grouped.size:
        return Members.none(groups)
    mine = baseline.Baseline(
        **{f: getattr(b, f)[grouped] for f in b.__dataclass_fields__}
    )
    g = fam.group[grouped]
    daily = mine.daily * mine.level[:, None]
    hours = [
        _sums(
            g,
            baseline.own_expected(mine, hour, buckets_per_hour),
            baseline.known(mine, hour),
            daily,
            mine.daily_seen > 0,
            groups,
        )
        for hour in range(HOURS_PER_WEEK)
    ]
    return Members(
        np.stack([h.known[:, 0] for h in hours], axis=1),
        np.stack([h.logs[:, 0] for h in hours], axis=1),
        hours[0].daily_seen,
        hours[0].daily_logs,
    )


def _sums(group, own, known, daily, daily_seen, count) -> Members:
    """The members' sums for the hour of `own` and `known` (as column 0)."""
    logs = np.log(np.maximum(own, baseline.FLOOR))
    members = np.bincount(group, weights=known, minlength=count)
    total = np.bincount(group, weights=np.where(known, logs, 0.0), minlength=count)
    # Group and hour of the day as one index, so one bincount sums them all.
    slot = (group[:, None] * 24 + np.arange(24)).ravel()
    daily_logs = np.where(daily_seen, np.log(np.maximum(daily, baseline.FLOOR)), 0.0)
    daily_total = np.bincount(slot, weights=daily_logs.ravel(), minlength=count * 24)
    daily_members = np.bincount(slot, weights=daily_seen.ravel(), minlength=count * 24)
    return Members(
        members[:, None],
        total[:, None],
        daily_members.reshape(count, 24),
        daily_total.reshape(count, 24),
    )


def _typical(mine: Members, elsewhere: Members | None, hour_of_week: int):
    """Per group: the typical member's expectation now, whether it is known,
    and its daily profile: geometric means over the members that know each
    hour (rates of services span orders of magnitude), here and elsewhere."""
    members, total = mine.known[:, 0], mine.logs[:, 0]
    daily_members, daily_total = mine.daily_seen, mine.daily_logs
    if elsewhere is not None:
        count = members.size
        members = members + elsewhere.known[:count, hour_of_week]
        total = total + elsewhere.logs[:count, hour_of_week]
        daily_members = daily_members + elsewhere.daily_seen[:count]
        daily_total = daily_total + elsewhere.daily_logs[:count]
    typical_mu = np.where(members > 0, np.exp(total / np.maximum(members, 1)), 0.0)
    typical_daily = np.where(
        daily_members > 0, np.exp(daily_total / np.maximum(daily_members, 1)), 0.0
    )
    # A typical member knows the hour when one of the members does.
    return typical_mu, members > 0, typical_daily
