"""The simulated secure access support platform's resource statistics (GET /resource-stats, the contract of
integrations.base.metric_feed): every 5 minutes,

    sa.online_users     count     the access zone (resource SECURE_ACCESS_ZONE), and each unit's own users in it
                                  (resource UNIT, key and unitCode the unit's code, label zone=<the zone>)
    sa.bandwidth_bps    bps       the zone's average bandwidth in the 5 minutes, label direction=in (from the users
                                  into the government network) or out (back to them)
    sa.gateway_cpu      percent   each access gateway's average CPU (resource GATEWAY, key the gateway, label zone)

The zone's users are its units' plus those of units it does not break out; bandwidth follows the users, and the
gateways share the load (with an idle floor). Sizes and habits are fixed by the seed, the day follows Beijing office
hours (`working_hours`), and the noise is fixed by the seed and the instant: the same clock gives the same figures.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from starlette.applications import Starlette

from integrations.base.sim_metric_feed import Measured, SampleLog, feed_routes, working_hours

OPERATION = "resource_stats"
ZONE = "SA-ZONE-1"
GATEWAYS = ("SA-GW-1", "SA-GW-2")
UNITS = ("D-PD", "D-HP", "D-XH", "B-GA", "B-WJ")  # the units the platform reports apart (demo organisation codes)
OTHERS = "(others)"
CAPACITY_BPS = 300e6  # what the zone's gateways are sized for, each way


def _uniform(seed: int, what: str, low: float, high: float) -> float:
    digest = hashlib.sha256(f"{seed}|{what}".encode()).digest()
    return low + (high - low) * int.from_bytes(digest[:8], "big") / 2**64


@dataclass(frozen=True)
class ZoneStats:
    """What the access zone measures; `measure(at)` is a pure function of the seed and the instant."""

    seed: int = 0
    units: tuple[str, ...] = UNITS

    def online(self, who: str, at: datetime) -> int:
        """Users of `who` on line in the 5 minutes from `at`: its peak (fixed by the seed) as the hour allows."""
        noise = random.Random(f"{self.seed}|{who}|{at.isoformat()}")
        return max(0, round(_uniform(self.seed, f"{who}|peak", 10, 120) * working_hours(at) * noise.uniform(0.9, 1.1)))

    def measure(self, at: datetime) -> list[Measured]:
        noise = random.Random(f"{self.seed}|{ZONE}|{at.isoformat()}")
        out: list[Measured] = []
        users = self.online(f"{ZONE}|{OTHERS}", at)
        for unit in self.units:
            n = self.online(unit, at)
            users += n
            out.append(Measured("sa.online_users", "UNIT", unit, float(n), unit, {"zone": ZONE}))
        out.append(Measured("sa.online_users", "SECURE_ACCESS_ZONE", ZONE, float(users)))
        inbound = users * _uniform(self.seed, "bps-per-user", 60e3, 240e3) * noise.uniform(0.8, 1.25)
        outbound = inbound * _uniform(self.seed, "out-ratio", 2.5, 4.0) * noise.uniform(0.9, 1.1)
        out.append(Measured("sa.bandwidth_bps", "SECURE_ACCESS_ZONE", ZONE, float(round(inbound)), None, {"direction": "in"}))
        out.append(Measured("sa.bandwidth_bps", "SECURE_ACCESS_ZONE", ZONE, float(round(outbound)), None, {"direction": "out"}))
        load = (inbound + outbound) / (2 * CAPACITY_BPS)
        first = _uniform(self.seed, "gateway-share", 0.4, 0.6)  # the balancer's lean towards the first gateway
        for gateway, share in zip(GATEWAYS, (first, 1.0 - first), strict=True):
            cpu = 6.0 + 90.0 * min(1.0, load * share * len(GATEWAYS)) * noise.uniform(0.85, 1.15)
            out.append(Measured("sa.gateway_cpu", "GATEWAY", gateway, round(min(100.0, cpu), 1), None, {"zone": ZONE}))
        return out


def install_metrics(app: Starlette, clock: Callable[[], datetime], seed: int = 0) -> SampleLog:
    """Give the simulator app its statistics feed: GET /resource-stats, GET /_sim/resource-stats; the log is
    `app.state.metrics`."""
    log = SampleLog(clock, ZoneStats(seed).measure)
    app.state.metrics = log
    app.router.routes.extend(feed_routes("/resource-stats", OPERATION, lambda request: request.app.state.metrics))
    return log
