"""The error policy: readable validation and access errors, masked internals with a request id."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from core.db.pagination import InvalidCursor, InvalidPageSize
from core.errors import AccessError
from core.ids import InvalidGlobalId

log = logging.getLogger("govops.graphql")

INTERNAL_MESSAGE = "服务器内部错误，请联系管理员并提供请求编号 / Internal error; quote the request id to support"


def _bad_input(exc: Exception) -> str:
    if isinstance(exc, InvalidGlobalId):
        return f"无效的ID / Invalid id: {exc}"
    if isinstance(exc, InvalidCursor):
        return "无效的分页游标 / Invalid cursor"
    return f"分页参数无效 / {exc}"


def process_error(error: GraphQLError, request_id: str) -> GraphQLError:
    original = error.original_error
    if original is None or (error.extensions and "code" in error.extensions):
        return error  # syntax, validation, limits and permission classes: already readable
    if isinstance(original, AccessError):
        code, message = original.code, original.message
    elif isinstance(original, (InvalidGlobalId, InvalidCursor, InvalidPageSize)):
        code, message = "BAD_USER_INPUT", _bad_input(original)
    elif isinstance(original, GraphQLError):  # a variable's value its type refuses (graphql-core's coercion)
        code, message = "BAD_USER_INPUT", f"参数值无效 / {error.message}"
    else:
        log.error(
            "unexpected error in %s",
            ".".join(map(str, error.path or [])),
            exc_info=(type(original), original, original.__traceback__),
            extra={"request_id": request_id},
        )
        return GraphQLError(
            INTERNAL_MESSAGE, error.nodes, error.source, error.positions, error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        )  # fmt: skip
    return GraphQLError(message, error.nodes, error.source, error.positions, error.path, extensions={"code": code})


async def policed(stream: AsyncIterator[Any], request_id: str) -> AsyncIterator[Any]:
    """The error policy for a subscription's events (the extension sees only the first result)."""
    try:
        async for item in stream:
            yield item
    except GraphQLError:
        raise
    except Exception as exc:
        masked = process_error(GraphQLError(str(exc), original_error=exc), request_id)
        raise GraphQLError(masked.message, extensions=masked.extensions) from None


class ErrorPolicy(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result: Any = self.execution_context.result
        if result is not None and getattr(result, "errors", None):
            request_id = getattr(self.execution_context.context, "request_id", "-")
            result.errors = [process_error(e, request_id) for e in result.errors]
