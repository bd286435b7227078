"""Asset resolvers: thin glue between the contract and domain/assets."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from core.clock import beijing_today
from core.db.pagination import PageRequest
from core.ids import decode_id
from domain.assets import exports as asset_exports
from domain.assets import repository as repo
from domain.assets import service, transfer
from domain.assets.enums import AssetSort, AssetStatus
from domain.assets.errors import AssetErrorCode
from domain.catalog.enums import ServiceDomain
from domain.workorders import attachments
from domain.workorders.errors import WorkOrderError
from resolvers import exports, prefetch
from resolvers.common import INPUT, decode, errors_as, run
from schema.assets import inputs
from schema.assets.types import (
    AssetError,
    AssetModelPayload,
    AssetPayload,
    AssetsImportPayload,
    AssetStatistics,
    ImportProblem,
)
from schema.lookahead import selection
from schema.pagination import ConnectionValue
from schema.statistics import KeyCount

VIEW = "assets.view_assets"
MANAGE = "assets.manage_assets"


def _opt(value: Any, type_name: str) -> int | None:
    return None if value is None else decode_id(str(value), type_name)


def asset_filter(f: inputs.AssetFilter | None) -> repo.AssetFilter:
    if f is None:
        return repo.AssetFilter()
    return repo.AssetFilter(
        domains=tuple(f.domains or ()), types=tuple(f.types or ()), statuses=tuple(f.statuses or ()),
        unit_id=_opt(f.unit_id, "OrgUnit"), model_id=_opt(f.model_id, "AssetModel"), vendor=f.vendor, serial=f.serial,
        keyword=f.keyword, parent_id=_opt(f.parent_id, "Asset"), end_of_life_before=f.end_of_life_before,
        warranty_before=f.warranty_before,
    )  # fmt: skip


async def assets(info: strawberry.Info, f: inputs.AssetFilter | None, sort: AssetSort, first: int, after: str | None) -> Any:
    actor = info.context.require_actor()
    rf, page_req, sel = asset_filter(f), PageRequest(first, after), selection(info)
    async with info.context.read_session() as s:
        page = await repo.list_assets(s, actor, rf, sort, page_req)
        await prefetch.assets(s, actor, page.items, sel.get("edges", "node"))
        total = await repo.count_assets(s, actor, rf) if "totalCount" in sel else None
    return ConnectionValue(page, total)


async def asset(info: strawberry.Info, id: strawberry.ID) -> Any:
    actor = info.context.require_actor()
    async with info.context.read_session() as s:
        found = await prefetch.fetch_nodes(s, actor, "Asset", [decode_id(str(id), "Asset")], selection(info))
    return next(iter(found.values()), None)


async def asset_models(info: strawberry.Info, vendor: str | None) -> Any:
    async with info.context.read_session() as s:
        return await repo.list_models(s, vendor)


async def statistics(info: strawberry.Info, f: inputs.AssetFilter | None) -> AssetStatistics:
    actor = info.context.require_actor()
    async with info.context.read_session() as s:
        st = await repo.statistics(s, actor, asset_filter(f), beijing_today())
    keys = lambda rows: [KeyCount(key=k, count=n) for k, n in rows]
    return AssetStatistics(
        total=st.total, by_domain=keys(st.by_domain), by_type=keys(st.by_type), by_status=keys(st.by_status),
        by_age=keys(st.by_age), past_end_of_life=st.past_end_of_life, warranty_expired=st.warranty_expired,
    )  # fmt: skip


def _id(value: Any, type_name: str = "Asset", field: str = "id") -> int:
    return decode(value, type_name, field, AssetErrorCode.INVALID_INPUT)


def _fields(i: inputs.AssetInput) -> service.AssetFields:
    return service.AssetFields(
        serial=i.serial, name=i.name, model_id=_id(i.model_id, "AssetModel", "modelId"), domain=ServiceDomain(i.domain.value),
        unit_id=_id(i.unit_id, "OrgUnit", "unitId"), status=AssetStatus(i.status.value), location=i.location,
        commissioned_on=i.commissioned_on, warranty_until=i.warranty_until,
        parent_id=None if i.parent_id is None else _id(i.parent_id, "Asset", "parentId"), software_version=i.software_version,
        management_ip=i.management_ip, notes=i.notes,
    )  # fmt: skip


async def _id_of(made: Any) -> int:
    return int((await made).id)


async def _act(info: strawberry.Info, work: Any) -> AssetPayload:
    """Run `work` (it returns the asset's id) and answer with the asset as the caller selected it."""
    actor = info.context.require_actor()
    asset_id, errors = await run(info, work)
    if errors:
        return AssetPayload(asset=None, errors=errors_as(AssetError, errors))
    async with info.context.read_session() as s:
        found = await prefetch.fetch_nodes(s, actor, "Asset", [asset_id], selection(info).get("asset"))
    return AssetPayload(asset=found.get(asset_id), errors=[])


async def create(info: strawberry.Info, input: Annotated[inputs.AssetInput, INPUT]) -> AssetPayload:
    actor = info.context.require_actor()
    return await _act(info, lambda uow: _id_of(service.create(uow, actor, _fields(input))))


async def update(info: strawberry.Info, input: Annotated[inputs.AssetUpdateInput, INPUT]) -> AssetPayload:
    actor = info.context.require_actor()
    return await _act(info, lambda uow: _id_of(service.update(
        uow, actor, _id(input.id), _fields(input.fields), expected_version=input.expected_version)))  # fmt: skip


async def change_status(info: strawberry.Info, input: Annotated[inputs.AssetStatusInput, INPUT]) -> AssetPayload:
    actor = info.context.require_actor()
    return await _act(info, lambda uow: _id_of(service.change_status(
        uow, actor, _id(input.id), AssetStatus(input.status.value), input.reason,
        expected_version=input.expected_version)))  # fmt: skip


async def upgrade(info: strawberry.Info, input: Annotated[inputs.AssetUpgradeInput, INPUT]) -> AssetPayload:
    actor = info.context.require_actor()

    async def work(uow: Any) -> Any:
        order_id = None if input.work_order_id is None else _id(input.work_order_id, "WorkOrder", "workOrderId")
        done = await service.record_upgrade(uow, actor, _id(input.id), input.to_version, from_version=input.from_version,
                                            order_id=order_id, note=input.note)  # fmt: skip
        return done.asset_id

    return await _act(info, work)


async def inspect(info: strawberry.Info, input: Annotated[inputs.AssetInspectionInput, INPUT]) -> AssetPayload:
    actor = info.context.require_actor()
    try:
        photos = await attachments.uploads(info.context.services.storage, actor, input.photos or [], "photos")
    except WorkOrderError as exc:
        return AssetPayload(asset=None, errors=[AssetError(code=AssetErrorCode.INVALID_INPUT, field=exc.field,
                                                           message=exc.message)])  # fmt: skip
    checklist = [service.CheckItem(c.item, c.passed, c.note) for c in input.checklist]

    async def work(uow: Any) -> Any:
        from domain.assets.enums import InspectionKind

        done = await service.record_inspection(uow, actor, _id(input.id), InspectionKind(input.kind.value), checklist,
                                               note=input.note, photos=photos)  # fmt: skip
        return done.asset_id

    return await _act(info, work)


def _model_fields(i: inputs.AssetModelInput) -> service.ModelFields:
    from domain.assets.enums import AssetType

    return service.ModelFields(vendor=i.vendor, model=i.model, type=AssetType(i.type.value), lifespan_years=i.lifespan_years,
                               hardware=i.hardware, software=i.software, end_of_support=i.end_of_support)  # fmt: skip


async def _model_act(info: strawberry.Info, work: Any) -> AssetModelPayload:
    done, errors = await run(info, work)
    if errors:
        return AssetModelPayload(model=None, errors=errors_as(AssetError, errors))
    async with info.context.read_session() as s:
        found = await repo.models_by_ids(s, [done.id])
    return AssetModelPayload(model=found.get(done.id), errors=[])


async def model_create(info: strawberry.Info, input: Annotated[inputs.AssetModelInput, INPUT]) -> AssetModelPayload:
    actor = info.context.require_actor()
    return await _model_act(info, lambda uow: service.save_model(uow, actor, _model_fields(input)))


async def model_update(info: strawberry.Info, input: Annotated[inputs.AssetModelUpdateInput, INPUT]) -> AssetModelPayload:
    actor = info.context.require_actor()
    return await _model_act(info, lambda uow: service.save_model(
        uow, actor, _model_fields(input.fields), _id(input.id, "AssetModel")))  # fmt: skip


async def import_(info: strawberry.Info, input: Annotated[inputs.AssetsImportInput, INPUT]) -> AssetsImportPayload:
    """All rows or none: every problem is reported by row and column, and any problem imports nothing."""
    actor = info.context.require_actor()
    store = info.context.services.storage

    def refused(code: AssetErrorCode, field: str | None, message: str) -> AssetsImportPayload:
        return AssetsImportPayload(created=0, updated=0, rows=0, problems=[], errors=[AssetError(code=code, field=field,
                                                                                               message=message)])  # fmt: skip

    try:
        [upload] = await attachments.uploads(store, actor, [input.upload], "upload")
    except WorkOrderError as exc:
        return refused(AssetErrorCode.INVALID_INPUT, "upload", exc.message)
    content = await store.read(upload.key)
    report, errors = await run(info, lambda uow: transfer.import_workbook(uow, actor, content, dry_run=input.dry_run))
    if errors:
        return refused(AssetErrorCode(errors[0].code.value), errors[0].field, errors[0].message)
    problems = [ImportProblem(row=p.row, column=p.column, message=p.message) for p in report.problems]
    refusal = [AssetError(code=AssetErrorCode.IMPORT_REFUSED, field="upload",
                          message=f"工作簿有{len(problems)}处问题，未导入任何数据 / {len(problems)} problems: nothing was imported")]  # fmt: skip
    return AssetsImportPayload(created=report.created, updated=report.updated, rows=report.rows, problems=problems,
                               errors=refusal if problems else [])  # fmt: skip


async def export(info: strawberry.Info, f: inputs.AssetFilter | None) -> Any:
    """The filtered assets as .xlsx with the import's columns: at once up to 2,000, else by a job."""
    return await exports.request(info, asset_exports.EXPORTER, asset_exports.to_params(asset_filter(f)))
