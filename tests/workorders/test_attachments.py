"""Attachments: POST /uploads seals the file in the store and answers a token; the token attaches it to an order
(on submit or later); the order lists it with a signed download link. Refusals change nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from core.crypto import sm3_hex
from core.ids import to_global_id
from tests.workorders.test_engine import FORM

PDF = b"%PDF-1.4\n" + "申请说明：新建视频会商点".encode() + b"\n%%EOF\n"
SUBMIT = """mutation($i: WorkOrderSubmitInput!) { workOrderSubmit(input: $i) {
  workOrder { id attachments { filename contentType size sm3 downloadUrl uploadedBy { username } } timeline { kind } }
  errors { code field message } } }"""
ATTACH = """mutation($i: WorkOrderAttachmentAddInput!) { workOrderAttachmentAdd(input: $i) {
  workOrder { attachments { filename } } errors { code field } } }"""


async def upload(
    gql: Any, user: str | None, content: Any = PDF, name: str = "申请说明.pdf", kind: str = "application/pdf"
) -> Any:
    headers = {"Content-Type": kind}
    if user is not None:
        headers["Authorization"] = f"Bearer {await gql.token(user)}"
    return await gql.http.post("/uploads", params={"filename": name}, content=content, headers=headers)


async def test_upload_submit_with_it_and_download_it(wo, gql):
    sent = await upload(gql, "pd_user")
    assert sent.status_code == 201, sent.text
    body = sent.json()
    assert (body["filename"], body["contentType"], body["size"], body["sm3"]) == (
        "申请说明.pdf",
        "application/pdf",
        len(PDF),
        sm3_hex(PDF),
    )
    made = await gql(SUBMIT, {"i": {"kind": "test.single", "form": FORM, "uploads": [body["upload"]]}}, as_user="pd_user")
    payload = made["data"]["workOrderSubmit"]
    assert payload["errors"] == []
    [attached] = payload["workOrder"]["attachments"]
    assert (attached["filename"], attached["size"], attached["sm3"], attached["uploadedBy"]) == (
        "申请说明.pdf",
        len(PDF),
        sm3_hex(PDF),
        {"username": "pd_user"},
    )
    assert [e["kind"] for e in payload["workOrder"]["timeline"]] == ["SUBMITTED", "ATTACHED", "STEP_ENTERED"]
    got = await gql.http.get(attached["downloadUrl"])
    assert (got.status_code, got.content, got.headers["content-type"]) == (200, PDF, "application/pdf")
    again = await gql(ATTACH, {"i": {"id": payload["workOrder"]["id"], "uploads": [body["upload"]]}}, as_user="pd_user")
    assert again["data"]["workOrderAttachmentAdd"]["errors"] == [{"code": "ATTACHMENT_REFUSED", "field": "uploads"}]


async def test_uploads_refused_at_the_door(wo, gql):
    assert (await upload(gql, None)).status_code == 401
    exe = await upload(gql, "pd_user", b"MZ\x90\x00", "setup.exe", "application/x-msdownload")
    assert (exe.status_code, exe.json()["errors"][0]["extensions"]["code"]) == (415, "ATTACHMENT_REFUSED")
    disguised = await upload(gql, "pd_user", PDF, "说明.pdf", "text/html")  # the extension alone is not enough
    assert disguised.status_code == 415
    assert (await upload(gql, "pd_user", b"", "空.pdf")).status_code == 400
    limit = wo.services.settings.attachment_max_bytes

    async def endless() -> AsyncIterator[bytes]:  # no Content-Length: the limit holds while it streams
        for _ in range(limit // 2**20 + 2):
            yield b"\0" * 2**20

    big = await upload(gql, "pd_user", endless())
    assert (big.status_code, big.json()["errors"][0]["extensions"]["code"]) == (413, "ATTACHMENT_REFUSED")
    files = [p for p in wo.services.settings.storage_dir.rglob("*") if p.is_file()]
    assert files == []  # nothing refused reached the store


async def test_who_may_attach_and_with_what(wo, gql):
    oid = await wo.submit("pd_user", "test.sequential", FORM)
    gid = to_global_id("WorkOrder", oid)
    mine = (await upload(gql, "pd_user")).json()["upload"]
    theirs = (await upload(gql, "pd_deputy")).json()["upload"]
    leader = (await upload(gql, "pd_admin", name="审批意见.pdf")).json()["upload"]
    cases = [
        ("pd_user", [theirs], "ATTACHMENT_REFUSED"),  # somebody else's upload
        ("pd_user", ["not-a-token"], "ATTACHMENT_REFUSED"),
        ("pd_deputy", [theirs], "NOT_ASSIGNEE"),  # sees the order, neither applies nor decides
    ]
    for user, uploads, code in cases:
        answer = await gql(ATTACH, {"i": {"id": gid, "uploads": uploads}}, as_user=user)
        assert answer["data"]["workOrderAttachmentAdd"]["errors"][0]["code"] == code, (user, answer)
    ok = await gql(ATTACH, {"i": {"id": gid, "uploads": [mine]}}, as_user="pd_user")
    assert ok["data"]["workOrderAttachmentAdd"]["workOrder"]["attachments"] == [{"filename": "申请说明.pdf"}]
    by_leader = await gql(ATTACH, {"i": {"id": gid, "uploads": [leader]}}, as_user="pd_admin")  # who decides it now
    assert by_leader["data"]["workOrderAttachmentAdd"]["errors"] == []
    await wo.act("pd_user", "withdraw", oid)
    late = (await upload(gql, "pd_user")).json()["upload"]
    closed = await gql(ATTACH, {"i": {"id": gid, "uploads": [late]}}, as_user="pd_user")
    assert closed["data"]["workOrderAttachmentAdd"]["errors"][0]["code"] == "INVALID_TRANSITION"


async def test_uploads_nobody_attached_are_purged_after_a_day(wo, gql):
    from datetime import timedelta

    from core.clock import utcnow
    from domain.workorders.attachments import purge_unattached

    kept = (await upload(gql, "pd_user")).json()["upload"]
    await upload(gql, "pd_user", name="遗留.pdf")
    made = await gql(SUBMIT, {"i": {"kind": "test.single", "form": FORM, "uploads": [kept]}}, as_user="pd_user")
    assert made["data"]["workOrderSubmit"]["errors"] == []
    store = wo.services.storage
    async with wo.services.unit_of_work() as uow:
        assert await purge_unattached(uow, store, utcnow() - timedelta(days=1)) == 0  # both are fresh
        assert await purge_unattached(uow, store, utcnow() + timedelta(seconds=1)) == 1
    assert len(await store.listing("uploads")) == 1
