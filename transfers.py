"""Files in and out over HTTP: `POST /uploads` stores an upload for an attachment, `GET /files/<token>` serves a
stored file behind a signed link. Kept apart from server.py (the wiring) and gateway.py (GraphQL's checks)."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse

import gateway
from core import storage
from core.clock import utcnow
from core.storage import FileStore
from domain.identity import auth

log = logging.getLogger(__name__)

UPLOAD_PREFIX = "uploads"
UPLOAD_LINK_SECONDS = 3600  # an upload must be attached within the hour; unattached ones are purged
_FILE_GONE = "文件不存在或已被删除 / The file no longer exists."
_FILE_BROKEN = "文件校验失败，请联系管理员 / The stored file failed verification; contact the administrator."


def _refuse(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status)


async def download(request: Request, services: Any) -> Response:
    """A file behind a signed link (core.storage.sign_link). The token is the credential, so no login is asked
    for (browsers open these links); a user id in it names who the link was made for, and is logged, but does
    not restrict who may open it before it expires."""
    try:
        grant = storage.verify_link(request.path_params["token"])
    except storage.LinkExpired:
        return PlainTextResponse("下载链接已过期，请重新获取 / This download link has expired; ask for a new one.", 410)
    except storage.LinkInvalid:
        return PlainTextResponse("下载链接无效 / This download link is not valid.", 403)
    log.info("file download", extra={"key": grant.key, "link_user_id": grant.user_id})
    return await _stream_file(services.storage, grant)


async def _stream_file(store: FileStore, grant: storage.LinkGrant) -> Response:
    """Stream a stored object as an attachment. `Cache-Control: no-store` and `X-Content-Type-Options:
    nosniff` come from RequestIdMiddleware, like every answer outside /explorer/."""
    try:
        stored = await store.stat(grant.key)
        if stored is None:
            return PlainTextResponse(_FILE_GONE, 404)
        body = store.open(grant.key)
        first = await anext(body, b"")  # fail before the status line if the object went away since `stat`
    except storage.ObjectNotFound:
        return PlainTextResponse(_FILE_GONE, 404)
    except storage.StorageIntegrityError:
        log.exception("stored file fails verification", extra={"key": grant.key})
        return PlainTextResponse(_FILE_BROKEN, 500)

    async def chunks() -> AsyncIterator[bytes]:
        # Each chunk is verified before it is sent and the last one only after the whole SM3 matched, so a
        # client never receives all Content-Length bytes of a file that does not verify.
        try:
            yield first
            async for chunk in body:
                yield chunk
        except storage.StorageIntegrityError:
            log.exception("stored file fails verification while streaming", extra={"key": grant.key})
            raise

    headers = {"content-disposition": storage.content_disposition(grant.filename), "content-length": str(stored.size)}
    return StreamingResponse(chunks(), media_type=stored.content_type, headers=headers)


async def upload(request: Request, services: Any, client_ip: str | None) -> Response:
    """`POST /uploads?filename=<name>` with the file as the body and its type as Content-Type, and a login token.
    Answers an upload token to pass to a mutation (e.g. workOrderAttachmentAdd); the file is sealed in the store."""
    settings = services.settings
    header = request.headers.get("authorization", "")
    actor = None
    if header[:7].lower() == "bearer ":
        try:
            async with services.read() as conn:
                actor, _ = await auth.authenticate(conn, header[7:].strip(), client_ip=client_ip)
        except auth.IntegrityViolation as violation:
            services.spawn_write(gateway.record_violation(services, violation, client_ip))
            actor = None
    if actor is None:
        return _refuse(401, "UNAUTHENTICATED", "未登录或登录已过期 / Authentication required")
    await gateway.limit(services, "user", str(actor.user_id), settings.rate_limit_user_per_minute)
    filename = (request.query_params.get("filename") or "").strip()
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if not filename or len(filename) > 200:
        return _refuse(
            400,
            "BAD_USER_INPUT",
            "请在 filename 参数中给出文件名（200字以内） / Give the file's name (≤ 200 characters) as ?filename=",
        )
    if not storage.attachment_allowed(filename, content_type, settings.attachment_types):
        return _refuse(
            415,
            "ATTACHMENT_REFUSED",
            f"不允许的文件类型 / File type not allowed: {os.path.splitext(filename)[1] or '?'} {content_type or '?'}",
        )
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > settings.attachment_max_bytes:
        return _too_large(settings.attachment_max_bytes)
    with tempfile.TemporaryDirectory(prefix="govops-upload-") as tmp:
        path = Path(tmp) / "upload"
        size = 0
        with path.open("wb") as out:
            async for chunk in request.stream():
                size += len(chunk)
                if size > settings.attachment_max_bytes:  # a body larger than it said, or without a length
                    return _too_large(settings.attachment_max_bytes)
                out.write(chunk)
        if size == 0:
            return _refuse(400, "BAD_USER_INPUT", "文件为空 / The file is empty")
        key = storage.object_key(UPLOAD_PREFIX, os.path.splitext(filename)[1].lower())
        stored = await services.storage.put_file(key, path, filename=filename, content_type=content_type)
    now = utcnow()
    token = storage.sign_link(
        stored.key, filename=stored.filename, expires_in=UPLOAD_LINK_SECONDS, now=now, user_id=actor.user_id
    )
    return JSONResponse({
        "upload": token, "filename": stored.filename, "contentType": stored.content_type, "size": stored.size,
        "sm3": stored.sm3, "expiresAt": now.timestamp() + UPLOAD_LINK_SECONDS,
    }, status_code=201)  # fmt: skip


def _too_large(limit: int) -> JSONResponse:
    return _refuse(413, "ATTACHMENT_REFUSED", f"文件超过{limit // 2**20} MB / The file is larger than {limit // 2**20} MB")
