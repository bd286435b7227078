"""Work order resolvers: thin glue between the contract and domain/workorders."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Annotated, Any

import strawberry

import domain.flows  # noqa: F401  (registers every area's kinds)
from core.clock import utcnow
from core.db.pagination import PageRequest
from core.errors import Forbidden
from core.ids import decode_id
from domain.workorders import attachments, dispatching, engine, numbering
from domain.workorders import exports as wo_exports
from domain.workorders import repository as repo
from domain.workorders import statistics as wo_statistics
from domain.workorders.enums import DispatchOutcome, WorkOrderSort
from domain.workorders.errors import Code, WorkOrderError, error
from domain.workorders.flow import FLOWS, get_flow, kind_label, step_label
from domain.workorders.ports import DispatchAnswer, DispatchResult
from resolvers import exports, prefetch
from resolvers.common import INPUT, decode, errors_as, run, sub_selection
from schema.lookahead import selection
from schema.pagination import ConnectionValue
from schema.workorders import inputs, payloads, types

VIEW = "workorders.view_work_orders"


def _id(value: Any, type_name: str = "WorkOrder", field: str = "id") -> int:
    return decode(value, type_name, field, Code.INVALID_INPUT)


def _opt_id(value: Any, type_name: str, field: str) -> int | None:
    return None if value is None else _id(value, type_name, field)


def order_filter(f: inputs.WorkOrderFilter | None) -> repo.WorkOrderFilter:
    if f is None:
        return repo.WorkOrderFilter()
    return repo.WorkOrderFilter(
        kinds=tuple(f.kinds or ()), statuses=tuple(f.statuses or ()),
        unit_id=_opt_id(f.unit_id, "OrgUnit", "filter.unitId"), applicant_id=_opt_id(f.applicant_id, "User", "filter.applicantId"),
        assignee_id=_opt_id(f.assignee_id, "User", "filter.assigneeId"), created_from=f.created_from,
        created_to=f.created_to, finished_from=f.finished_from, finished_to=f.finished_to, overdue=f.overdue,
        keyword=f.keyword,
    )  # fmt: skip


# --- queries ----------------------------------------------------------------------------------------


async def work_order(info: strawberry.Info, id: strawberry.ID) -> Any:
    actor = info.context.require_actor()
    async with info.context.read_session() as s:
        found = await prefetch.fetch_nodes(s, actor, "WorkOrder", [decode_id(str(id), "WorkOrder")], selection(info))
    return next(iter(found.values()), None)


async def work_orders(
    info: strawberry.Info, filter: inputs.WorkOrderFilter | None, sort: WorkOrderSort, first: int, after: str | None
) -> ConnectionValue:
    actor = info.context.require_actor()
    rf, page_req, sel, now = order_filter(filter), PageRequest(first, after), selection(info), utcnow()
    async with info.context.read_session() as s:
        page = await repo.list_orders(s, actor, rf, sort, page_req, now)
        await prefetch.work_orders(s, actor, page.items, sel.get("edges", "node"))
        total = await repo.total_orders(s, actor, rf, now) if "totalCount" in sel else None
    return ConnectionValue(page, total)


async def my_tasks(info: strawberry.Info, first: int, after: str | None) -> ConnectionValue:
    actor = info.context.require_actor()
    page_req, sel, now = PageRequest(first, after), selection(info), utcnow()
    async with info.context.read_session() as s:
        page = await repo.list_my_tasks(s, actor, page_req, now)
        await prefetch.work_orders(s, actor, page.items, sel.get("edges", "node"))
        total = await repo.count_my_tasks(s, actor, now) if "totalCount" in sel else None
    return ConnectionValue(page, total)


async def statistics(info: strawberry.Info, filter: inputs.WorkOrderFilter | None) -> types.WorkOrderStatistics:
    actor = info.context.require_actor()
    f = order_filter(filter)

    async def compute() -> types.WorkOrderStatistics:
        at = utcnow()
        async with info.context.read_session() as s:
            st = await wo_statistics.statistics(s, actor, f, at)
        label = kind_label
        return types.WorkOrderStatistics(
            total=st.total, overdue=st.overdue, overdue_rate=st.overdue / st.total if st.total else 0.0,
            by_kind_status=[types.WorkOrderKindStatusCount(kind=k, kind_label=label(k), status=s, count=n)  # type: ignore[arg-type]
                            for k, s, n in st.by_kind_status],
            new_per_month=[types.WorkOrderMonthCount(month=m, count=n) for m, n in st.per_month],
            durations=[
                types.WorkOrderDurationStat(
                    kind=d.kind, kind_label=label(d.kind), step=d.step, step_label=step_label(d.kind, d.step), count=d.count,
                    mean_seconds=round(d.mean, 3), p50_seconds=round(d.p50, 3), p90_seconds=round(d.p90, 3),
                )
                for d in st.durations
            ],
            computed_at=at,
        )  # fmt: skip

    # Twelve months of history move little in a minute: kept five times as long as the overviews' live counts.
    return await info.context.screen("workOrderStatistics", f, compute, factor=5)


async def export(info: strawberry.Info, filter: inputs.WorkOrderFilter | None) -> Any:
    """The filtered list as .xlsx: at once up to 2,000 rows, else by a job whose progress exportProgress follows."""
    return await exports.request(info, wo_exports.EXPORTER, wo_exports.to_params(order_filter(filter)))


def _steps(flow: Any) -> list[types.WorkOrderStepInfo]:
    return [
        types.WorkOrderStepInfo(
            name=s.name, label=s.label, kind=s.kind, sla_hours=s.sla_hours, role_code=s.approvers.role if s.approvers else None
        )
        for s in flow.steps
    ]


def work_order_kinds() -> list[types.WorkOrderKind]:
    flows = sorted(FLOWS.values(), key=lambda f: f.kind)
    return [
        types.WorkOrderKind(
            kind=f.kind,
            label=f.label,
            sla_hours=f.sla_hours,
            around_the_clock=f.around_the_clock,
            form_schema=f.form.model_json_schema(),
            steps=_steps(f),
        )
        for f in flows
    ]


# --- mutations --------------------------------------------------------------------------------------


async def _mutate(info: strawberry.Info, work: Callable[[Any], Awaitable[Any]]) -> payloads.WorkOrderPayload:
    order, errors = await run(info, work)
    if errors:
        return payloads.WorkOrderPayload(work_order=None, errors=errors_as(payloads.WorkOrderError, errors))
    actor = info.context.require_actor()
    async with info.context.read_session() as s:
        found = await prefetch.fetch_nodes(s, actor, "WorkOrder", [order.id], sub_selection(info, "workOrder"))
    return payloads.WorkOrderPayload(work_order=found.get(order.id), errors=[])  # type: ignore[arg-type]


def _refused(exc: Exception) -> payloads.WorkOrderPayload:
    return payloads.WorkOrderPayload(work_order=None, errors=errors_as(payloads.WorkOrderError, [exc]))  # type: ignore[list-item]


async def submit(info: strawberry.Info, input: Annotated[inputs.WorkOrderSubmitInput, INPUT]) -> payloads.WorkOrderPayload:
    actor = info.context.require_actor()
    if get_flow(input.kind) is None:  # before a number is spent on it
        return _refused(error(Code.UNKNOWN_KIND, f"未知的工单类型 / Unknown work order kind {input.kind}", "kind"))
    store = info.context.services.storage
    try:
        files = await attachments.uploads(store, actor, input.uploads or [])
    except WorkOrderError as exc:
        return _refused(exc)
    # The number comes from its own short transaction, before the order's (SQLite has one writer at a time).
    number = await numbering.next_number(info.context.services.engine)
    return await _mutate(info, lambda uow: engine.submit(uow, actor, input.kind, input.form, number=number, title=input.title,
                                                         files=files))  # fmt: skip


async def attachment_add(
    info: strawberry.Info, input: Annotated[inputs.WorkOrderAttachmentAddInput, INPUT]
) -> payloads.WorkOrderPayload:
    actor = info.context.require_actor()
    try:
        files = await attachments.uploads(info.context.services.storage, actor, input.uploads)
    except WorkOrderError as exc:
        return _refused(exc)
    return await _mutate(info, lambda uow: attachments.add(uow, actor, _id(input.id), files))


async def approve(info: strawberry.Info, input: Annotated[inputs.WorkOrderApproveInput, INPUT]) -> payloads.WorkOrderPayload:
    actor = info.context.require_actor()
    return await _mutate(info, lambda uow: engine.approve(uow, actor, _id(input.id), comment=input.comment,
                                                          expected_version=input.expected_version))  # fmt: skip


async def reject(info: strawberry.Info, input: Annotated[inputs.WorkOrderDecisionInput, INPUT]) -> payloads.WorkOrderPayload:
    actor = info.context.require_actor()
    return await _mutate(
        info, lambda uow: engine.reject(uow, actor, _id(input.id), input.reason, expected_version=input.expected_version)
    )


async def return_(info: strawberry.Info, input: Annotated[inputs.WorkOrderDecisionInput, INPUT]) -> payloads.WorkOrderPayload:
    actor = info.context.require_actor()
    return await _mutate(info, lambda uow: engine.return_for_changes(uow, actor, _id(input.id), input.reason,
                                                                     expected_version=input.expected_version))  # fmt: skip


async def resubmit(info: strawberry.Info, input: Annotated[inputs.WorkOrderResubmitInput, INPUT]) -> payloads.WorkOrderPayload:
    actor = info.context.require_actor()
    return await _mutate(info, lambda uow: engine.resubmit(uow, actor, _id(input.id), input.form, comment=input.comment,
                                                           expected_version=input.expected_version))  # fmt: skip


async def withdraw(info: strawberry.Info, input: Annotated[inputs.WorkOrderWithdrawInput, INPUT]) -> payloads.WorkOrderPayload:
    actor = info.context.require_actor()
    return await _mutate(
        info, lambda uow: engine.withdraw(uow, actor, _id(input.id), input.reason, expected_version=input.expected_version)
    )


async def comment(info: strawberry.Info, input: Annotated[inputs.WorkOrderCommentInput, INPUT]) -> payloads.WorkOrderPayload:
    actor = info.context.require_actor()
    return await _mutate(info, lambda uow: engine.comment(uow, actor, _id(input.id), input.text))


async def delegate(info: strawberry.Info, input: Annotated[inputs.WorkOrderDelegateInput, INPUT]) -> payloads.WorkOrderPayload:
    actor = info.context.require_actor()
    return await _mutate(info, lambda uow: engine.delegate(uow, actor, _id(input.id), _id(input.delegate_id, "User", "delegateId"), input.until, comment=input.comment,
                                                           expected_version=input.expected_version))  # fmt: skip


async def reassign(info: strawberry.Info, input: Annotated[inputs.WorkOrderReassignInput, INPUT]) -> payloads.WorkOrderPayload:
    actor = info.context.require_actor()
    return await _mutate(info, lambda uow: engine.reassign(
        uow, actor, _id(input.id), _id(input.assignee_id, "User", "assigneeId"),
        task_id=_opt_id(input.task_id, "WorkOrderTask", "taskId"), comment=input.comment,
        expected_version=input.expected_version,
    ))  # fmt: skip


async def retry_dispatch(
    info: strawberry.Info, input: Annotated[inputs.WorkOrderRetryDispatchInput, INPUT]
) -> payloads.WorkOrderPayload:
    actor = info.context.require_actor()
    return await _mutate(info, lambda uow: dispatching.retry(uow, actor, _id(input.id), expected_version=input.expected_version))


async def dispatch_confirm(
    info: strawberry.Info, input: Annotated[inputs.WorkOrderDispatchConfirmInput, INPUT]
) -> payloads.WorkOrderDispatchConfirmPayload:
    """A platform's callback: settle the dispatch with this key once; a repeat answers accepted=false and changes nothing."""
    info.context.require_actor()
    caller = info.context.api_caller
    speaks_for = caller.platforms if caller is not None else frozenset()

    async def work(uow: Any) -> bool:
        found = await dispatching.by_key(uow, input.idempotency_key)
        # Only a client bound to the dispatch's platform may settle it; to any other the key does not exist.
        if found is None or found.platform not in speaks_for:
            raise error(Code.NOT_FOUND, "没有这个幂等键的派发 / No dispatch with this idempotency key", "idempotencyKey")
        if input.outcome is DispatchOutcome.FAILED:
            return await dispatching.refused(uow, found.id, (input.message or "").strip() or "平台未说明原因 / no reason given")
        result = DispatchResult(DispatchAnswer.CONFIRMED, dict(input.result or {}), input.reference)
        return await dispatching.answered(uow, found.id, result, via="callback")

    moved, errors = await run(info, work)
    return payloads.WorkOrderDispatchConfirmPayload(accepted=bool(moved), errors=errors_as(payloads.WorkOrderError, errors))


# --- subscription -----------------------------------------------------------------------------------


async def work_order_updated(info: strawberry.Info, id: strawberry.ID | None) -> AsyncGenerator[Any, None]:
    """Orders as they change: one order, or every order in the subscriber's data scope (their unit's)."""
    ctx = info.context
    ctx.require_actor()
    only = decode_id(str(id), "WorkOrder") if id is not None else None
    sel = selection(info)
    async for _channel, message in ctx.services.bus.subscribe(engine.CHANNEL):
        order_id = int(message["id"])
        if only is not None and order_id != only:
            continue
        actor = await ctx.refresh_actor()  # judged with the subscriber's rights as they are now
        if not actor.can(VIEW):
            raise Forbidden(f"权限不足 / Permission denied: {VIEW}")
        async with ctx.read_session() as s:
            found = await prefetch.fetch_nodes(s, actor, "WorkOrder", [order_id], sel)
        if order_id in found:
            yield found[order_id]
