"""Persisted documents: the operations third parties may run, and Apollo's automatic persisted queries.

Trusted documents live in the repository as `operations/*.graphql`, one named operation per file,
registered by the SHA-256 of the file's text, so what runs is exactly what was reviewed. An API client
sends only the id (`documentId`, `id`, or `extensions.persistedQuery.sha256Hash`) and variables.

First-party clients may also use automatic persisted queries (Apollo's protocol): they send the hash
first and the text only on a miss. Those texts are cached by hash (in Redis when there is one, so all
replicas share them; in memory otherwise) and carry no trust: they are ordinary documents, validated
and cost-checked like any other.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from graphql import OperationDefinitionNode, parse

from core.settings import ROOT

OPERATIONS_DIR = ROOT / "operations"


@dataclass(frozen=True, slots=True)
class PersistedDocument:
    id: str  # sha256 hex of the file's text
    name: str  # the operation's name, what allow-lists hold
    kind: str  # query, mutation or subscription
    text: str
    path: str


class PersistedDocumentError(ValueError):
    pass


def document_id(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class PersistedDocuments:
    """The registry of trusted documents, loaded once per process from a folder."""

    def __init__(self, folder: Path = OPERATIONS_DIR) -> None:
        self.by_id: dict[str, PersistedDocument] = {}
        self.by_name: dict[str, PersistedDocument] = {}
        for path in sorted(folder.glob("*.graphql")) if folder.exists() else []:
            text = path.read_text(encoding="utf-8")
            operations = [d for d in parse(text).definitions if isinstance(d, OperationDefinitionNode)]
            if len(operations) != 1 or operations[0].name is None:
                raise PersistedDocumentError(f"{path.name}: a persisted document holds exactly one named operation")
            name = operations[0].name.value
            if name in self.by_name:
                raise PersistedDocumentError(f"{path.name}: operation {name} is already defined in {self.by_name[name].path}")
            doc = PersistedDocument(document_id(text), name, operations[0].operation.value, text, path.name)
            self.by_id[doc.id] = doc
            self.by_name[name] = doc

    def get(self, raw_id: str) -> PersistedDocument | None:
        """By `sha256:<hex>` or bare hex."""
        return self.by_id.get(raw_id.removeprefix("sha256:").lower())


class ApqCache:
    """Hash -> query text for automatic persisted queries: a bounded in-process LRU in front of Redis."""

    def __init__(self, redis_url: str | None, size: int = 5000, ttl_seconds: int = 7 * 24 * 3600) -> None:
        self._local: OrderedDict[str, str] = OrderedDict()
        self._size = size
        self._ttl = ttl_seconds
        self._redis = None
        if redis_url:
            from redis.asyncio import Redis

            self._redis = Redis.from_url(redis_url)

    def _remember(self, key: str, text: str) -> None:
        self._local[key] = text
        self._local.move_to_end(key)
        if len(self._local) > self._size:
            self._local.popitem(last=False)

    async def get(self, sha256: str) -> str | None:
        text = self._local.get(sha256)
        if text is None and self._redis is not None:
            raw = await self._redis.get(f"govops:apq:{sha256}")
            text = raw.decode() if raw is not None else None
        if text is not None:
            self._remember(sha256, text)
        return text

    async def put(self, sha256: str, text: str) -> None:
        self._remember(sha256, text)
        if self._redis is not None:
            await self._redis.set(f"govops:apq:{sha256}", text, ex=self._ttl)

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()
