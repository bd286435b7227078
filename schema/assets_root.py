"""The asset fields of Query and Mutation; schema.root's classes inherit them (root.py stays readable)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers import assets as ra
from schema.assets import enums, inputs, types
from schema.exports.types import ExportPayload
from schema.pagination import After, Connection, Filter, First
from schema.permissions import guard


@strawberry.type
class AssetQuery:
    @strawberry.field(permission_classes=guard(ra.VIEW), description="资产台账: the assets in your data scope.")
    async def assets(
        self, info: strawberry.Info,
        filter: Annotated[inputs.AssetFilter | None, Filter] = None,
        sort: Annotated[enums.AssetSort, strawberry.argument(description="Order of the list.")] = enums.AssetSort.SERIAL_ASC,  # type: ignore[valid-type]
        first: First = 20, after: After = None,
    ) -> Connection[types.Asset]:  # fmt: skip
        return await ra.assets(info, filter, sort, first, after)  # type: ignore[no-any-return]

    @strawberry.field(
        permission_classes=guard(ra.VIEW),
        description="One asset with its model, components, history, upgrades, inspections, faults and alerts.",
    )
    async def asset(
        self, info: strawberry.Info, id: Annotated[strawberry.ID, strawberry.argument(description="Its global id.")]
    ) -> types.Asset | None:
        return await ra.asset(info, id)  # type: ignore[no-any-return]

    @strawberry.field(permission_classes=guard(ra.VIEW), description="设备型号目录: the equipment catalogue.")
    async def asset_models(
        self, info: strawberry.Info,
        vendor: Annotated[str | None, strawberry.argument(description="Only this vendor's models.")] = None,
    ) -> list[types.AssetModel]:  # fmt: skip
        return await ra.asset_models(info, vendor)  # type: ignore[no-any-return]

    @strawberry.field(
        permission_classes=guard(ra.VIEW),
        description="资产统计: assets by service, type, years in service and status, with those past their end of life.",
    )
    async def asset_statistics(
        self, info: strawberry.Info, filter: Annotated[inputs.AssetFilter | None, Filter] = None
    ) -> types.AssetStatistics:
        return await ra.statistics(info, filter)


@strawberry.type
class AssetMutation:
    asset_create: types.AssetPayload = strawberry.mutation(
        resolver=ra.create, permission_classes=guard(ra.MANAGE), description="Register an asset (audited)."
    )  # type: ignore[assignment]
    asset_update: types.AssetPayload = strawberry.mutation(
        resolver=ra.update,
        permission_classes=guard(ra.MANAGE),
        description="Edit an asset (audited); moving its dates restarts its reminders, retiring it ends them.",
    )  # type: ignore[assignment]
    asset_status_change: types.AssetPayload = strawberry.mutation(
        resolver=ra.change_status,
        permission_classes=guard(ra.MANAGE),
        description="Move an asset along its lifecycle: in stock, in service, under repair, retired (audited).",
    )  # type: ignore[assignment]
    asset_upgrade_record: types.AssetPayload = strawberry.mutation(
        resolver=ra.upgrade,
        permission_classes=guard(ra.MANAGE),
        description="升级记录: record a software upgrade (from, to, by whom, under which work order).",
    )  # type: ignore[assignment]
    asset_inspection_record: types.AssetPayload = strawberry.mutation(
        resolver=ra.inspect,
        permission_classes=guard(ra.MANAGE),
        description="进出场核查: record an entry or exit inspection with its checklist and photos.",
    )  # type: ignore[assignment]
    asset_model_create: types.AssetModelPayload = strawberry.mutation(
        resolver=ra.model_create, permission_classes=guard(ra.MANAGE), description="Add a model to the equipment catalogue."
    )  # type: ignore[assignment]
    asset_model_update: types.AssetModelPayload = strawberry.mutation(
        resolver=ra.model_update,
        permission_classes=guard(ra.MANAGE),
        description="Correct a catalogue model; its assets' end of life follows (and their reminders restart).",
    )  # type: ignore[assignment]
    assets_import: types.AssetsImportPayload = strawberry.mutation(
        resolver=ra.import_,
        permission_classes=guard(ra.MANAGE),
        description="Import assets from an .xlsx workbook with the export's columns: new serials are created, known ones "
        "updated. Every problem is reported by row and column, and any problem imports nothing.",
    )  # type: ignore[assignment]

    @strawberry.mutation(
        permission_classes=guard(ra.VIEW),
        description="The filtered assets as .xlsx (资产台账) with the import's columns: at once up to 2,000, else by a job.",
    )
    async def assets_export(
        self, info: strawberry.Info, filter: Annotated[inputs.AssetFilter | None, Filter] = None
    ) -> ExportPayload:
        return await ra.export(info, filter)  # type: ignore[no-any-return]
