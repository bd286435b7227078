"""Asset enums exposed in the contract (the domain owns the values)."""

from __future__ import annotations

from domain.assets import enums as e
from domain.assets.errors import AssetErrorCode as Code
from schema.scalars import gql_enum

AssetType = gql_enum(e.AssetType, "What kind of equipment.", {
    e.AssetType.ROUTER: "路由器.", e.AssetType.SWITCH: "交换机.", e.AssetType.FIREWALL: "防火墙.",
    e.AssetType.OPTICAL: "光传输设备: OLT, ONU, transmission.", e.AssetType.SERVER: "服务器.",
    e.AssetType.UPF: "5G 用户面设备 (UPF).", e.AssetType.BASE_STATION: "5G 基站、室分.",
    e.AssetType.SECURITY_GATEWAY: "安全接入网关.", e.AssetType.MODULE: "板卡、光模块: installed in another asset.",
    e.AssetType.OTHER: "其他.",
}, "AssetType")  # fmt: skip
AssetStatus = gql_enum(e.AssetStatus, "Where an asset stands (changes through a transition table).", {
    e.AssetStatus.IN_STOCK: "库存: received, not in service.",
    e.AssetStatus.IN_SERVICE: "在用.",
    e.AssetStatus.UNDER_REPAIR: "维修中.",
    e.AssetStatus.RETIRED: "已退役: out of service for good; no more reminders.",
}, "AssetStatus")  # fmt: skip
AssetEventKind = gql_enum(e.AssetEventKind, "What happened to an asset.", {
    e.AssetEventKind.CREATED: "Registered by hand.", e.AssetEventKind.IMPORTED: "Created or updated by a workbook import.",
    e.AssetEventKind.EDITED: "Edited.", e.AssetEventKind.STATUS_CHANGED: "Its status changed.",
    e.AssetEventKind.UPGRADED: "Its software was upgraded.", e.AssetEventKind.INSPECTED: "Inspected at entry or exit.",
    e.AssetEventKind.REMINDED: "An end-of-life or warranty reminder fired.",
}, "AssetEventKind")  # fmt: skip
InspectionKind = gql_enum(e.InspectionKind, "Which inspection.", {
    e.InspectionKind.ENTRY: "进场核查: before it goes into service.",
    e.InspectionKind.EXIT: "出场核查: before it leaves (retired, returned, moved).",
}, "AssetInspectionKind")  # fmt: skip
InspectionResult = gql_enum(e.InspectionResult, "An inspection's outcome.", {
    e.InspectionResult.PASSED: "Every item passed.", e.InspectionResult.FAILED: "At least one item failed.",
}, "AssetInspectionResult")  # fmt: skip
AssetSort = gql_enum(e.AssetSort, "Order of an asset list.", {
    e.AssetSort.SERIAL_ASC: "By serial (default).", e.AssetSort.CREATED_DESC: "Newest first.",
    e.AssetSort.END_OF_LIFE_ASC: "Soonest to reach its end of life first.",
}, "AssetSort")  # fmt: skip
AssetErrorCode = gql_enum(Code, "Why an asset request was refused.", {
    Code.INVALID_INPUT: "A field is malformed or out of range (see `field`).",
    Code.NOT_FOUND: "No such asset or model in your data scope.",
    Code.INVALID_TRANSITION: "Not allowed in the asset's status.",
    Code.DUPLICATE_SERIAL: "An asset with this serial is registered already.",
    Code.DUPLICATE_MODEL: "The vendor's model is in the catalogue already.",
    Code.STALE_STATE: "Someone changed it since you read it; reload and retry.",
    Code.IMPORT_REFUSED: "The workbook has problems (see the report): nothing was imported.",
}, "AssetErrorCode")  # fmt: skip
