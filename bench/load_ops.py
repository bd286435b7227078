"""The load benchmark's catalogue: the GraphQL documents the real screens send, what each simulated user
discovers before the run (unmeasured), the accounts file, the run's state, /proc readings (RSS, CPU) and the
results' percentiles and Markdown.

Used by bench/load.py; nothing here talks to the network. Every document is a named operation with the
selection a list or dashboard screen shows (20-50 rows, nested unit names), written against
schema/schema.graphql. `Op.variables` returns None when a user has nothing to show on that screen (no
asset in its data scope, say): that user then skips the screen and the report says how many did.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import math
import os
import platform
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

TARGET_P95_MS = 200.0
SCREENS_DIR = Path(__file__).resolve().parent.parent / "operations" / "screens"


def _screen(name: str) -> str:
    """A document the server compiles (schema/compiled.py): sent as it is, so its hash is the one it knows."""
    return (SCREENS_DIR / f"{name}.graphql").read_text(encoding="utf-8")


TICKS = os.sysconf("SC_CLK_TCK")

LOGIN = "mutation Login($input: LoginInput!) { login(input: $input) { token errors { code message } } }"
PROBE = "query LoadProbe { viewer { username } }"

WIRELESS_OVERVIEW = """query WirelessOverviewScreen {
  wirelessOverview {
    cards terminalAccounts onlineUsers openAlerts openFaults faults
    byStatus { key count } byCarrier { key count } byDomain { key count } byPlan { code name count }
    topUnits { unitId unitName count } applications { kind status count } traffic { day uplinkBytes downlinkBytes }
  }
}"""

SECURE_ACCESS_OVERVIEW = """query SecureAccessOverviewScreen {
  secureAccessOverview {
    accounts unitsConnected systemsAccessed onlineUsers expiringSoon openAlerts openFaults faults
    byStatus { key count } topUnits { unitId unitName count } applications { kind status count }
  }
}"""

WORK_ORDERS = _screen("WorkOrderList")

MY_TASKS = """query MyTasks($first: Int!, $after: String) {
  myTasks(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id number kind kindLabel status step stepLabel title overdue dueAt createdAt version
      applicant { id displayName } unit { id name }
      openTasks { id step stepLabel createdAt delegateUntil delegate { displayName } }
    } }
  }
}"""

# One screen, two searches: the card registry filtered by unit, or an exact MSISDN (its blind index).
SIM_CARDS = _screen("SimCardList")

ALERTS = """query AlertList($filter: AlertFilter, $first: Int!, $after: String) {
  alerts(filter: $filter, sort: FIRST_SEEN_DESC, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id kind severity status source title count firstSeenAt lastSeenAt acknowledgedAt silenced version
      unit { id name } owner { id displayName }
    } }
  }
}"""

WORK_ORDER_STATISTICS = """query WorkOrderStatisticsScreen($filter: WorkOrderFilter) {
  workOrderStatistics(filter: $filter) {
    total overdue overdueRate
    byKindStatus { kind kindLabel status count }
    newPerMonth { month count }
    durations { kind kindLabel step stepLabel count meanSeconds p50Seconds p90Seconds }
  }
}"""

ASSET = """query AssetPage($id: ID!) {
  asset(id: $id) {
    id serial name domain location status commissionedOn warrantyUntil endOfLife softwareVersion managementIp notes
    version mtbfHours createdAt updatedAt
    model { id vendor model type lifespanYears endOfSupport }
    unit { id name } parent { id serial name } children { id serial name status }
    history { kind actorName at detail }
    upgrades { fromVersion toVersion note actorName at }
    inspections { kind result note inspectorName at }
    faults { id number level stage title reportedAt }
    alerts { id kind severity status title firstSeenAt }
  }
}"""

METRIC_PANEL = """query ResourcePanel($filter: MetricSeriesFilter, $from: DateTime, $to: DateTime, $step: Int) {
  metricPanel(filter: $filter, from: $from, to: $to, stepSeconds: $step, aggregate: AVG) {
    resolution stepSeconds
    curves { series { id metric resourceKey labels unit } points { at value } }
  }
}"""

ALERT_FEED = """subscription AlertFeed {
  alertFired { id kind severity status title fingerprint firstSeenAt unit { id name } }
}"""

ALERT_PUSH = """mutation WirelessSecurityAlertPush($input: WirelessSecurityAlertPushInput!) {
  wirelessSecurityAlertPush(input: $input) { stored unknownCards }
}"""

SCOPE = "query LoadScope($ids: [ID!]!) { nodes(ids: $ids) { id } }"

# Discovery runs as separate documents: a refused non-null root field would null all of `data`.
DISCOVERY = {
    "viewer": "query LoadViewer { viewer { id username orgUnit { id code kind } roles { code } } }",
    "cards": "query LoadCards { simCards(first: 50) { edges { node { id iccid msisdn unit { id } terminalAccount { accountName } } } } }",
    "assets": "query LoadAssets { assets(first: 20, sort: CREATED_DESC) { edges { node { id } } } }",
    "series": "query LoadSeries { metricSeries { id metric resourceKey labels unitId } }",
}

# Roles that do not use the business screens: the three separated administrators and service accounts.
NON_SCREEN_ROLES = frozenset({"system_admin", "security_admin", "audit_admin", "platform_service"})
PUSHER_ROLE = "platform_service"

# The list screens' filter presets (status and kind), rotated per user and request.
WORK_ORDER_FILTERS: list[dict[str, Any]] = [
    {"statuses": ["PROCESSING"]},
    {"kinds": ["wireless.open", "wireless.plan_change", "wireless.cancel"], "statuses": ["PROCESSING", "DISPATCHING"]},
    {"kinds": ["secure_access.open", "secure_access.change"]},
    {"kinds": ["faults.rectify"], "statuses": ["PROCESSING"]},
    {"statuses": ["COMPLETED", "REJECTED", "WITHDRAWN"]},
]


@dataclass
class Card:
    id: str
    iccid: str
    msisdn: str
    unit_id: str | None
    account: str | None


@dataclass
class UserData:
    """What one user found in its own data scope before the run."""

    username: str = ""
    unit_kind: str = ""
    cards: list[Card] = field(default_factory=list)
    card_unit: str | None = None  # the unit whose cards the by-unit search lists
    asset_ids: list[str] = field(default_factory=list)
    series: dict[str, Any] | None = None  # a MetricSeriesFilter naming one series
    year_ago: str = ""
    problems: list[str] = field(default_factory=list)


def discovered(answers: dict[str, dict[str, Any]]) -> UserData:
    """UserData from the answers to DISCOVERY (each {"data": ..., "errors": ...})."""
    d = UserData(year_ago=twelve_months_back())
    for key, answer in answers.items():
        for error in answer.get("errors") or []:
            d.problems.append(f"{key}: {error.get('message')}")
    viewer = (answers["viewer"].get("data") or {}).get("viewer") or {}
    d.username = viewer.get("username", "")
    d.unit_kind = ((viewer.get("orgUnit") or {}).get("kind")) or ""
    own_unit = (viewer.get("orgUnit") or {}).get("id")
    for edge in (((answers["cards"].get("data") or {}).get("simCards") or {}).get("edges")) or []:
        n = edge["node"]
        account = (n.get("terminalAccount") or {}).get("accountName")
        d.cards.append(Card(n["id"], n["iccid"], n["msisdn"], (n.get("unit") or {}).get("id"), account))
    units = [c.unit_id for c in d.cards if c.unit_id]
    d.card_unit = own_unit if own_unit in units else (units[0] if units else None)
    d.asset_ids = [e["node"]["id"] for e in (((answers["assets"].get("data") or {}).get("assets") or {}).get("edges")) or []]
    series = ((answers["series"].get("data") or {}).get("metricSeries")) or []
    if series:
        s = series[0]
        d.series = {"metrics": [s["metric"]], "resourceKeys": [s["resourceKey"]], "labels": s.get("labels") or {}}
    return d


def twelve_months_back() -> str:
    """The statistics screen's default window, as its date picker sends it: from Beijing midnight on the first day of
    the month eleven months before this one (the last twelve calendar months)."""
    beijing = timedelta(hours=8)
    local = datetime.now(UTC) + beijing
    month = local.year * 12 + local.month - 1 - 11
    start = datetime(month // 12, month % 12 + 1, 1, tzinfo=UTC) - beijing
    return start.isoformat()


def _page(first: int, **extra: Any) -> dict[str, Any]:
    return {"first": first, "after": None, **extra}


def _msisdn(d: UserData, i: int) -> dict[str, Any] | None:
    return _page(20, filter={"msisdn": d.cards[i % min(10, len(d.cards))].msisdn}) if d.cards else None


def _panel(d: UserData, _i: int) -> dict[str, Any]:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    # Without any series in scope the screen still asks (and draws nothing): the request is measured all the same.
    f = d.series or {"metrics": ["upf.uplink_bytes"]}
    return {"filter": f, "from": (now - timedelta(days=30)).isoformat(), "to": now.isoformat(), "step": 86400}


@dataclass(frozen=True)
class Op:
    name: str  # the table's row, and --closed's argument
    document: str
    variables: Callable[[UserData, int], dict[str, Any] | None]

    @cached_property
    def operation_name(self) -> str:
        match = re.match(r"\s*(?:query|mutation|subscription)\s+(\w+)", self.document)
        assert match, self.name
        return match.group(1)

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.document.encode()).hexdigest()


CATALOGUE: list[Op] = [
    Op("wirelessOverview", WIRELESS_OVERVIEW, lambda d, i: {}),
    Op("secureAccessOverview", SECURE_ACCESS_OVERVIEW, lambda d, i: {}),
    Op("workOrders", WORK_ORDERS, lambda d, i: _page(20, filter=WORK_ORDER_FILTERS[i % len(WORK_ORDER_FILTERS)])),
    Op("myTasks", MY_TASKS, lambda d, i: _page(20)),
    Op("simCardsByUnit", SIM_CARDS, lambda d, i: _page(50, filter={"unitId": d.card_unit}) if d.card_unit else None),
    Op("simCardsByMsisdn", SIM_CARDS, _msisdn),
    Op("alerts", ALERTS, lambda d, i: _page(30, filter={"statuses": ["FIRING"]})),
    Op("workOrderStatistics", WORK_ORDER_STATISTICS, lambda d, i: {"filter": {"createdFrom": d.year_ago}}),
    Op("asset", ASSET, lambda d, i: {"id": d.asset_ids[i % len(d.asset_ids)]} if d.asset_ids else None),
    Op("metricPanel", METRIC_PANEL, _panel),
]
BY_NAME = {op.name: op for op in CATALOGUE}


# --- accounts ------------------------------------------------------------------------------------


@dataclass
class Accounts:
    master_key: str
    password: str
    users: list[dict[str, str]]  # {"username", "role", "unit_code"}
    api_client: dict[str, str] | None = None  # optional {"key_id", "secret"}: pushes alerts as a signed client

    @property
    def screen_users(self) -> list[dict[str, str]]:
        """The business users, interleaved by role so any prefix is a mix (the file may list them grouped)."""
        groups: dict[str, list[dict[str, str]]] = {}
        for u in self.users:
            if u.get("role") not in NON_SCREEN_ROLES:
                groups.setdefault(u.get("role", ""), []).append(u)
        mixed: list[dict[str, str]] = []
        for i in range(max((len(g) for g in groups.values()), default=0)):
            mixed.extend(g[i] for g in groups.values() if i < len(g))
        return mixed

    @property
    def pusher(self) -> dict[str, str] | None:
        return next((u for u in self.users if u.get("role") == PUSHER_ROLE), None)


def read_accounts(path: Path) -> Accounts:
    raw = json.loads(path.read_text(encoding="utf-8"))
    accounts = Accounts(raw["master_key"], raw["password"], list(raw["users"]), raw.get("api_client"))
    if not accounts.screen_users:
        raise SystemExit(f"{path}: no business users (every role is one of {sorted(NON_SCREEN_ROLES)})")
    return accounts


def write_demo_accounts(path: Path, master_key: str, password: str) -> int:
    """The demo organisation's users (domain/identity/demo.py) as an accounts file; returns how many."""
    from domain.identity.demo import demo_users

    users = [{"username": u.username, "role": u.role, "unit_code": u.unit_code} for u in demo_users()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)  # it holds the master key
    path.write_text(json.dumps({"master_key": master_key, "password": password, "users": users}, ensure_ascii=False, indent=1))
    path.chmod(0o600)
    return len(users)


# --- figures -------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest rank on a sorted list (0 when empty)."""
    if not values:
        return 0.0
    return values[min(len(values) - 1, max(0, math.ceil(q / 100 * len(values)) - 1))]


def summary(latencies_ms: list[float]) -> dict[str, float]:
    v = sorted(latencies_ms)
    return {"p50_ms": percentile(v, 50), "p95_ms": percentile(v, 95), "p99_ms": percentile(v, 99), "max_ms": v[-1] if v else 0.0}


def write_block(path: Path, tag: str, block: str) -> None:
    """Replace (or append) the block between <!-- tag:begin --> and <!-- tag:end --> in a Markdown file."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n\n"
    begin, end = f"<!-- {tag}:begin -->", f"<!-- {tag}:end -->"
    new = f"{begin}\n{block}\n{end}"
    if begin in text:
        text = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _m: new, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + new + "\n"
    path.write_text(text, encoding="utf-8")


# --- processes ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def worker_pids(server_pid: int | None) -> list[int]:
    """uvicorn's worker processes (children of the server), or the server itself when it has none."""
    if server_pid is None:
        return []
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == server_pid:
                cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ")
                if b"resource_tracker" not in cmdline:
                    children.append(int(stat.parent.name))
    return sorted(children) or [server_pid]


def rss_mb(pid: int) -> float | None:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return None


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot (/proc/stat): what else ran beside the API."""
    f = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(f) - f[3] - f[4]) / TICKS, sum(f) / TICKS


def busy_percent(before: tuple[float, float], after: tuple[float, float]) -> float:
    return (after[0] - before[0]) / max(after[1] - before[1], 1e-9) * 100


def machine() -> str:
    model = next(
        (ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines() if ln.startswith("model name")), ""
    )
    return f"{platform.machine()}, {os.cpu_count()} cores ({model}), Python {platform.python_version()}"


# --- run state and report -------------------------------------------------------------------------


@dataclass
class OpStats:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None


@dataclass
class SimUser:
    index: int
    account: dict[str, str]
    token: str = ""
    data: UserData = field(default_factory=UserData)


@dataclass
class Sub:
    user: SimUser
    visible: list[bool] = field(default_factory=list)
    received: dict[int, float] = field(default_factory=dict)
    duplicates: int = 0
    others: int = 0
    errors: list[str] = field(default_factory=list)
    ready: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Window:
    start: float
    warm_end: float
    end: float


async def sample_rss(pids: list[int], peak: dict[int, float], win: Window, minutes: dict[int, list[float]]) -> None:
    """The highest RSS of each worker, sampled every 2 s, and its RSS at each minute of the measured run."""
    mark = win.warm_end
    while (now := time.perf_counter()) < win.end:
        for pid in pids:
            mb = rss_mb(pid) or 0.0
            peak[pid] = max(peak.get(pid, 0.0), mb)
            if now >= mark:
                minutes.setdefault(pid, []).append(mb)
        mark += 60 if now >= mark else 0
        await asyncio.sleep(2)


def deliveries(
    subs: list[Sub], sent: dict[int, tuple[float, int, str | None, float]] | None, win: Window, rate: float
) -> dict[str, Any]:
    """Subscription figures: each counted push against each subscriber whose scope holds its card."""
    out: dict[str, Any] = {"subscribers": len(subs), "connected": sum(not s.errors for s in subs), "alert_rate_per_s": rate}
    errors = [e for s in subs for e in s.errors]
    out["subscriber_errors"], out["first_subscriber_error"] = len(errors), errors[0] if errors else None
    if sent is None:
        out["pushes"] = 0
        return out
    counted = {seq: v for seq, v in sent.items() if win.warm_end <= v[0] < win.end}
    push_errors = [v[2] for v in counted.values() if v[2]]
    expected = missed = 0
    latencies: list[float] = []
    for seq, (sent, index, error, _ms) in counted.items():
        for s in subs:
            if error is None and index < len(s.visible) and s.visible[index]:
                expected += 1
                if seq in s.received:
                    latencies.append((s.received[seq] - sent) * 1000)
                else:
                    missed += 1
    unexpected = sum(1 for s in subs for seq in s.received if seq in counted and not s.visible[counted[seq][1]])
    out.update({
        "pushes": len(counted), "push_errors": len(push_errors), "first_push_error": push_errors[0] if push_errors else None,
        "push": summary([v[3] for v in counted.values()]), "expected": expected, "received": len(latencies), "missed": missed,
        "unexpected": unexpected, "duplicates": sum(s.duplicates for s in subs), "other_alerts": sum(s.others for s in subs),
        "latency": summary(latencies), "city_level": sum(s.user.data.unit_kind == "MANAGEMENT" for s in subs),
    })  # fmt: skip
    return out


def server_figures(pids: list[int], start: dict[int, float | None], end: dict[int, float | None], peak: dict[int, float],
                   cpu_s: float, seconds: float, busy: float, minutes: dict[int, list[float]]) -> dict[str, Any]:  # fmt: skip
    """RSS of each worker at the start and end of the measured run, the highest seen (sampled every 2 s) and at each
    minute of the run (is it flat, or still growing at the end?)."""
    seen = {p: [v for v in (start.get(p), end.get(p), peak.get(p)) if v] for p in pids}
    workers = [{"pid": p, "rss_start_mb": start.get(p), "rss_end_mb": end.get(p), "rss_peak_mb": max(seen[p], default=None),
                "rss_by_minute_mb": minutes.get(p, [])} for p in pids]  # fmt: skip
    return {"workers": workers, "cpu_percent_of_machine": cpu_s / seconds / (os.cpu_count() or 1) * 100 if pids else None,
            "machine_busy_percent": busy}  # fmt: skip


def _mb(v: float | None) -> str:
    return "?" if v is None else f"{v:.0f}"


def render(r: dict[str, Any]) -> str:
    """The Markdown block of one run (users or closed loop)."""
    head = [f"- Command: `{r['command']}`", f"- Machine: {r['machine']}; API, PostgreSQL, Redis and the load client on the same box",
            f"- Server: {r['server_line']}"]  # fmt: skip
    workers = "; ".join(
        f"pid {w['pid']} {_mb(w['rss_start_mb'])} → {_mb(w['rss_end_mb'])} (peak {_mb(w['rss_peak_mb'])})"
        for w in r["server"]["workers"]
    )
    cpu = r["server"]["cpu_percent_of_machine"]
    logged = r.get("server_log_errors") or {}
    tail = [f"- The API logged {logged['count']} errors; the first: `{logged['first'][:300]}`"] if logged.get("count") else []
    tail += [f"- API worker RSS MB, start → end of the measured run: {workers or 'not measured (no --server-pid)'}"
            + (f"; API workers' CPU {cpu:.0f} % of the machine" if cpu is not None else "")
            + f"; the whole machine {r['server']['machine_busy_percent']:.0f} % busy (PostgreSQL, Redis, the client, anything else)"]  # fmt: skip
    by_minute = "; ".join(f"pid {w['pid']} " + ", ".join(map(_mb, w["rss_by_minute_mb"]))
                          for w in r["server"]["workers"] if len(w.get("rss_by_minute_mb") or ()) > 1)  # fmt: skip
    tail += [f"- API worker RSS MB at each minute of the measured run: {by_minute}"] if by_minute else []
    if r["mode"] != "users":
        x = r["result"]
        return "\n".join([
            f"### Load, closed loop: `{r['operation']}` ({r['when']})", "", *head,
            f"- Load: wrk, {r['connections']} connections, no think time, one token ({r['user']}, {r['role']}); "
            f"{r['warmup_s']} s warm-up, {r['duration_s']} s measured; body: `{r['document']}` "
            f"{'as an APQ hash' if r['apq'] else 'as full text'}, variables `{json.dumps(r['variables'], ensure_ascii=False)}`", "",
            "| operation | connections | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |", "|---|---:|---:|---:|---:|---:|---:|---:|",
            f"| {r['operation']} | {r['connections']} | {x['rps']:.0f} | {x['p50_ms']:.1f} | {x['p95_ms']:.1f} | {x['p99_ms']:.1f} "
            f"| {x['max_ms']:.1f} | {x['errors'] + x['gql_errors']} |", "", *tail,
            f"- Client: wrk, CPU {r['client']['wrk_cpu_percent_of_one_core']:.0f} % of one core"
            + (f"\n- First error: `{x['first_error'][:200]}`" if x["first_error"] else ""), "",
        ])  # fmt: skip
    rows, over = [], []
    for name, s in r["operations"].items():
        flag = ""
        if s["requests"] and s["p95_ms"] > TARGET_P95_MS:
            over.append(name)
            flag = " ✗"
        rows.append(
            f"| {name} | {s['requests']} | {s['errors']} | {s['p50_ms']:.1f} | {s['p95_ms']:.1f}{flag} | {s['p99_ms']:.1f} | {s['max_ms']:.1f} |"
        )
    t, sub, c = r["total"], r["subscriptions"], r["client"]
    roles = ", ".join(f"{n} {role}" for role, n in sorted(r["roles"].items()))
    verdict = f"exceeded by {', '.join(over)} (✗)" if over else "met by every operation"
    lines = [
        f"### Load: {r['users']} simulated users on the real screens ({r['when']})", "", *head,
        f"- Load: {r['users']} users ({r['accounts']} accounts; {roles}), each cycling through the screens with {r['think_s']} s "
        f"think time; {r['warmup_s']} s warm-up, then {r['duration_s']} s measured; operations sent "
        + ("as APQ hashes" if r["apq"] else "as full text") + f" ({r['apq_misses_measured']} misses while measured)", "",
        "| operation | requests | errors | p50 ms | p95 ms | p99 ms | max ms |", "|---|---:|---:|---:|---:|---:|---:|", *rows,
        f"| **all** | {t['requests']} | {t['errors']} | {t['p50_ms']:.1f} | {t['p95_ms']:.1f} | {t['p99_ms']:.1f} | {t['max_ms']:.1f} |", "",
        f"**Throughput {r['rps']:.1f} req/s; {t['errors']} errors; p95 ≤ {TARGET_P95_MS:.0f} ms {verdict}.**", "",
    ]  # fmt: skip
    if sub.get("pushes"):
        lat = sub["latency"]
        lines.append(
            f"- Subscriptions: {sub['connected']}/{sub['subscribers']} `alertFired` subscribers ({sub['city_level']} city-level), "
            f"{sub['pushes']} alerts pushed at {sub['alert_rate_per_s']}/s ({sub['push_errors']} push errors, push p95 "
            f"{sub['push']['p95_ms']:.0f} ms); deliveries expected in scope {sub['expected']}, received {sub['received']}, "
            f"missed {sub['missed']}, out of scope {sub['unexpected']}, duplicates {sub['duplicates']}; delivery latency "
            f"(push sent → message received) p50 {lat['p50_ms']:.0f} ms, p95 {lat['p95_ms']:.0f} ms, max {lat['max_ms']:.0f} ms"
        )  # fmt: skip
    elif sub["subscribers"]:
        lines.append(f"- Subscriptions: {sub['connected']}/{sub['subscribers']} connected; no alerts pushed (no pusher account)")
    lines += tail
    lines.append(f"- Client: one asyncio process (httpx), CPU {c['cpu_percent_of_one_core']:.0f} % of one core, event-loop lag "
                 f"p99 {c['loop_lag_p99_ms']:.1f} ms (max {c['loop_lag_max_ms']:.1f} ms)")  # fmt: skip
    if r["skipped_users"]:
        lines.append("- Users with nothing in scope for a screen (they skip it): "
                     + ", ".join(f"{k} {v}" for k, v in r["skipped_users"].items()))  # fmt: skip
    failing = [f"  - {name}: `{s['first_error'][:200]}`" for name, s in r["operations"].items() if s["first_error"]]
    if failing or sub.get("first_push_error") or sub.get("first_subscriber_error"):
        lines.append("- First errors:")
        lines += failing
        lines += [f"  - {k}: `{str(sub[k])[:200]}`" for k in ("first_push_error", "first_subscriber_error") if sub.get(k)]
    return "\n".join([*lines, ""])
