"""Fault enums exposed in the contract (the domain owns the values)."""

from __future__ import annotations

from domain.faults import enums as e
from schema.scalars import gql_enum

FaultCategory = gql_enum(e.FaultCategory, "What kind of fault.", {
    e.FaultCategory.NETWORK: "网络中断或质量差: no service, slow or dropping.",
    e.FaultCategory.SIGNAL: "信号覆盖: weak or no signal.",
    e.FaultCategory.TERMINAL: "终端或号卡: a card, a device or a client.",
    e.FaultCategory.ACCESS: "接入认证: cannot log in; account or MAC refused.",
    e.FaultCategory.SECURITY: "安全事件: an attack or abnormal behaviour.",
    e.FaultCategory.PLATFORM: "平台故障: a support platform or an interface.",
    e.FaultCategory.OTHER: "其他.",
}, "FaultCategory")  # fmt: skip
FaultLevel = gql_enum(e.FaultLevel, "故障级别: sets the response and resolution targets (counted around the clock).", {
    e.FaultLevel.LEVEL_1: "一级: diagnosed within 1 hour, resolved within 4.",
    e.FaultLevel.LEVEL_2: "二级: diagnosed within 2 hours, resolved within 8.",
    e.FaultLevel.LEVEL_3: "三级: diagnosed within 4 hours, resolved within 16.",
    e.FaultLevel.LEVEL_4: "四级: as level 3.",
}, "FaultLevel")  # fmt: skip
FaultStage = gql_enum(e.FaultStage, "Where a fault's rectification stands.", {
    e.FaultStage.REVIEWING: "故障审核: reported, waiting for the Big Data Center to confirm it.",
    e.FaultStage.RECTIFYING: "故障整改: confirmed and being repaired.",
    e.FaultStage.VERIFYING: "整改验证: reported repaired, waiting for the check.",
    e.FaultStage.CLOSED: "Resolved: the repair was verified.",
    e.FaultStage.REJECTED: "Not a fault (a duplicate, a user error): the review rejected it, with the reason.",
    e.FaultStage.WITHDRAWN: "The reporter took it back.",
}, "FaultStage")  # fmt: skip
FaultSort = gql_enum(e.FaultSort, "Order of a fault list.", {
    e.FaultSort.REPORTED_DESC: "Newest report first (default).",
    e.FaultSort.REPORTED_ASC: "Oldest report first.",
}, "FaultSort")  # fmt: skip
