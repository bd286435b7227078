"""Asset object types. Sources are domain records; relations come prefetched or via dataloaders."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from core import storage
from domain.assets.records import AssetInspectionRecord, AssetModelRecord, AssetRecord
from schema.alerts.types import Alert
from schema.assets.enums import AssetErrorCode, AssetEventKind, AssetStatus, AssetType, InspectionKind, InspectionResult
from schema.catalog.enums import ServiceDomain
from schema.fastpath import raw, relation
from schema.faults.types import Fault
from schema.identity.types import OrgUnit
from schema.node import Node, register_node
from schema.statistics import KeyCount

Parent = strawberry.Parent[Any]

_model = relation("model", "asset_model", "model_id")
_unit = relation("unit", "org_unit", "unit_id")
_parent = relation("parent", "asset", "parent_id")
_children = relation("children", "asset_children", "id")
_history = relation("events", "asset_events", "id")
_upgrades = relation("upgrades", "asset_upgrades", "id")
_inspections = relation("inspections", "asset_inspections", "id")
_faults = relation("faults", "asset_faults", "id")
_alerts = relation("alerts", "asset_alerts", "id")


@strawberry.type(description="设备型号: a vendor's model in the equipment catalogue.")
class AssetModel(Node):
    vendor: str = strawberry.field(description="厂商.")
    model: str = strawberry.field(description="型号.")
    type: AssetType = strawberry.field(description="What kind of equipment.")  # type: ignore[valid-type]
    hardware: str | None = strawberry.field(description="硬件配置.")
    software: str | None = strawberry.field(description="The software it ships with.")
    lifespan_years: int = strawberry.field(description="使用年限: its service life from commissioning.")
    end_of_support: date | None = strawberry.field(description="The vendor's end of support, if announced.")
    created_at: datetime = strawberry.field(description="Added at.")
    updated_at: datetime = strawberry.field(description="Last change.")

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, AssetModelRecord)


register_node(AssetModelRecord, "AssetModel")


@strawberry.type(description="One entry of an asset's history.")
class AssetEvent:
    kind: AssetEventKind = strawberry.field(description="What happened.")  # type: ignore[valid-type]
    actor_name: str = strawberry.field(description="Who (系统 for the system).")
    at: datetime = strawberry.field(description="When.")
    detail: JSON = strawberry.field(description="Particulars (fields before and after, versions, the reminder).")


@strawberry.type(description="升级记录: one software upgrade.")
class AssetUpgrade:
    from_version: str | None = strawberry.field(description="What it ran before.")
    to_version: str = strawberry.field(description="What it runs since.")
    note: str | None = strawberry.field(description="What was done.")
    actor_name: str = strawberry.field(description="Who recorded it.")
    at: datetime = strawberry.field(description="When.")

    @strawberry.field(description="The work order it was done under, if any (its global id).")
    def work_order_id(self, root: Parent) -> strawberry.ID | None:
        from core.ids import to_global_id

        return None if root.order_id is None else strawberry.ID(to_global_id("WorkOrder", root.order_id))


@strawberry.type(description="One checked item.")
class InspectionItem:
    item: str = strawberry.field(description="What was checked.")
    passed: bool = strawberry.field(description="Whether it passed.")
    note: str | None = strawberry.field(description="What was seen.")


@strawberry.type(description="A photo of an inspection (sealed in the store).")
class InspectionPhoto:
    filename: str = strawberry.field(description="The file's name as uploaded.")
    size: int = strawberry.field(description="Bytes.")
    content_type: str = strawberry.field(description="Its media type.")
    download_url: str = strawberry.field(description="A link signed for you that expires soon.")


def _items(root: AssetInspectionRecord, _info: Any) -> list[InspectionItem]:
    return [InspectionItem(item=c["item"], passed=c["passed"], note=c.get("note")) for c in root.checklist]


def _photo(p: dict[str, Any], info: Any) -> InspectionPhoto:
    ctx = info.context
    token = storage.sign_link(p["key"], filename=p["filename"], expires_in=ctx.settings.download_link_seconds,
                              user_id=ctx.actor.user_id if ctx.actor else None)  # fmt: skip
    return InspectionPhoto(filename=p["filename"], size=p["size"], content_type=p["contentType"], download_url=f"/files/{token}")


def _photos(root: AssetInspectionRecord, info: Any) -> list[InspectionPhoto]:
    # Whoever reads the asset may read its photos: each link is signed for them now and expires soon.
    return [_photo(p, info) for p in root.photos]


@strawberry.type(description="进出场核查: an entry or exit inspection.")
class AssetInspection:
    kind: InspectionKind = strawberry.field(description="Entry or exit.")  # type: ignore[valid-type]
    result: InspectionResult = strawberry.field(description="Passed when every item passed.")  # type: ignore[valid-type]
    note: str | None = strawberry.field(description="The inspector's note.")
    inspector_name: str = strawberry.field(description="Who inspected.")
    at: datetime = strawberry.field(description="When.")

    @strawberry.field(description="The checklist as walked.")
    @raw(_items)
    def checklist(self, root: Parent, info: strawberry.Info) -> list[InspectionItem]:
        return _items(root, info)

    @strawberry.field(description="Its photos.")
    @raw(_photos)
    def photos(self, root: Parent, info: strawberry.Info) -> list[InspectionPhoto]:
        return _photos(root, info)


@strawberry.type(description="资产: a piece of equipment in the field, with its lifecycle.")
class Asset(Node):
    serial: str = strawberry.field(description="序列号.")
    name: str = strawberry.field(description="资产名称.")
    domain: ServiceDomain = strawberry.field(description="The service it serves.")  # type: ignore[valid-type]
    location: str | None = strawberry.field(description="Where it is installed.")
    status: AssetStatus = strawberry.field(description="Where it stands.")  # type: ignore[valid-type]
    commissioned_on: date | None = strawberry.field(description="投运日期.")
    warranty_until: date | None = strawberry.field(description="保修截止.")
    end_of_life: date | None = strawberry.field(
        description="The earlier of commissioning plus the model's service life and the vendor's end of support."
    )
    software_version: str | None = strawberry.field(description="The software it runs.")
    management_ip: str | None = strawberry.field(description="Its management address.")
    notes: str | None = strawberry.field(description="备注.")
    created_at: datetime = strawberry.field(description="Registered at.")
    updated_at: datetime = strawberry.field(description="Last change.")
    version: int = strawberry.field(description="Changes with every edit (pass it as expectedVersion).")

    @strawberry.field(description="Its model.")
    @raw(_model)
    def model(self, root: Parent, info: strawberry.Info) -> AssetModel | None:
        return _model(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="The unit that uses or holds it.")
    @raw(_unit)
    def unit(self, root: Parent, info: strawberry.Info) -> OrgUnit | None:
        return _unit(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="The asset it is installed in, if any.")
    @raw(_parent)
    def parent(self, root: Parent, info: strawberry.Info) -> Asset | None:
        return _parent(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="The components installed in it.")
    @raw(_children)
    def children(self, root: Parent, info: strawberry.Info) -> list[Asset]:
        return _children(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="Its history, oldest first.")
    @raw(_history)
    def history(self, root: Parent, info: strawberry.Info) -> list[AssetEvent]:
        return _history(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="Its software upgrades, oldest first.")
    @raw(_upgrades)
    def upgrades(self, root: Parent, info: strawberry.Info) -> list[AssetUpgrade]:
        return _upgrades(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="Its entry and exit inspections, oldest first.")
    @raw(_inspections)
    def inspections(self, root: Parent, info: strawberry.Info) -> list[AssetInspection]:
        return _inspections(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="故障监控: the faults reported on it, newest first (those in your data scope).")
    @raw(_faults)
    def faults(self, root: Parent, info: strawberry.Info) -> list[Fault]:
        return _faults(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="The alerts on it that still fire (lifecycle reminders among them).")
    @raw(_alerts)
    def alerts(self, root: Parent, info: strawberry.Info) -> list[Alert]:
        return _alerts(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="MTBF: hours in service per resolved fault since commissioning (null with none).")
    def mtbf_hours(self, root: Parent) -> float | None:
        from domain.assets.mtbf import mtbf

        faults = root.faults if isinstance(root.faults, list) else None
        return None if faults is None else mtbf(root.commissioned_on, faults)

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, AssetRecord)


register_node(AssetRecord, "Asset")


@strawberry.type(description="Why an asset request was refused; nothing was changed.")
class AssetError:
    code: AssetErrorCode = strawberry.field(description="Machine-readable reason.")  # type: ignore[valid-type]
    field: str | None = strawberry.field(description="Input field at fault, if one is.")
    message: str = strawberry.field(description="Message for people, Chinese / English.")


@strawberry.type(description="Result of an asset change.")
class AssetPayload:
    asset: Asset | None = strawberry.field(description="The asset after the change.")
    errors: list[AssetError] = strawberry.field(description="Why it was refused; empty on success.")


@strawberry.type(description="Result of a catalogue change.")
class AssetModelPayload:
    model: AssetModel | None = strawberry.field(description="The model after the change.")
    errors: list[AssetError] = strawberry.field(description="Why it was refused; empty on success.")


@strawberry.type(description="One problem in an imported workbook.")
class ImportProblem:
    row: int = strawberry.field(description="The sheet row (1 is the header).")
    column: str = strawberry.field(description="The column's header.")
    message: str = strawberry.field(description="What is wrong, Chinese / English.")


@strawberry.type(description="Result of an asset import: all rows or none.")
class AssetsImportPayload:
    created: int = strawberry.field(description="Assets created (0 when refused or a dry run).")
    updated: int = strawberry.field(description="Assets updated, found by serial (0 when refused or a dry run).")
    rows: int = strawberry.field(description="Data rows read.")
    problems: list[ImportProblem] = strawberry.field(description="Every problem found; any problem imports nothing.")
    errors: list[AssetError] = strawberry.field(description="Why it was refused as a whole (IMPORT_REFUSED, INVALID_INPUT).")


@strawberry.type(description="Asset statistics within your data scope and the filter.")
class AssetStatistics:
    total: int = strawberry.field(description="Assets.")
    by_domain: list[KeyCount] = strawberry.field(description="By service.")
    by_type: list[KeyCount] = strawberry.field(description="By type.")
    by_status: list[KeyCount] = strawberry.field(description="By status.")
    by_age: list[KeyCount] = strawberry.field(description="By years in service: 0-3, 3-5, 5-8, 8+ ('-': not commissioned).")
    past_end_of_life: int = strawberry.field(description="Not retired and past their end of life.")
    warranty_expired: int = strawberry.field(description="Not retired and out of warranty.")
