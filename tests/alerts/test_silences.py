"""Silences and recurring maintenance windows: a silenced alert is not noticed; its resolution tells the silence's
author; a window that ends while the alert still fires notices it then."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from domain.alerts import service, silences
from domain.alerts.enums import AlertKind, AlertSeverity
from domain.alerts.models import Alert
from domain.identity.models import User
from domain.notifications.models import Notification
from tests.workorders.helpers import actor

SUNDAY_2AM = datetime(2026, 11, 28, 18, 0, tzinfo=UTC)  # Sunday 29 November, 02:00 Beijing
CREATE = """mutation($i: AlertSilenceCreateInput!) { alertSilenceCreate(input: $i) { silence { id status recurrence }
  errors { code field } } }"""


async def fire(services: Any, fingerprint: str, at: datetime, severity: AlertSeverity = AlertSeverity.CRITICAL) -> Alert:
    async with services.unit_of_work() as uow:
        return await service.fire(uow, kind=AlertKind.UPF, severity=severity, source="upf-monitor", fingerprint=fingerprint,
                                  title=f"UPF {fingerprint}", labels={"upf": "UPF-3"}, now=at)  # fmt: skip


async def notices(services: Any, username: str) -> list[tuple[str, str]]:
    async with services.session_factory() as s:
        uid = (await s.execute(select(User.id).where(User.username == username))).scalar_one()
        rows = await s.execute(select(Notification.kind, Notification.title).where(Notification.recipient_id == uid)
                               .order_by(Notification.id))  # fmt: skip
    return [(k.value, t) for k, t in rows]


async def test_a_silenced_alert_is_not_noticed_and_its_resolution_tells_the_author(demo, gql):
    made = await gql(CREATE, {"i": {"comment": "UPF-3 割接", "sources": ["upf-monitor"], "labels": {"upf": "UPF-3"},
                                    "startsAt": "2026-11-28T00:00:00Z", "endsAt": "2026-11-30T00:00:00Z"}},
                     as_user="operator")  # fmt: skip
    assert made["data"]["alertSilenceCreate"]["errors"] == []
    silenced = await fire(demo, "upf:3", SUNDAY_2AM)
    loud = await fire(demo, "upf:4", SUNDAY_2AM.replace(day=27))  # before the silence started: noticed
    assert silenced.silenced_by_id is not None and loud.silenced_by_id is None
    assert [t for _, t in await notices(demo, "operator")] == ["CRITICAL告警：UPF upf:4"]
    async with demo.unit_of_work() as uow:
        await service.resolve(uow, "upf:3", "割接完成", now=SUNDAY_2AM + timedelta(hours=1))
    assert (await notices(demo, "operator"))[-1] == ("ALERT_RESOLVED", "静默期间的告警已恢复：UPF upf:3")
    q = "{ alerts(filter: {statuses: [RESOLVED]}) { edges { node { silenced history { kind } } } } }"
    [edge] = (await gql(q, as_user="operator"))["data"]["alerts"]["edges"]
    assert [h["kind"] for h in edge["node"]["history"]] == ["FIRED", "SILENCED", "RESOLVED"]


async def test_a_weekly_window_silences_inside_it_and_notices_when_it_ends_while_firing(demo):
    window = silences.SilenceSpec(
        comment="每周日凌晨维护", starts_at=SUNDAY_2AM - timedelta(days=7), recurrence="FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=0",
        duration_minutes=120, kinds=[AlertKind.UPF],
    )  # fmt: skip
    async with demo.unit_of_work() as uow:
        made = await silences.create(uow, await actor(demo, "operator"), window, now=SUNDAY_2AM - timedelta(days=7))
    assert silences.holds(made, SUNDAY_2AM + timedelta(minutes=30))
    odd = silences.SilenceSpec(comment="没写分钟", starts_at=SUNDAY_2AM - timedelta(days=6, minutes=23, seconds=12),
                               recurrence="FREQ=WEEKLY;BYDAY=SU;BYHOUR=2", duration_minutes=60, kinds=[AlertKind.UPF])  # fmt: skip
    async with demo.unit_of_work() as uow:
        unround = await silences.create(uow, await actor(demo, "operator"), odd, now=SUNDAY_2AM - timedelta(days=7))
    assert silences.holds(unround, SUNDAY_2AM + timedelta(minutes=5))  # the window starts on the hour, 02:00
    async with demo.unit_of_work() as uow:
        await silences.cancel(uow, await actor(demo, "operator"), unround.id)
    assert not silences.holds(made, SUNDAY_2AM + timedelta(hours=3))
    assert not silences.holds(made, SUNDAY_2AM + timedelta(days=1, minutes=30))  # Monday 02:30
    inside = await fire(demo, "upf:5", SUNDAY_2AM + timedelta(minutes=10))
    outside = await fire(demo, "upf:6", SUNDAY_2AM + timedelta(hours=3), AlertSeverity.MINOR)
    assert inside.silenced_by_id == made.id and outside.silenced_by_id is None
    async with demo.unit_of_work() as uow:  # still inside the window: nothing to notice
        assert await service.silence_tick(uow, SUNDAY_2AM + timedelta(minutes=90)) == {"expired": 0, "unsilenced": 0}
    async with demo.unit_of_work() as uow:  # the window is over and upf:5 still fires
        assert await service.silence_tick(uow, SUNDAY_2AM + timedelta(minutes=121)) == {"expired": 0, "unsilenced": 1}
    assert (await notices(demo, "operator"))[-1] == ("ALERT_FIRED", "静默结束仍在告警：UPF upf:5")
    async with demo.unit_of_work() as uow:
        assert (await service.silence_tick(uow, SUNDAY_2AM + timedelta(minutes=122)))["unsilenced"] == 0  # once


async def test_silence_refusals(demo, gql):
    cases = [
        ({"comment": "", "kinds": ["UPF"], "endsAt": "2026-12-01T00:00:00Z"}, "comment"),
        ({"comment": "全部静默", "endsAt": "2026-12-01T00:00:00Z"}, "kinds"),  # no matcher: would silence everything
        ({"comment": "x", "kinds": ["UPF"]}, "endsAt"),  # a one-off silence needs an end
        ({"comment": "x", "kinds": ["UPF"], "recurrence": "FREQ=SOMETIMES", "durationMinutes": 60}, "recurrence"),
        ({"comment": "x", "kinds": ["UPF"], "recurrence": "FREQ=SECONDLY", "durationMinutes": 1}, "recurrence"),
        (
            {"comment": "x", "kinds": ["UPF"], "recurrence": "DTSTART:20261101T000000Z\nRRULE:FREQ=DAILY", "durationMinutes": 60},
            "recurrence",
        ),
        ({"comment": "x", "kinds": ["UPF"], "recurrence": "FREQ=DAILY", "durationMinutes": 0}, "durationMinutes"),
    ]
    for values, field in cases:
        refused = (await gql(CREATE, {"i": values}, as_user="operator"))["data"]["alertSilenceCreate"]
        assert refused["errors"][0]["field"] == field, (values, refused)
    denied = await gql(CREATE, {"i": cases[0][0]}, as_user="pd_admin")
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await gql("{ alertSilences(activeOnly: false) { id } }", as_user="operator"))["data"]["alertSilences"] == []
    made = await gql(CREATE, {"i": {"comment": "全市UPF割接", "kinds": ["UPF"], "endsAt": "2027-01-01T00:00:00Z"}},
                     as_user="operator")  # fmt: skip
    assert made["data"]["alertSilenceCreate"]["errors"] == []
    assert len((await gql("{ alertSilences { id } }", as_user="operator"))["data"]["alertSilences"]) == 1
    assert (await gql("{ alertSilences { id } }", as_user="pd_admin"))["data"]["alertSilences"] == []  # not their unit's


async def test_cancelling_a_silence_notices_what_it_held(demo, gql):
    made = await gql(CREATE, {"i": {"comment": "排查中", "kinds": ["UPF"], "startsAt": "2026-11-28T00:00:00Z",
                                    "endsAt": "2026-12-28T00:00:00Z"}}, as_user="operator")  # fmt: skip
    gid = made["data"]["alertSilenceCreate"]["silence"]["id"]
    held = await fire(demo, "upf:7", SUNDAY_2AM)
    assert held.silenced_by_id is not None
    cancel = "mutation($id: ID!) { alertSilenceCancel(id: $id) { silence { status } errors { code } } }"
    assert (await gql(cancel, {"id": gid}, as_user="operator"))["data"]["alertSilenceCancel"]["silence"] == {
        "status": "CANCELLED"
    }
    assert (await gql(cancel, {"id": gid}, as_user="operator"))["data"]["alertSilenceCancel"]["errors"] == [
        {"code": "INVALID_TRANSITION"}]  # fmt: skip
    async with demo.unit_of_work() as uow:
        assert (await service.silence_tick(uow, SUNDAY_2AM + timedelta(minutes=1)))["unsilenced"] == 1
    assert (await notices(demo, "operator"))[-1] == ("ALERT_FIRED", "静默结束仍在告警：UPF upf:7")


async def test_a_time_without_its_zone_is_refused_with_a_clear_message(demo, gql):
    answer = await gql(CREATE, {"i": {"comment": "x", "kinds": ["UPF"], "endsAt": "2026-12-01T00:00:00"}}, as_user="operator")
    assert "Give the time zone" in answer["errors"][0]["message"]
