"""Verified bearer tokens, kept a few seconds per process.

Authenticating a request reads the token's owner, unit and grants and checks their MACs: one statement and a
few HMACs, more than a list screen's own read once that is compiled. A token verified less than `seconds` ago
is taken as it was then. What would change the answer ends the entry at once on every replica through the bus
(server.py follows the channels): a revoked token (logout, revocation, a disabled user or unit, a move to another
unit: TOKEN_REVOKED_CHANNEL), a user's new grants (GRANTS_CHANNEL) and a role's new permissions (ROLE_CHANNEL).
A message lost on the way leaves an entry at most `seconds` old. The token's own expiry is checked on every hit.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import replace
from datetime import datetime

from domain.identity.actor import Actor

GRANTS_CHANNEL = "identity.grants_changed"


class AuthCache:
    def __init__(self, seconds: float, size: int = 20_000) -> None:
        self.seconds = seconds
        self._size = size
        self._entries: OrderedDict[str, tuple[float, Actor]] = OrderedDict()

    def get(self, key: str, now: datetime, client_ip: str | None) -> Actor | None:
        """The actor verified under this token hash, as this request's (its address), if still fresh and unexpired."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        until, actor = entry
        if until < time.monotonic() or (actor.token_expires_at is not None and actor.token_expires_at <= now):
            self._entries.pop(key, None)
            return None
        return actor if actor.client_ip == client_ip else replace(actor, client_ip=client_ip)

    def put(self, key: str, actor: Actor) -> None:
        if self.seconds <= 0:
            return
        self._entries[key] = (time.monotonic() + self.seconds, actor)
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def forget_token(self, token_id: int) -> None:
        for key in [k for k, (_u, a) in self._entries.items() if a.token_id == token_id]:
            del self._entries[key]

    def forget_user(self, user_id: int) -> None:
        for key in [k for k, (_u, a) in self._entries.items() if a.user_id == user_id]:
            del self._entries[key]

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
