"""Relay connections: `<Type>Connection { edges { cursor node } pageInfo totalCount }`."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

import strawberry

from core.db.pagination import Count, Page, encode_cursor

T = TypeVar("T")


@strawberry.type(description="Where this page sits in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="True when more items follow this page.")
    has_previous_page: bool = strawberry.field(description="True when this page started after a cursor.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item on this page.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last item; pass it as `after`.")


@strawberry.type(description="One item of a list and its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Opaque position of this item; pass it as `after`.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list, keyset-paginated (`first` at most 100).")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of this page, in order.")
    page_info: PageInfo = strawberry.field(description="Paging state.")
    total_count: int = strawberry.field(description="Number of items in the whole filtered list (counted only when asked).")
    total_count_is_estimate: bool = strawberry.field(
        description="True when totalCount is PostgreSQL's estimate rather than a count: the work order, alert and SIM "
        "card lists count exactly up to 10,000 items and estimate beyond (counting half a million rows would cost "
        "more than the page)."
    )


class _EdgeValue:
    __slots__ = ("key", "node")

    def __init__(self, key: tuple[Any, ...], node: Any) -> None:
        self.key = key
        self.node = node

    @property
    def cursor(self) -> str:
        return encode_cursor(self.key)


class _PageInfoValue:
    __slots__ = ("end_cursor", "has_next_page", "has_previous_page", "start_cursor")

    def __init__(self, page: Page[Any]) -> None:
        self.has_next_page = page.has_next_page
        self.has_previous_page = page.has_previous_page
        self.start_cursor = encode_cursor(page.keys[0]) if page.keys else None
        self.end_cursor = encode_cursor(page.keys[-1]) if page.keys else None


class ConnectionValue:
    """What a list resolver returns: plain slotted objects, no strawberry instances to build."""

    __slots__ = ("edges", "page_info", "total_count", "total_count_is_estimate")

    def __init__(self, page: Page[Any], total_count: int | Count | None) -> None:
        self.edges = [_EdgeValue(k, n) for k, n in zip(page.keys, page.items, strict=True)]
        self.page_info = _PageInfoValue(page)
        if isinstance(total_count, Count):
            self.total_count, self.total_count_is_estimate = total_count.value, total_count.estimated
        else:
            self.total_count, self.total_count_is_estimate = total_count, False


# The arguments every list field takes, described once.
First = Annotated[int, strawberry.argument(description="Page size, 1 to 100.")]
After = Annotated[str | None, strawberry.argument(description="Cursor to start after (from `pageInfo.endCursor`).")]
Filter = strawberry.argument(description="Narrow the list.")
