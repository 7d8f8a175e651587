"""A living radar for a new database: simulated history and a light crowd.

On an empty database `backfill` teaches the detector a week of simulated
reports for a few dozen well-known services, writes the last day as buckets
and lets the live cycle judge that day, so the pages show charts, levels and
past incidents at once. `report_crowd` then keeps a light simulated crowd
reporting through the real write path, with an occasional outage.
`DEMO=0` turns both off.
"""

import json
from datetime import datetime

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from config import redis
from outages.detection.clock import MINUTE, epoch_minute
from outages.models import Bucket, DetectorState, Service, Symptom
from outages.pipeline import partitions
from outages.pipeline.history import learn_history
from reports import intake
from reports.models import Report

SERVICES = [
    "tiktok",
    "instagram",
    "youtube",
    "whatsapp",
    "facebook",
    "x",
    "snapchat",
    "reddit",
    "discord",
    "telegram",
    "netflix",
    "spotify",
    "disney-plus",
    "twitch",
    "gmail",
    "outlook",
    "steam",
    "playstation-network",
    "xbox-live",
    "roblox",
    "fortnite",
    "aws",
    "cloudflare",
    "google-cloud",
    "paypal",
    "stripe",
    "chase",
    "bank-of-america",
    "verizon",
    "att",
    "t-mobile",
    "comcast-xfinity",
]
# Share of a service's reports from each country, and the country's UTC
# offset (hours), which sets when its evening peak comes.
COUNTRIES = {
    "US": (0.30, -6),
    "IN": (0.12, 5.5),
    "BR": (0.09, -3),
    "GB": (0.08, 0),
    "DE": (0.07, 1),
    "FR": (0.06, 1),
    "JP": (0.05, 9),
    "MX": (0.04, -6),
    "CA": (0.04, -5),
    "AU": (0.03, 10),
}
SUBDIVISIONS = {
    "US-CA": 0.13,
    "US-TX": 0.09,
    "US-NY": 0.07,
    "DE-BY": 0.18,
    "IN-MH": 0.14,
}
HISTORY_DAYS = 8
CROWD_KEY = "radar:demo:outage"


def is_empty() -> bool:
    return not (Bucket.objects.exists() or DetectorState.objects.exists())


def _services() -> list[Service]:
    found = {s.slug: s for s in Service.objects.filter(slug__in=SERVICES, active=True)}
    return [found[slug] for slug in SERVICES if slug in found]


def _rates(rng, services):
    """Normal reporters per minute worldwide: mostly light, a few busier."""
    return {
        s.id: float(np.exp(rng.uniform(np.log(0.3), np.log(4.0)))) for s in services
    }


def _daily(minutes: np.ndarray, offset: float) -> np.ndarray:
    local_hour = (minutes / 60 + offset) % 24
    return 1 + 0.6 * np.cos(2 * np.pi * (local_hour - 20) / 24)


def simulate_counts(rng, services, rates, first_minute: int, length: int, outages=()):
    """Keys and (S, T) reporters per minute, consistent across levels."""
    minutes = first_minute + np.arange(length)
    keys, rows = [], []
    for service in services:
        world = np.zeros(length)
        for country, (share, offset) in COUNTRIES.items():
            mean = rates[service.id] * share * _daily(minutes, offset)
            for onset, end, slug, region, factor in outages:
                if slug == service.slug and region == country:
                    mean[onset:end] *= factor
            counts = rng.poisson(rng.gamma(6.0, mean / 6.0)).astype(float)
            keys.append((service.id, country))
            rows.append(counts)
            world += counts
            for code, part in SUBDIVISIONS.items():
                if code.startswith(country + "-"):
                    keys.append((service.id, code))
                    rows.append(rng.binomial(counts.astype(int), part).astype(float))
        rest = rates[service.id] * 0.12 * _daily(minutes, 3)
        world += rng.poisson(rest)
        keys.append((service.id, ""))
        rows.append(world)
    return keys, np.stack(rows)


def _write_buckets(rng, keys, counts, first: datetime, symptoms: list[int]) -> int:
    """Split each count over symptoms and COPY the non-empty buckets in."""
    mix = {}
    rows = 0
    with (
        connection.cursor() as cursor,
        cursor.copy(
            "COPY outages_bucket (service_id, region, symptom_id, minute,"
            " reports, reporters) FROM STDIN"
        ) as copy,
    ):
        for (service_id, region), series in zip(keys, counts, strict=True):
            shares = mix.setdefault(
                service_id, rng.dirichlet(np.linspace(4, 0.5, len(symptoms)))
            )
            for t in np.flatnonzero(series):
                split = rng.multinomial(int(series[t]), shares)
                minute = first + int(t) * MINUTE
                for symptom_id, n in zip(symptoms, split, strict=True):
                    if n:
                        copy.write_row(
                            (service_id, region, symptom_id, minute, int(n), int(n))
                        )
                        rows += 1
    return rows


def backfill(now: datetime | None = None, seed: int = 2026) -> int:
    """Simulated history for an empty radar; returns the buckets written."""
    from outages.pipeline.cycle import detect_new_minutes

    now = now or timezone.now()
    rng = np.random.default_rng(seed)
    services = _services()
    rates = _rates(rng, services)
    symptoms = list(Symptom.objects.values_list("id", flat=True))
    last = now.replace(second=0, microsecond=0) - MINUTE
    day = 24 * 60
    length = HISTORY_DAYS * day
    first = last - (length - 1) * MINUTE
    # Two outages in the last day, so the pages have history to show.
    outages = [
        (length - 20 * 60, length - 20 * 60 + 50, "instagram", "US", 12.0),
        (length - 6 * 60, length - 6 * 60 + 35, "discord", "DE", 25.0),
    ]
    keys, counts = simulate_counts(
        rng, services, rates, epoch_minute(first), length, outages
    )
    # The last day's buckets go to partitions of their days.
    for back in range(2):
        partitions.ensure(
            partitions.MINUTE_BUCKETS, (last - back * partitions.DAY).date()
        )
    with transaction.atomic():
        # The detector learns the week before the last day; the live cycle
        # judges the last day from the buckets, as if it had been running.
        learn_history(keys, counts[:, :-day], last=last - day * MINUTE)
        written = _write_buckets(
            rng, keys, counts[:, -day:], last - (day - 1) * MINUTE, symptoms
        )
    detect_new_minutes(now)
    redis.client().set(
        "radar:demo:rates", json.dumps({str(k): v for k, v in rates.items()})
    )
    return written


def report_crowd(seconds: float = 15.0, now: datetime | None = None) -> int:
    """Reports for the last `seconds` from a light simulated crowd."""
    now = now or timezone.now()
    rng = np.random.default_rng()
    services = _services()
    stored = redis.client().get("radar:demo:rates")
    rates = (
        {int(k): v for k, v in json.loads(stored).items()}
        if stored
        else _rates(rng, services)
    )
    outage = _current_outage(rng, services, now)
    minute = epoch_minute(now)
    symptoms = list(Symptom.objects.values_list("slug", flat=True))
    items = []
    for service in services:
        for country, (share, offset) in COUNTRIES.items():
            mean = (
                rates.get(service.id, 1.0)
                * share
                * _daily(np.array([minute]), offset)[0]
            )
            if (
                outage
                and outage["service"] == service.slug
                and outage["region"] == country
            ):
                mean *= outage["factor"]
            for _ in range(rng.poisson(mean * seconds / 60)):
                subdivision = _subdivision(rng, country)
                symptom = symptoms[min(int(rng.exponential(2.0)), len(symptoms) - 1)]
                draft = intake.validate(
                    service.slug, symptom, subdivision or country, None
                )
                # Each simulated person reports once (no de-dup mark needed),
                # from a network and a block of their own.
                items.append(
                    intake.BatchItem(
                        draft=draft,
                        reporter=rng.bytes(16).hex(),
                        network=rng.bytes(8).hex(),
                        block=rng.bytes(8).hex(),
                        anonymous=True,
                    )
                )
    intake.accept_batch(items, source=Report.Source.DEMO)
    return len(items)


def _subdivision(rng, country: str) -> str | None:
    for code, part in SUBDIVISIONS.items():
        if code.startswith(country + "-") and rng.random() < part:
            return code
    return None


def _current_outage(rng, services, now: datetime) -> dict | None:
    """The simulated outage under way, starting one now and then."""
    r = redis.client()
    raw = r.get(CROWD_KEY)
    if raw:
        return json.loads(raw)
    # About one outage every two hours, when the crowd runs every 15 s.
    if rng.random() < 1 / 480:
        outage = {
            "service": services[int(rng.integers(len(services)))].slug,
            "region": str(rng.choice(list(COUNTRIES)[:6])),
            "factor": float(rng.uniform(10, 30)),
        }
        r.set(CROWD_KEY, json.dumps(outage), ex=int(rng.integers(20, 45)) * 60)
        return outage
    # A gap between outages.
    return None
