"""Secure access inputs. Shapes are checked here; formats and scope by the domain."""

from __future__ import annotations

import strawberry

from schema.secure_access.enums import SecureAccessAccountStatus


@strawberry.input(description="Narrow an account list. Every condition must hold.")
class SecureAccessAccountFilter:
    unit_id: strawberry.ID | None = strawberry.field(default=None, description="Only this unit's accounts.")
    statuses: list[SecureAccessAccountStatus] | None = strawberry.field(default=None, description="Only these statuses.")  # type: ignore[valid-type]
    system: str | None = strawberry.field(default=None, description="Only accounts that may reach this system (its code).")
    mac: str | None = strawberry.field(default=None, description="Only the account bound to this MAC address (any case, : or -).")
    holder_name: str | None = strawberry.field(default=None, description="Holders whose name starts with this.")
    holder_id_number: str | None = strawberry.field(
        default=None, description="Exactly this holder ID number (found through its blind index; never stored in clear)."
    )
    account_name: str | None = strawberry.field(default=None, description="Exactly this account name.")
    expiring_within_days: int | None = strawberry.field(
        default=None, description="Live accounts whose validity ends within this many days from today (Beijing), 0-366."
    )


@strawberry.input(
    description="Correct an account's holder details (the management unit); omitted fields stay. Validity and the MAC "
    "limit are the platform's too: they change by work order."
)
class SecureAccessAccountUpdateInput:
    id: strawberry.ID = strawberry.field(description="The account.")
    expected_version: int | None = strawberry.field(
        default=None, description="The version you read; the edit is refused as STALE_STATE if it moved on."
    )
    holder_name: str | None = strawberry.field(default=None, description="The holder's name, 1-64 characters.")
    holder_phone: str | None = strawberry.field(default=None, description="The holder's mobile number.")
