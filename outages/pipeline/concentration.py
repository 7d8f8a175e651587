"""Whether a rise in reports comes from a crowd or from a few networks.

The detector sees counts; a count can be bought with one network's many
addresses. Before a rise is shown as a problem, or opens an incident, its
reports of the last 15 minutes must come from at least
INCIDENT_MIN_NETWORKS networks (IPv4 /24, IPv6 /48, or one integrator),
and no single larger block (IPv4 /16, IPv6 /32, or one integrator) may make
more than INCIDENT_MAX_BLOCK_PERCENT of the excess over normal: without it
the rest must still be a real rise. See docs/abuse.md.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection

from outages.detection.lifecycle import ONGOING, SUSPECTED
from outages.pipeline.counts import Key
from outages.pipeline.status import SUMMARY_WINDOW, SUMMARY_WINDOW_MINUTES

INTEGRATOR = "token:"


@dataclass(frozen=True)
class Spread:
    """Where a series' counted reports of the window came from."""

    reporters: int
    networks: int
    largest_block: int  # reporters from the block that sent the most
    integrators: dict[int, int]  # reporters per integrator (user id)

    @property
    def largest_block_share(self) -> float:
        return self.largest_block / self.reporters if self.reporters else 0.0

    def convincing(self, observed: float, expected: float) -> bool:
        # Counts that no stored report stands behind were loaded by the
        # operator (the demo's history, a backfill), not sent by anyone: they
        # are taken as a network each.
        loaded = max(round(observed) - self.reporters, 0)
        excess = observed - expected
        return (
            self.networks + loaded >= settings.INCIDENT_MIN_NETWORKS
            and 100 * self.largest_block <= settings.INCIDENT_MAX_BLOCK_PERCENT * excess
        )

    def as_json(self) -> dict:
        return {
            "networks": self.networks,
            "largest_block_share": round(self.largest_block_share, 3),
        }


NOBODY = Spread(0, 0, 0, {})

SPREAD_SQL = """WITH window_reports AS (
    SELECT service_id, country_id, subdivision_id, network, block
    FROM reports_report
    WHERE created_at >= %(first)s AND created_at < %(last)s AND counted
      AND service_id = ANY(%(services)s)
),
levels AS (
    SELECT service_id, '' AS region, network, block FROM window_reports
    UNION ALL
    SELECT service_id, country_id, network, block
    FROM window_reports WHERE country_id IS NOT NULL
    UNION ALL
    SELECT service_id, subdivision_id, network, block
    FROM window_reports WHERE subdivision_id IS NOT NULL
),
blocks AS (
    SELECT service_id, region, block,
           count(*) AS reporters, count(DISTINCT network) AS networks
    FROM levels GROUP BY service_id, region, block
)
SELECT service_id, region, sum(reporters), sum(networks), max(reporters),
       coalesce(json_object_agg(block, reporters)
                FILTER (WHERE block LIKE 'token:%%'), '{}')
FROM blocks GROUP BY service_id, region
"""


def spreads(services: set[int], first: datetime, last: datetime) -> dict[Key, Spread]:
    """Each series' spread over the reports made from `first` until `last`.

    A network lies inside one block, so the networks of a series are the sum
    of its blocks' networks.
    """
    if not services:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            SPREAD_SQL, {"first": first, "last": last, "services": sorted(services)}
        )
        rows = cursor.fetchall()
    found = {}
    for service_id, region, reporters, networks, largest, integrators in rows:
        found[(service_id, region)] = Spread(
            reporters=int(reporters),
            networks=int(networks),
            largest_block=int(largest),
            integrators={
                int(block.removeprefix(INTEGRATOR)): n
                for block, n in integrators.items()
            },
        )
    return found


@dataclass(frozen=True)
class Assessment:
    """The spread of every series the detector holds above normal, and which
    of them are doubted: too few networks to be shown as a problem."""

    spread: dict[int, Spread]
    doubted: frozenset[int]

    def of(self, i: int) -> Spread:
        return self.spread.get(i, NOBODY)


NOTHING = Assessment({}, frozenset())


def assess(keys: list[Key], detector, at: datetime, trusted=frozenset()) -> Assessment:
    """Judge the series suspected or in an incident at `at`.

    `trusted` are the places of incidents already open: once a crowd has
    opened an incident, its thinning tail does not close it early.
    """
    states = detector.states.state
    rising = ((states == ONGOING) | (states == SUSPECTED)).nonzero()[0]
    if not len(rising):
        return NOTHING
    first = at - timedelta(minutes=SUMMARY_WINDOW_MINUTES)
    found = spreads({keys[i][0] for i in rising}, first, at)
    observed = detector.window_observed[:, SUMMARY_WINDOW]
    expected = detector.window_expected[:, SUMMARY_WINDOW]
    spread, doubted = {}, set()
    for i in rising:
        spread[int(i)] = found.get(keys[i], NOBODY)
        if keys[i] in trusted:
            continue
        if not spread[int(i)].convincing(float(observed[i]), float(expected[i])):
            doubted.add(int(i))
    return Assessment(spread, frozenset(doubted))
