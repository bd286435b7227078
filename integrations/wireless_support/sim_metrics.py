"""The simulated wireless support platform's UPF traffic feed (GET /metrics, the contract of
integrations.base.metric_feed): every 5 minutes, per UPF and per unit it serves,

    upf.uplink_bytes, upf.downlink_bytes   bytes in the 5 minutes   (UPF: resource UPF-..., no unit;
    upf.sessions                           PDU sessions open         a unit: resource UNIT, key and unitCode the
                                                                      unit's code, label upf=<the UPF>)

A UPF's figures are its units' plus traffic of users in no unit (the platform's own terminals, visitors), so the
totals add up as on the real platform. Each unit has a size and habits fixed by the seed (peak sessions, bytes per
session, how much more it downloads than it uploads); the day follows Beijing office hours (`working_hours`), with
a little noise that is also fixed by the seed and the instant: the same clock gives the same curves on every run.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from starlette.applications import Starlette

from integrations.base.sim_metric_feed import Measured, SampleLog, feed_routes, working_hours

OPERATION = "metrics"
# The demo's UPFs and the access units whose terminals each one serves (codes of the demo organisation).
UPFS: dict[str, tuple[str, ...]] = {
    "UPF-PD-1": ("D-PD", "D-MH", "D-FX"),
    "UPF-HP-1": ("D-HP", "D-JA", "D-XH", "D-HK"),
    "UPF-CORE-1": ("B-GA", "B-WJ", "B-JT", "B-YJ"),
}
OTHERS = "(others)"  # the users of a UPF in no unit


@dataclass(frozen=True)
class Habits:
    """How a unit's terminals use the network, fixed by the seed."""

    peak_sessions: int  # PDU sessions open in a busy office hour
    uplink_per_session: int  # bytes one session sends in 5 minutes
    downlink_ratio: float  # bytes received per byte sent


def _uniform(seed: int, what: str, low: float, high: float) -> float:
    digest = hashlib.sha256(f"{seed}|{what}".encode()).digest()
    return low + (high - low) * int.from_bytes(digest[:8], "big") / 2**64


def habits(seed: int, who: str) -> Habits:
    """The habits of unit `who` (or of a UPF's users in no unit) under `seed`."""
    return Habits(
        peak_sessions=round(_uniform(seed, f"{who}|sessions", 40, 400)),
        uplink_per_session=round(_uniform(seed, f"{who}|uplink", 1.5e6, 6e6)),
        downlink_ratio=_uniform(seed, f"{who}|ratio", 3.0, 6.0),
    )


@dataclass(frozen=True)
class UpfTraffic:
    """What the UPFs measure; `measure(at)` is a pure function of the seed and the instant."""

    seed: int = 0
    upfs: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(UPFS))

    def traffic(self, who: str, at: datetime) -> tuple[int, int, int]:
        """(sessions, uplink bytes, downlink bytes) of `who` in the 5 minutes from `at`."""
        h = habits(self.seed, who)
        noise = random.Random(f"{self.seed}|{who}|{at.isoformat()}")  # a str seed is hashed the same on every run
        sessions = max(0, round(h.peak_sessions * working_hours(at) * noise.uniform(0.9, 1.1)))
        uplink = round(sessions * h.uplink_per_session * noise.uniform(0.8, 1.25))
        return sessions, uplink, round(uplink * h.downlink_ratio * noise.uniform(0.9, 1.1))

    def measure(self, at: datetime) -> list[Measured]:
        out: list[Measured] = []
        for upf, units in self.upfs.items():
            total = self.traffic(f"{upf}|{OTHERS}", at)
            for unit in units:
                figures = self.traffic(unit, at)
                total = (total[0] + figures[0], total[1] + figures[1], total[2] + figures[2])
                out += _three("UNIT", unit, unit, {"upf": upf}, figures)
            out += _three("UPF", upf, None, {}, total)
        return out


def _three(
    resource_type: str, key: str, unit: str | None, labels: dict[str, str], figures: tuple[int, int, int]
) -> list[Measured]:
    sessions, uplink, downlink = figures
    return [
        Measured("upf.uplink_bytes", resource_type, key, float(uplink), unit, labels),
        Measured("upf.downlink_bytes", resource_type, key, float(downlink), unit, labels),
        Measured("upf.sessions", resource_type, key, float(sessions), unit, labels),
    ]


def install_metrics(app: Starlette, clock: Callable[[], datetime], seed: int = 0) -> SampleLog:
    """Give the simulator app its traffic feed: GET /metrics, GET /_sim/metrics; the log is `app.state.metrics`."""
    log = SampleLog(clock, UpfTraffic(seed).measure)
    app.state.metrics = log
    app.router.routes.extend(feed_routes("/metrics", OPERATION, lambda request: request.app.state.metrics))
    return log
