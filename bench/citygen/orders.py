"""Work orders of three years: every wireless and secure-access kind, walked through its registered flow.

Each order follows its flow's steps as the engine records them (the demo's orders, made by the engine itself, are
the reference): a SUBMITTED and STEP_ENTERED event per step, a task per approval step with the role, scope and
person who decided it, a DISPATCHED event and confirmation per platform step, the clocks of the order and of each
step on the government calendar. Volume follows the working calendar (months, weekdays, office hours); orders of
the last days are still open at some step, the older ones completed, rejected or withdrawn. The form of each order
is one of the demo's forms of its kind, sealed again (a fresh nonce per row, as a new order would be).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson

from bench.citygen.base import BEIJING, Gen, Picker, Progress, chunks, log_normal_days
from bench.citygen.identity import Organisation, Person
from core.keyring import RING
from domain import flows as _flows  # noqa: F401  (registers every kind)
from domain.workorders import clocks
from domain.workorders.enums import EventKind, ScopeKind, SlaScope, TaskStatus, WorkOrderStatus
from domain.workorders.flow import FLOWS, Flow, Step
from domain.workorders.sla import Interval, SlaClock, SlaState
from integrations.carriers.numbers import luhn_complete

KIND_SHARE = {
    "wireless.open": 22, "wireless.cancel": 7, "wireless.plan_change": 9, "wireless.unbind": 5, "wireless.replace": 5,
    "wireless.access": 12, "secure_access.open": 22, "secure_access.change": 12, "secure_access.revoke": 6,
}  # fmt: skip
ORDER_COLUMNS = ["id", "number", "kind", "status", "step", "title", "payload", "applicant_id", "unit_id", "round", "version", "overdue",
                 "due_at", "created_at", "updated_at", "finished_at"]  # fmt: skip
TASK_COLUMNS = ["id", "order_id", "step", "round", "role_code", "scope_kind", "scope_path", "assignee_id", "supervisor_role",
                "delegate_id", "delegate_until", "delegated_by", "status", "acted_by", "acted_at", "comment", "created_at"]  # fmt: skip
EVENT_COLUMNS = ["order_id", "kind", "actor_id", "actor_name", "at", "step", "from_status", "to_status", "from_step", "to_step",
                 "comment", "detail"]  # fmt: skip
SLA_COLUMNS = ["order_id", "scope", "step", "target_seconds", "intervals", "state", "warn_at", "due_at", "warned_at", "breached_at",
               "escalated_at", "stopped_at", "around_the_clock"]  # fmt: skip
DISPATCH_COLUMNS = ["order_id", "step", "round", "platform", "operation", "idempotency_key", "status", "request", "attempts",
                    "created_at", "updated_at"]  # fmt: skip
CARD_KINDS = {"wireless.cancel", "wireless.plan_change", "wireless.unbind", "wireless.replace", "wireless.access"}
REJECTIONS = ["用途与申请单位职能不符 / not within the unit's duties", "材料不全，请补充 / documents missing",
              "数量超出核定 / more than approved"]  # fmt: skip
P = WorkOrderStatus


@dataclass
class Rows:
    orders: list[tuple[Any, ...]] = field(default_factory=list)
    tasks: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    slas: list[tuple[Any, ...]] = field(default_factory=list)
    dispatches: list[tuple[Any, ...]] = field(default_factory=list)


class Orders:
    def __init__(self, g: Gen, org: Organisation, templates: dict[str, list[tuple[str, Any]]], names: dict[int, str]) -> None:
        self.g, self.org, self.templates, self.names = g, org, templates, names
        self.kind_of = Picker(list(KIND_SHARE), list(KIND_SHARE.values()))
        self.operators = [p for p in org.people if p.role == "management_operator"]
        self.per_day: Counter[str] = Counter()
        self.cal = clocks.calendar()
        self.task_id = 0
        self.stats: Counter[str] = Counter()
        self.cards: dict[int, list[tuple[str, str | None]]] = {}
        self.all_cards: list[tuple[str, str | None]] = []

    def form(self, kind: str, unit_id: int) -> tuple[str, Any]:
        """A demo form of the kind; a card order names a card of the order's unit, as the engine requires."""
        rng = self.g.rng
        mine = self.cards.get(unit_id) or self.all_cards
        iccid, imei = rng.choice(mine) if kind in CARD_KINDS else (None, None)
        if kind == "wireless.unbind":  # the demo walks no unbinding: the form is three fields
            return f"机卡解绑 {iccid}", {
                "iccid": iccid,
                "imei": imei or luhn_complete(f"86{rng.randrange(10**12):012d}"),
                "reason": "终端更换 / device replaced",
            }
        title, form = rng.choice(self.templates[kind])
        if iccid is not None and "iccid" in form:
            title, form = title.replace(form["iccid"], iccid), {**form, "iccid": iccid}
        return title, form

    def number(self, at: datetime) -> str:
        day = (at + BEIJING).strftime("%Y%m%d")
        self.per_day[day] += 1
        return f"GD{day}{500000 + self.per_day[day]:06d}"  # the engine numbers from 000001: these never meet it

    def decider(self, step: Step, unit_id: int) -> Person:
        assert step.approvers is not None
        if step.approvers.scope is ScopeKind.MANAGEMENT or step.approvers.role == "management_operator":
            return self.g.rng.choice(self.operators)
        return self.g.rng.choice(self.org.admins(unit_id))

    def fate(self, created: datetime) -> str:
        age = (self.g.now - created).total_seconds() / 86400
        if age < 10 and self.g.rng.random() < 0.92 * (1 - age / 10) ** 2:
            return "open"
        r = self.g.rng.random()
        return "completed" if r < 0.85 else "rejected" if r < 0.94 else "withdrawn"

    def build(self, rows: Rows, oid: int, created: datetime) -> None:
        g, rng = self.g, self.g.rng
        kind = self.kind_of(rng)
        flow = FLOWS[kind]
        unit = self.org.unit_picker(rng)
        applicant = rng.choice(self.org.applicants(unit.id))
        title, form = self.form(kind, unit.id)
        fate = self.fate(created)
        self.stats[fate] += 1
        events: list[tuple[Any, ...]] = []

        def event(kind_: EventKind, who: Person | None, at: datetime, step: str | None = None, frm: P | None = None,
                  to: P | None = None, from_step: str | None = None, to_step: str | None = None, comment: str | None = None,
                  detail: dict[str, Any] | None = None) -> None:  # fmt: skip
            events.append((oid, kind_.value, who.id if who else None, self.names.get(who.id, "系统") if who else "系统", at, step,
                           frm.value if frm else None, to.value if to else None, from_step, to_step, comment,
                           orjson.dumps(detail or {}).decode()))  # fmt: skip

        number = self.number(created)
        event(EventKind.SUBMITTED, applicant, created, detail={"kind": kind, "number": number})
        steps = list(flow.steps)
        stop_at = len(steps) if fate != "open" else rng.randrange(len(steps))
        if fate in ("rejected", "withdrawn"):
            stop_at = rng.randrange(len(steps))
            while fate == "rejected" and steps[stop_at].approvers is None:
                stop_at -= 1
        at, previous, status = created, None, P.PROCESSING
        step_clocks: list[tuple[Step, datetime, datetime | None]] = []
        end_status, current, returned = status, None, False
        actor = applicant
        for i, step in enumerate(steps):
            if i > stop_at or (i == stop_at and fate == "completed"):
                break
            entered = at
            to_status = P.DISPATCHING if step.dispatch is not None else P.PROCESSING
            if step.dispatch is not None:
                key = f"GOVOPS-{number}-{step.name}-1"
                event(EventKind.DISPATCHED, actor, at, step.name, detail={"keys": [key], "platform": self.platform(step),
                                                                          "operation": step.dispatch.operation})  # fmt: skip
            event(
                EventKind.STEP_ENTERED, actor, at, step.name, status, to_status, previous, step.name, detail={"label": step.label}
            )
            status = to_status
            if i == stop_at:  # the order stops here: still open, or decided against at this step
                current = step
                if fate == "open":
                    step_clocks.append((step, entered, None))
                    if step.approvers is not None:
                        returned = rng.random() < 0.06
                        self.task(rows, oid, step, unit, entered, None, TaskStatus.RETURNED if returned else TaskStatus.OPEN)
                        if returned:
                            leader = self.decider(step, unit.id)
                            back = min(entered + timedelta(hours=rng.uniform(0.2, 4)), g.now)
                            event(EventKind.RETURNED, leader, back, step.name, P.PROCESSING, P.RETURNED, step.name, step.name,
                                  comment="请补充说明 / please add details")  # fmt: skip
                            step_clocks[-1] = (step, entered, back)
                            at, end_status = back, P.RETURNED
                    else:
                        end_status = P.DISPATCH_FAILED if rng.random() < 0.08 else P.DISPATCHING
                        self.dispatch(rows, oid, step, number, entered, end_status)
                    if not returned:
                        end_status = end_status if step.dispatch is not None else P.PROCESSING
                    break
                decided = min(entered + timedelta(hours=log_normal_days(rng, 3.0)), g.now)
                step_clocks.append((step, entered, decided))
                if fate == "rejected":
                    who = self.decider(step, unit.id)
                    self.task(rows, oid, step, unit, entered, (who, decided), TaskStatus.REJECTED)
                    event(EventKind.REJECTED, who, decided, None, status, P.REJECTED, step.name, None, rng.choice(REJECTIONS),
                          detail={"taskId": self.task_id})  # fmt: skip
                else:
                    event(EventKind.WITHDRAWN, applicant, decided, None, status, P.WITHDRAWN, step.name, None)
                at, end_status = decided, P.REJECTED if fate == "rejected" else P.WITHDRAWN
                break
            if step.approvers is not None:
                who = self.decider(step, unit.id)
                done = min(entered + timedelta(hours=log_normal_days(rng, 2.5)), g.now)
                self.task(rows, oid, step, unit, entered, (who, done), TaskStatus.APPROVED)
                event(EventKind.APPROVED, who, done, step.name, comment="同意", detail={"taskId": self.task_id})
                actor = who
            else:
                done = min(entered + timedelta(minutes=log_normal_days(rng, 20.0, 1.0)), g.now)
                event(EventKind.DISPATCH_CONFIRMED, None, done, step.name, detail={"key": f"GOVOPS-{number}-{step.name}-1"})
                actor = None
            step_clocks.append((step, entered, done))
            at, previous = done, step.name
        else:
            end_status = P.COMPLETED
        if fate == "completed":
            end_status = P.COMPLETED
            event(EventKind.COMPLETED, actor, at, None, status, P.COMPLETED, previous, None)
        finished = end_status in (P.COMPLETED, P.REJECTED, P.WITHDRAWN)
        overdue, due = self.clocks(rows, oid, flow, created, at if finished else None, step_clocks, returned)
        rows.events.extend(events)
        rows.orders.append((
            oid, number, kind, end_status.value, None if finished else (current.name if current else None), title,
            g.seal_json("work_order.payload", form), applicant.id, unit.id, 1, len(events), overdue, due, created, at,
            at if finished else None,
        ))  # fmt: skip

    def task(self, rows: Rows, oid: int, step: Step, unit: Any, created: datetime, acted: tuple[Person, datetime] | None,
             status: TaskStatus) -> None:  # fmt: skip
        assert step.approvers is not None
        self.task_id += 1
        who, when = acted if acted else (None, None)
        supervisor = step.supervisor.role if step.supervisor else None
        rows.tasks.append((self.task_id, oid, step.name, 1, step.approvers.role, step.approvers.scope.value, unit.path, None, supervisor,
                           None, None, None, status.value, who.id if who else None, when,
                           ("同意" if status is TaskStatus.APPROVED else None), created))  # fmt: skip

    def platform(self, step: Step) -> str:
        """The step's platform; a carrier's step goes to one of the four carriers."""
        assert step.dispatch is not None
        fixed = step.dispatch.platform
        return (
            fixed
            if isinstance(fixed, str)
            else self.g.rng.choice(("carrier_mobile", "carrier_telecom", "carrier_unicom", "carrier_cbn"))
        )

    def dispatch(self, rows: Rows, oid: int, step: Step, number: str, at: datetime, status: P) -> None:
        assert step.dispatch is not None
        state = "DEAD" if status is P.DISPATCH_FAILED else "ACCEPTED"
        request = self.g.seal_json("work_order_dispatch.request", {"orderNumber": number, "operation": step.dispatch.operation})
        rows.dispatches.append((oid, step.name, 1, self.platform(step), step.dispatch.operation, f"GOVOPS-{number}-{step.name}-1", state,
                                request, 8 if state == "DEAD" else 1, at, at))  # fmt: skip

    def clocks(self, rows: Rows, oid: int, flow: Flow, created: datetime, finished: datetime | None,
               steps: list[tuple[Step, datetime, datetime | None]], paused: bool) -> tuple[bool, datetime | None]:  # fmt: skip
        """The order's clock and each step's, as the engine leaves them; returns (overdue, the order's due time)."""
        overdue, order_due = False, None
        order_end = finished or (steps[-1][2] if paused and steps else None)
        specs = [(SlaScope.ORDER, "", flow.sla_hours, created, order_end)]
        specs += [(SlaScope.STEP, s.name, s.sla_hours, a, b) for s, a, b in steps]
        for scope, name, hours, start, end in specs:
            if hours is None:
                continue
            target = int(hours * 3600)
            clock = SlaClock(target, (Interval(start, end),))
            state = clock.state(self.cal, end or self.g.now)
            running = end is None
            due = clock.due(self.cal, self.g.now) if running and state is not SlaState.BREACHED else None
            warn = clock.warn_at(self.cal, self.g.now) if running and state is SlaState.ON_TRACK else None
            breached = (end or self.g.now) if state is SlaState.BREACHED else None
            if scope is SlaScope.ORDER:
                overdue, order_due = state is SlaState.BREACHED, due
            intervals = orjson.dumps([[start.isoformat(), end.isoformat() if end else None]]).decode()
            rows.slas.append((oid, scope.value, name, target, intervals, state.value, warn, due,
                              None if state is SlaState.ON_TRACK else start, breached, None,
                              end if finished or (end and not paused) else None, False))  # fmt: skip
        return overdue, order_due


async def generate(g: Gen, org: Organisation, progress: Progress) -> None:
    started = time.monotonic()
    templates: dict[str, list[tuple[str, Any]]] = {}
    for r in await g.conn.fetch("SELECT kind, title, payload FROM work_order WHERE kind = ANY($1::text[])", list(KIND_SHARE)):
        templates.setdefault(r["kind"], []).append(
            (r["title"], orjson.loads(RING.open(bytes(r["payload"]), b"work_order.payload")))
        )
    missing = set(KIND_SHARE) - set(templates) - {"wireless.unbind"}
    if missing:
        raise SystemExit(f"the demo has no orders of {sorted(missing)}: run seed-demo first")
    names = {r["id"]: r["display_name"] for r in await g.conn.fetch("SELECT id, display_name FROM user_account")}
    gen = Orders(g, org, templates, names)
    for r in await g.conn.fetch("SELECT unit_id, iccid, imei FROM sim_card WHERE status IN ('ACTIVE', 'SUSPENDED') ORDER BY id"):
        gen.cards.setdefault(r["unit_id"], []).append((r["iccid"], r["imei"]))
        gen.all_cards.append((r["iccid"], r["imei"]))
    gen.task_id = int(await g.conn.fetchval("SELECT coalesce(max(id), 0) FROM work_order_task"))
    total = g.n(500_000)
    instants = sorted(g.working_instant(g.now - timedelta(days=1095), g.now - timedelta(minutes=10)) for _ in range(total))
    for part in chunks(total, 25_000):
        rows = Rows()
        for oid, i in zip(await g.ids("work_order", len(part)), part, strict=True):
            gen.build(rows, oid, instants[i])
        await g.copy("work_order", ORDER_COLUMNS, rows.orders)
        await g.copy("work_order_task", TASK_COLUMNS, rows.tasks)
        await g.copy("work_order_event", EVENT_COLUMNS, rows.events)
        await g.copy("work_order_sla", SLA_COLUMNS, rows.slas)
        await g.copy("work_order_dispatch", DISPATCH_COLUMNS, rows.dispatches)
        print(f"    work orders {part.stop:,}/{total:,}", flush=True)
    g._next_id["work_order_task"] = gen.task_id + 1
    progress.stage("work_order (+ tasks, events, clocks)", g.counts["work_order"], started)
    print("    fates: " + ", ".join(f"{k} {v:,}" for k, v in sorted(gen.stats.items())))
