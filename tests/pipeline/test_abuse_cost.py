"""What faking an outage costs, in addresses (the figure docs/abuse.md gives).

The attacker's cheapest way is a burst: everything at once, since a network
counts at most REPORTERS_PER_NETWORK reporters per de-dup window, and a rise
this small has to be big to open an incident before it has lasted.
"""

import numpy as np
import time_machine

from outages.models import Incident, Service
from outages.pipeline.history import learn_history
from tests.helpers.history import quiet_history
from tests.helpers.outage import MINUTE, NOW

AGENTS = 10  # user agents per address, more than a network may count
MOST = 14  # networks tried


def attack(client, service, networks, one_block=False):
    """`networks` addresses, each in a /24 of its own (and a /16 of its own,
    unless `one_block`), each reporting under AGENTS user agents."""
    for n in range(networks):
        address = f"10.200.{n}.1" if one_block else f"10.{100 + n}.{service.pk % 256}.1"
        for agent in range(AGENTS):
            response = client.post(
                "/api/v1/reports",
                {"service": service.slug, "symptom": "login", "region": "DE"},
                content_type="application/json",
                HTTP_USER_AGENT=f"agent-{agent}",
                REMOTE_ADDR=address,
            )
            assert response.status_code == 201


def test_an_incident_on_a_quiet_service_costs_a_dozen_networks_in_many_blocks(
    client, catalog, cycle_at, settings
):
    # Quiet services, each attacked from one more network than the last, and
    # one from all of those networks inside a single /16.
    services = list(Service.objects.order_by("pk")[: MOST + 1])
    keys, counts = [], []
    for seed, service in enumerate(services):
        k, c = quiet_history(service.pk, {"": 2.0, "DE": 0.5}, seed=seed)
        keys += k
        counts.append(c)
    learn_history(keys, np.vstack(counts), last=NOW.replace(second=0) - MINUTE)
    spread, concentrated = services[:MOST], services[MOST]
    with time_machine.travel(NOW, tick=False):
        for networks, service in enumerate(spread, start=1):
            attack(client, service, networks)
        attack(client, concentrated, MOST, one_block=True)
    for minutes in range(1, 11):
        cycle_at(NOW + minutes * MINUTE)

    opened = set(Incident.objects.values_list("service_id", flat=True))
    cost = min(n for n, s in enumerate(spread, start=1) if s.pk in opened)
    print(f"an incident on a quiet service costs {cost} networks in as many blocks")
    assert cost >= settings.INCIDENT_MIN_NETWORKS
    # More networks open it too; fewer never do.
    assert opened == {s.pk for s in spread[cost - 1 :]}
    # As many networks, and more, inside one /16: nothing.
    assert concentrated.pk not in opened
