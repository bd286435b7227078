"""What a fault is about, how bad it is, and where its rectification stands."""

from __future__ import annotations

import enum

from domain.alerts.enums import AlertSeverity


class FaultCategory(str, enum.Enum):
    NETWORK = "NETWORK"  # 网络中断或质量差: no service, slow, dropping
    SIGNAL = "SIGNAL"  # 信号覆盖: weak or no signal
    TERMINAL = "TERMINAL"  # 终端或号卡: a card, a device, a client
    ACCESS = "ACCESS"  # 接入认证: cannot log in, account or MAC refused
    SECURITY = "SECURITY"  # 安全事件: an attack, abnormal behaviour
    PLATFORM = "PLATFORM"  # 平台故障: a support platform or interface
    OTHER = "OTHER"


class FaultLevel(str, enum.Enum):
    """故障级别, as the customer grades them: a level sets how fast it must be diagnosed and resolved."""

    LEVEL_1 = "LEVEL_1"  # 一级: diagnosed within 1 hour, resolved within 4
    LEVEL_2 = "LEVEL_2"  # 二级: 2 and 8 hours
    LEVEL_3 = "LEVEL_3"  # 三级: 4 and 16 hours
    LEVEL_4 = "LEVEL_4"  # 四级: as level 3


LEVEL_NAMES = {FaultLevel.LEVEL_1: "一级", FaultLevel.LEVEL_2: "二级", FaultLevel.LEVEL_3: "三级", FaultLevel.LEVEL_4: "四级"}
# (respond, resolve) in hours, around the clock: the seed's emergency response requirements.
LEVEL_TARGETS = {
    FaultLevel.LEVEL_1: (1.0, 4.0),
    FaultLevel.LEVEL_2: (2.0, 8.0),
    FaultLevel.LEVEL_3: (4.0, 16.0),
    FaultLevel.LEVEL_4: (4.0, 16.0),
}
LEVEL_OF_SEVERITY = {
    AlertSeverity.CRITICAL: FaultLevel.LEVEL_1,
    AlertSeverity.MAJOR: FaultLevel.LEVEL_2,
    AlertSeverity.MINOR: FaultLevel.LEVEL_3,
    AlertSeverity.WARNING: FaultLevel.LEVEL_4,
}


class FaultStage(str, enum.Enum):
    """Where the rectification stands (the work order's step, said in the fault's words)."""

    REVIEWING = "REVIEWING"  # 故障审核: reported, waiting for the Big Data Center to confirm it
    RECTIFYING = "RECTIFYING"  # 故障整改: confirmed, being repaired
    VERIFYING = "VERIFYING"  # 整改验证: repaired, waiting for the check
    CLOSED = "CLOSED"  # verified: resolved
    REJECTED = "REJECTED"  # not a fault (a duplicate, a user error), with the reason
    WITHDRAWN = "WITHDRAWN"  # the reporter took it back


OPEN_STAGES = (FaultStage.REVIEWING, FaultStage.RECTIFYING, FaultStage.VERIFYING)
STAGE_NAMES = {
    FaultStage.REVIEWING: "待审核", FaultStage.RECTIFYING: "整改中", FaultStage.VERIFYING: "待验证",
    FaultStage.CLOSED: "已解决", FaultStage.REJECTED: "已驳回", FaultStage.WITHDRAWN: "已撤回",
}  # fmt: skip
CATEGORY_NAMES = {
    FaultCategory.NETWORK: "网络中断或质量差", FaultCategory.SIGNAL: "信号覆盖", FaultCategory.TERMINAL: "终端或号卡",
    FaultCategory.ACCESS: "接入认证", FaultCategory.SECURITY: "安全事件", FaultCategory.PLATFORM: "平台故障",
    FaultCategory.OTHER: "其他",
}  # fmt: skip


class FaultSort(str, enum.Enum):
    REPORTED_DESC = "REPORTED_DESC"  # newest first
    REPORTED_ASC = "REPORTED_ASC"
