"""Field guards: every root field but `login` needs a login; most also need a permission."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.permission import BasePermission

from core.errors import Forbidden, Unauthenticated


class IsAuthenticated(BasePermission):
    message = Unauthenticated().message
    error_extensions = {"code": "UNAUTHENTICATED"}

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return info.context.actor is not None


_CACHE: dict[str, type[BasePermission]] = {}


def can(permission: str) -> type[BasePermission]:
    """A permission class for one permission code (cached, so each code has one class)."""
    if permission not in _CACHE:

        class HasPermission(BasePermission):
            code = permission
            message = Forbidden(f"权限不足 / Permission denied: {permission}").message
            error_extensions = {"code": "FORBIDDEN"}

            def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
                actor = info.context.actor
                return actor is not None and permission in actor.permissions

        HasPermission.__name__ = f"Can_{permission.replace('.', '_')}"
        _CACHE[permission] = HasPermission
    return _CACHE[permission]


def guard(permission: str | None = None) -> list[type[BasePermission]]:
    """permission_classes for a root field: always a login, and the permission if one is named."""
    return [IsAuthenticated] if permission is None else [IsAuthenticated, can(permission)]
