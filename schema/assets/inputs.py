"""Asset inputs. Shapes are checked here; formats, references and scope by the domain."""

from __future__ import annotations

from datetime import date

import strawberry

from schema.assets.enums import AssetStatus, AssetType, InspectionKind
from schema.catalog.enums import ServiceDomain


@strawberry.input(description="Narrow an asset list or its statistics. Every condition must hold.")
class AssetFilter:
    domains: list[ServiceDomain] | None = strawberry.field(default=None, description="Only these services.")  # type: ignore[valid-type]
    types: list[AssetType] | None = strawberry.field(default=None, description="Only these types.")  # type: ignore[valid-type]
    statuses: list[AssetStatus] | None = strawberry.field(default=None, description="Only these statuses.")  # type: ignore[valid-type]
    unit_id: strawberry.ID | None = strawberry.field(default=None, description="Only this unit's assets.")
    model_id: strawberry.ID | None = strawberry.field(default=None, description="Only this model.")
    vendor: str | None = strawberry.field(default=None, description="Only this vendor's models.")
    serial: str | None = strawberry.field(default=None, description="Exactly this serial (any case).")
    keyword: str | None = strawberry.field(default=None, description="In the name or the location.")
    parent_id: strawberry.ID | None = strawberry.field(default=None, description="Only those installed in this asset.")
    end_of_life_before: date | None = strawberry.field(default=None, description="Reaching their end of life before this day.")
    warranty_before: date | None = strawberry.field(default=None, description="Their warranty ending before this day.")


@strawberry.input(description="An asset's fields (the management unit registers and edits assets).")
class AssetInput:
    serial: str = strawberry.field(
        description="序列号, 3-64 letters, digits or . _ / - (kept in upper case; fixed once registered)."
    )
    name: str = strawberry.field(description="资产名称, 1-100 characters.")
    model_id: strawberry.ID = strawberry.field(description="Its model in the catalogue.")
    domain: ServiceDomain = strawberry.field(description="The service it serves.")  # type: ignore[valid-type]
    unit_id: strawberry.ID = strawberry.field(description="The unit that uses or holds it.")
    status: AssetStatus = strawberry.field(description="Its status (an edit moves it through the transition table).")  # type: ignore[valid-type]
    location: str | None = strawberry.field(default=None, description="Where it is installed.")
    commissioned_on: date | None = strawberry.field(default=None, description="投运日期 (required in service).")
    warranty_until: date | None = strawberry.field(default=None, description="保修截止.")
    parent_id: strawberry.ID | None = strawberry.field(default=None, description="The asset it is installed in.")
    software_version: str | None = strawberry.field(default=None, description="The software it runs (default: the model's).")
    management_ip: str | None = strawberry.field(default=None, description="Its management address (IPv4 or IPv6).")
    notes: str | None = strawberry.field(default=None, description="备注, at most 2,000 characters.")


@strawberry.input(description="Edit an asset: every field as it should be (the serial stays).")
class AssetUpdateInput:
    id: strawberry.ID = strawberry.field(description="The asset.")
    expected_version: int | None = strawberry.field(default=None, description="The version you read (STALE_STATE if it moved).")
    fields: AssetInput = strawberry.field(description="Its fields.")


@strawberry.input(description="Move an asset along its lifecycle.")
class AssetStatusInput:
    id: strawberry.ID = strawberry.field(description="The asset.")
    status: AssetStatus = strawberry.field(description="The new status.")  # type: ignore[valid-type]
    reason: str | None = strawberry.field(default=None, description="Why (kept in its history).")
    expected_version: int | None = strawberry.field(default=None, description="The version you read (STALE_STATE if it moved).")


@strawberry.input(description="升级记录: the asset now runs another software version.")
class AssetUpgradeInput:
    id: strawberry.ID = strawberry.field(description="The asset.")
    to_version: str = strawberry.field(description="The version it runs now.")
    from_version: str | None = strawberry.field(
        default=None, description="The version it ran (refused as STALE_STATE when that is not what we know)."
    )
    work_order_id: strawberry.ID | None = strawberry.field(default=None, description="The work order the upgrade was done under.")
    note: str | None = strawberry.field(default=None, description="What was done.")


@strawberry.input(description="One checklist item of an inspection.")
class InspectionItemInput:
    item: str = strawberry.field(description="What was checked, 1-200 characters.")
    passed: bool = strawberry.field(description="Whether it passed.")
    note: str | None = strawberry.field(default=None, description="What was seen.")


@strawberry.input(description="进出场核查: record an entry or exit inspection.")
class AssetInspectionInput:
    id: strawberry.ID = strawberry.field(description="The asset.")
    kind: InspectionKind = strawberry.field(description="Entry or exit.")  # type: ignore[valid-type]
    checklist: list[InspectionItemInput] = strawberry.field(description="The items checked (1-100); any failed item fails it.")
    note: str | None = strawberry.field(default=None, description="The inspector's note.")
    photos: list[str] | None = strawberry.field(
        default=None, description="Photos: the `upload` tokens POST /uploads answered (yours, within the hour)."
    )


@strawberry.input(description="A model in the equipment catalogue.")
class AssetModelInput:
    vendor: str = strawberry.field(description="厂商, 1-64 characters.")
    model: str = strawberry.field(description="型号, 1-64 characters (unique per vendor).")
    type: AssetType = strawberry.field(description="What kind of equipment.")  # type: ignore[valid-type]
    lifespan_years: int = strawberry.field(description="使用年限: its service life from commissioning, 1-30 years.")
    hardware: str | None = strawberry.field(default=None, description="硬件配置, at most 500 characters.")
    software: str | None = strawberry.field(default=None, description="The software it ships with.")
    end_of_support: date | None = strawberry.field(default=None, description="The vendor's end of support, if announced.")


@strawberry.input(description="Correct a model in the catalogue (its assets' end of life follows).")
class AssetModelUpdateInput:
    id: strawberry.ID = strawberry.field(description="The model.")
    fields: AssetModelInput = strawberry.field(description="Its fields.")


@strawberry.input(description="Import assets from an .xlsx workbook (the columns of assetsExport).")
class AssetsImportInput:
    upload: str = strawberry.field(description="The `upload` token POST /uploads answered for the workbook.")
    dry_run: bool = strawberry.field(default=False, description="Check only: report the problems, import nothing.")
