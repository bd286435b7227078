"""Counts that every area's statistics and overviews return: by key, by unit, by kind and status, by period."""

from __future__ import annotations

import strawberry


@strawberry.type(description="A count under a key (a status, a carrier, a domain).")
class KeyCount:
    key: str = strawberry.field(description="The key (an enum value).")
    count: int = strawberry.field(description="How many.")


@strawberry.type(description="Records of one unit (cards, accounts, faults: see the field that lists it).")
class UnitCount:
    unit_id: strawberry.ID = strawberry.field(description="The unit (an OrgUnit id).")
    unit_name: str = strawberry.field(description="Its name.")
    count: int = strawberry.field(description="How many.")


@strawberry.type(description="Work orders of one kind in one status, submitted in the period.")
class KindStatusCount:
    kind: str = strawberry.field(description="Kind code.")
    status: str = strawberry.field(description="Status.")
    count: int = strawberry.field(description="How many.")


@strawberry.type(description="Work orders of one kind and status submitted in one period bucket.")
class PeriodCount:
    period: str = strawberry.field(
        description="The bucket: 2026-11-28 (day), 2026-W48 (ISO week) or 2026-11 (month), Beijing time."
    )
    kind: str = strawberry.field(description="Kind code.")
    status: str = strawberry.field(description="Status.")
    count: int = strawberry.field(description="How many.")


@strawberry.type(description="Records counted in one period bucket.")
class PeriodTotal:
    period: str = strawberry.field(
        description="The bucket: 2026-11-28 (day), 2026-W48 (ISO week) or 2026-11 (month), Beijing time."
    )
    count: int = strawberry.field(description="How many.")
