"""The metric feed every platform that measures resources offers: its wire contract and GovOps's reader.

    GET <path>?after=<id>&limit=<n>   {"samples": [...], "next": <id>|null, "more": bool}

Samples with an id above `after` (absent: from the first), oldest first, at most `limit` (1..500, default 100). A
sample is {"id", "metric", "resourceType", "resourceKey", "unitCode" (null when no unit's), "labels", "value",
"at"}: the value of the 5 minutes from `at`. Ids only grow and are never reused; `next` is the id of the page's
last sample, or `after` again when there is none. A consumer stores `next` in the transaction that stores the
samples and passes it as `after` next time: a crash before the commit re-reads the page, and the ids (and the
store's uniqueness per series and instant) keep anything from being taken twice.

The reader checks the structure of a page (a page that could make the consumer take a sample twice or skip one is
UNEXPECTED_ANSWER); what a sample says (metric names, resource types, times) is the metric store's to judge, one
sample at a time, so a single odd sample does not stop the feed. The wireless and secure access support platforms
serve it at /metrics and /resource-stats (their `metrics` modules)."""

from __future__ import annotations

import itertools
from typing import Annotated, Any, ClassVar, NoReturn, Self
from urllib.parse import urlencode

from pydantic import AwareDatetime, ConfigDict, NonNegativeInt, PositiveInt, StringConstraints, ValidationError, model_validator

from domain.workorders.ports import PlatformRejected
from integrations.base.client import PlatformClient
from integrations.base.wire import Wire, explain

PAGE_DEFAULT, PAGE_MAX = 100, 500  # samples in one page

Name = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Label = Annotated[str, StringConstraints(max_length=200)]


class Answer(Wire):
    """A camelCase JSON object GovOps reads; fields it does not know are ignored (the platform may add some)."""

    model_config = ConfigDict(extra="ignore")


class FeedSample(Answer):
    """One measured value: a metric of a resource (of a unit, when `unitCode` says so) for the 5 minutes from `at`."""

    id: PositiveInt
    metric: Name
    resource_type: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    resource_key: Name
    unit_code: Annotated[str, StringConstraints(min_length=1, max_length=32)] | None = None
    labels: dict[Annotated[str, StringConstraints(min_length=1, max_length=64)], Label] = {}
    value: float
    at: AwareDatetime


class FeedPage(Answer):
    """One page: samples in ascending id order, and `next`, the cursor to store once they are taken."""

    samples: list[FeedSample]
    next: NonNegativeInt | None = None
    more: bool = False  # samples past this page were already there when it was read

    @model_validator(mode="after")
    def _in_order(self) -> Self:
        ids = [s.id for s in self.samples]
        if any(a >= b for a, b in itertools.pairwise(ids)):
            raise ValueError("samples are not in ascending id order")
        if ids and (self.next is None or self.next < ids[-1]):
            raise ValueError("next is before the last sample of the page")
        if self.more and not ids:
            raise ValueError("more samples are promised after an empty page")
        return self


class SampleFeedClient:
    """Reads a platform's metric feed through its recorded PlatformClient; a platform's module names the path."""

    path: ClassVar[str]
    operation: ClassVar[str]  # the name in the interface log

    def __init__(self, client: PlatformClient) -> None:
        self.client = client
        self.platform = client.platform

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self.client.close()

    async def samples(self, after: int | None, limit: int = PAGE_DEFAULT) -> FeedPage:
        """The samples after the cursor `after` (None: from the first), at most `limit`, oldest first; store `next`
        once they are taken. PlatformUnavailable / PlatformRejected (UNEXPECTED_ANSWER: a page that could make the
        consumer take a sample twice or skip one)."""
        query = {"limit": limit} | ({} if after is None else {"after": after})
        path = f"{self.path}?{urlencode(query)}"
        answer = await self.client.call(self.operation, path, None, idempotency_key=None, method="GET")
        page = self._parse(answer)
        if after is not None and page.samples and page.samples[0].id <= after:
            self._breach(f"sample {page.samples[0].id} is not after the cursor {after}")
        if len(page.samples) > limit:
            self._breach(f"{len(page.samples)} samples, more than the {limit} asked for")
        if after is not None and page.next is not None and page.next < after:
            self._breach(f"next {page.next} goes back before the cursor {after}")
        return page if page.next is not None or after is None else page.model_copy(update={"next": after})

    def _parse(self, answer: dict[str, Any]) -> FeedPage:
        try:
            return FeedPage.model_validate(answer)
        except ValidationError as error:
            self._breach(explain(error))

    def _breach(self, why: str) -> NoReturn:
        raise PlatformRejected(f"{self.platform} {self.operation}: unexpected answer ({why})", "UNEXPECTED_ANSWER") from None
