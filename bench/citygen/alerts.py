"""Two years of alerts: bursty (an outage floods one kind for a quarter of an hour), mostly resolved, a few
thousand still firing, with the history rows the alert screens show (fired, acknowledged, resolved)."""

from __future__ import annotations

import time
from datetime import timedelta

import orjson

from bench.citygen.base import Gen, Picker, Progress, chunks
from bench.citygen.identity import Organisation
from domain.alerts.enums import AlertEventKind, AlertKind, AlertSeverity, AlertStatus

KINDS = {  # kind: (share, source, what it is about)
    AlertKind.TERMINAL_BEHAVIOUR: (35, "wireless_support", "SimCard"),
    AlertKind.UPF: (15, "wireless_support", None),
    AlertKind.SECURE_ACCESS_ZONE: (15, "secure_access_support", None),
    AlertKind.NETWORK_SECURITY: (15, "operations_platform", None),
    AlertKind.USER_BEHAVIOUR: (10, "secure_access_support", None),
    AlertKind.BUSINESS: (10, "govops", None),
}
SEVERITY = [(AlertSeverity.CRITICAL, 3), (AlertSeverity.MAJOR, 15), (AlertSeverity.MINOR, 40), (AlertSeverity.WARNING, 42)]
TITLES = {
    AlertKind.TERMINAL_BEHAVIOUR: ["终端异常外联", "终端频繁切换小区", "终端流量突增", "非授权应用访问"],
    AlertKind.UPF: ["UPF 会话数超阈值", "UPF 上行流量突降", "UPF 链路中断"],
    AlertKind.SECURE_ACCESS_ZONE: ["安全接入区带宽占用过高", "网关 CPU 过高", "隧道建立失败率升高"],
    AlertKind.NETWORK_SECURITY: ["检测到端口扫描", "疑似暴力破解", "异常 DNS 请求"],
    AlertKind.USER_BEHAVIOUR: ["异地登录", "非工作时间大量下载", "账号共享使用"],
    AlertKind.BUSINESS: ["工单在平台滞留", "开卡回执超时"],
}
ALERT_COLUMNS = ["id", "kind", "severity", "status", "source", "fingerprint", "title", "detail", "labels", "target_type", "target_id",
                 "unit_id", "count", "first_seen_at", "last_seen_at", "resolved_at", "resolution", "resolved_by_id",
                 "acknowledged_at", "acknowledged_by_id", "owner_id", "silenced_by_id", "pushed_at", "version"]  # fmt: skip
EVENT_COLUMNS = ["alert_id", "kind", "actor_id", "actor_name", "at", "comment", "detail"]


async def generate(g: Gen, org: Organisation, progress: Progress) -> None:
    started = time.monotonic()
    total = g.n(2_000_000)
    firing = g.n(3_000)
    cards = [
        (r["id"], r["unit_id"], r["iccid"]) for r in await g.conn.fetch("SELECT id, unit_id, iccid FROM sim_card ORDER BY id")
    ]
    operators = [p for p in org.people if p.role == "management_operator"]
    kind_of = Picker(list(KINDS), [v[0] for v in KINDS.values()])
    severity_of = Picker([s for s, _ in SEVERITY], [w for _, w in SEVERITY])
    instants = g.burst_instants(total, g.now - timedelta(days=730), g.now - timedelta(minutes=1), bursts=g.n(1500))
    still_firing = set(range(total - firing * 3, total)[::3])  # a third of the newest ones, spread over the last days
    for part in chunks(total, 50_000):
        alerts, events = [], []
        for aid, i in zip(await g.ids("alert", len(part)), part, strict=True):
            kind = kind_of(g.rng)
            _share, source, target_type = KINDS[kind]
            first = instants[i]
            if target_type is not None:
                card, unit_id, iccid = g.rng.choice(cards)
                target, labels = card, {"iccid": iccid}
            else:
                target, unit_id, labels = None, org.unit_picker(g.rng).id, {}
            repeats = 1 if g.rng.random() < 0.7 else int(g.rng.paretovariate(1.2))
            last = first + timedelta(seconds=min(repeats * 300, 86400 * 3))
            live = i in still_firing
            status = AlertStatus.FIRING if live else AlertStatus.RESOLVED
            acked = g.rng.random() < (0.5 if live else 0.3)
            ack_by = g.rng.choice(operators) if acked else None
            ack_at = first + timedelta(minutes=g.rng.randint(2, 240)) if acked else None
            resolved = None if live else max(last, ack_at or last) + timedelta(minutes=g.rng.randint(1, 600))
            by_hand = not live and g.rng.random() < 0.2
            alerts.append((
                aid, kind.value, severity_of(g.rng).value, status.value, source, f"{kind.value.lower()}:{aid}",
                g.rng.choice(TITLES[kind]), None, orjson.dumps(labels).decode(), target_type, target, unit_id, repeats, first,
                min(last, g.now), resolved, ("已处理 / handled" if by_hand else "源端恢复 / recovered at the source") if resolved else None,
                (ack_by.id if ack_by else g.rng.choice(operators).id) if by_hand else None, ack_at, ack_by.id if ack_by else None,
                ack_by.id if ack_by else None, None, first + timedelta(seconds=5) if kind is AlertKind.NETWORK_SECURITY else None,
                1 + acked + (resolved is not None),
            ))  # fmt: skip
            events.append((aid, AlertEventKind.FIRED.value, None, source, first, None, "{}"))
            if ack_by is not None and ack_at is not None:
                events.append(
                    (aid, AlertEventKind.ACKNOWLEDGED.value, ack_by.id, ack_by.username, ack_at, "处理中 / on it", "{}")
                )
            if resolved is not None:
                events.append((aid, AlertEventKind.RESOLVED.value, None, source, resolved, None, "{}"))
        await g.copy("alert", ALERT_COLUMNS, alerts)
        await g.copy("alert_event", EVENT_COLUMNS, events)
    progress.stage("alert (+ events)", g.counts["alert"], started)
