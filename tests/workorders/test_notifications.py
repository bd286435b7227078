"""Notifications the engine sends: decisions waiting, returns, finished orders, SLA warnings and escalations; the
inbox, marking read, and the live feed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.ids import to_global_id
from domain.identity.models import User
from domain.notifications.models import Notification
from tests.resolvers.identity.test_subscriptions import open_subscription
from tests.workorders.flows import bj
from tests.workorders.test_engine import FORM
from tests.workorders.test_sla_engine import tick

INBOX = """query($u: Boolean) { myNotifications(unreadOnly: $u) { totalCount edges { node { id kind title body targetType targetId readAt } } }
  unreadNotificationCount }"""
MARK = "mutation($ids: [ID!]) { notificationsMarkRead(ids: $ids) { marked unread } }"


async def told(services: Any) -> list[tuple[str, str]]:
    async with services.session_factory() as s:
        rows = await s.execute(select(User.username, Notification.kind).join(User, User.id == Notification.recipient_id)
                               .order_by(Notification.id))  # fmt: skip
        return [(u, k.value) for u, k in rows]


async def test_the_people_of_each_step_are_told(wo):
    oid = await wo.submit("pd_user", "test.sequential", FORM)
    assert await told(wo.services) == [("pd_admin", "TASK_WAITING"), ("pd_admin2", "TASK_WAITING")]
    await wo.act("pd_admin", "approve", oid)
    await wo.act("operator", "return_for_changes", oid, "请补充")
    await wo.act("pd_user", "resubmit", oid, None)
    await wo.act("operator", "approve", oid)
    assert (await told(wo.services))[2:] == [
        ("operator", "TASK_WAITING"), ("pd_user", "ORDER_RETURNED"), ("operator", "TASK_WAITING"), ("pd_user", "ORDER_FINISHED"),
    ]  # fmt: skip
    other = await wo.submit("pd_user", "test.single", FORM)
    await wo.act("pd_user", "withdraw", other)  # the applicant did it: nobody needs telling
    assert (await told(wo.services))[-1] == ("pd_admin2", "TASK_WAITING")


async def test_sla_warnings_go_to_the_deciders_and_escalations_to_the_supervisors(wo):
    await wo.submit("pd_user", "test.sla", {}, now=bj(2026, 10, 8, 9, 0))
    await tick(wo.services, bj(2026, 10, 8, 16, 0))
    await tick(wo.services, bj(2026, 10, 9, 9, 1))
    assert (await told(wo.services))[2:] == [("pd_admin", "SLA_WARNING"), ("pd_admin2", "SLA_WARNING"), ("operator", "ESCALATED")]


async def test_the_inbox_and_marking_read(wo, gql):
    oid = await wo.submit("pd_user", "test.single", FORM)
    await wo.submit("pd_user", "test.single", FORM)
    inbox = (await gql(INBOX, as_user="pd_admin"))["data"]
    assert inbox["unreadNotificationCount"] == 2 and inbox["myNotifications"]["totalCount"] == 2
    newest = inbox["myNotifications"]["edges"][0]["node"]
    oldest = inbox["myNotifications"]["edges"][1]["node"]
    assert (oldest["kind"], oldest["body"], oldest["targetType"], oldest["targetId"]) == (
        "TASK_WAITING",
        "单位领导审批",
        "WorkOrder",
        to_global_id("WorkOrder", oid),
    )
    assert oldest["title"].startswith("待审批：申请3件（GD")
    theirs = (await gql(INBOX, as_user="pd_admin2"))["data"]["myNotifications"]["edges"][0]["node"]["id"]
    marked = (await gql(MARK, {"ids": [newest["id"], theirs, "garbage"]}, as_user="pd_admin"))["data"]["notificationsMarkRead"]
    assert marked == {"marked": 1, "unread": 1}  # another person's notification is not theirs to mark
    unread = (await gql(INBOX, {"u": True}, as_user="pd_admin"))["data"]["myNotifications"]
    assert [e["node"]["id"] for e in unread["edges"]] == [oldest["id"]]
    assert (await gql(MARK, as_user="pd_admin"))["data"]["notificationsMarkRead"] == {"marked": 1, "unread": 0}
    assert (await gql(INBOX, as_user="pd_admin2"))["data"]["unreadNotificationCount"] == 2


async def test_notifications_arrive_live(wo, gql, served):
    ws, sub = await open_subscription(served, await gql.token("pd_admin"), "subscription { notificationReceived { kind title } }")
    try:
        await wo.submit("hp_user", "test.single", FORM)  # not theirs: nothing arrives for it
        await wo.submit("pd_user", "test.single", FORM)
        message = await sub.next()
        assert message["payload"]["data"]["notificationReceived"]["kind"] == "TASK_WAITING"
        assert "（GD" in message["payload"]["data"]["notificationReceived"]["title"]
    finally:
        await ws.close()
