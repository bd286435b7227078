"""Asset types, statuses, history kinds and the lifecycle thresholds."""

from __future__ import annotations

import enum


class AssetType(str, enum.Enum):
    ROUTER = "ROUTER"  # 路由器
    SWITCH = "SWITCH"  # 交换机
    FIREWALL = "FIREWALL"  # 防火墙
    OPTICAL = "OPTICAL"  # 光传输设备 (OLT, ONU, transmission)
    SERVER = "SERVER"  # 服务器
    UPF = "UPF"  # 5G 用户面设备
    BASE_STATION = "BASE_STATION"  # 5G 基站、室分
    SECURITY_GATEWAY = "SECURITY_GATEWAY"  # 安全接入网关
    MODULE = "MODULE"  # 板卡、光模块: installed in another asset
    OTHER = "OTHER"


class AssetStatus(str, enum.Enum):
    IN_STOCK = "IN_STOCK"  # 库存: received, not in service
    IN_SERVICE = "IN_SERVICE"  # 在用
    UNDER_REPAIR = "UNDER_REPAIR"  # 维修中
    RETIRED = "RETIRED"  # 已退役: out of service for good (no more reminders)


class AssetEventKind(str, enum.Enum):
    CREATED = "CREATED"  # registered by hand
    IMPORTED = "IMPORTED"  # created or updated by a workbook import
    EDITED = "EDITED"
    STATUS_CHANGED = "STATUS_CHANGED"
    UPGRADED = "UPGRADED"  # software version changed (an upgrade record)
    INSPECTED = "INSPECTED"  # an entry or exit inspection
    REMINDED = "REMINDED"  # an end-of-life or warranty reminder fired


class InspectionKind(str, enum.Enum):
    ENTRY = "ENTRY"  # 进场核查: before it goes into service
    EXIT = "EXIT"  # 出场核查: before it leaves (retired, returned, moved)


class InspectionResult(str, enum.Enum):
    PASSED = "PASSED"
    FAILED = "FAILED"


class ReminderKind(str, enum.Enum):
    END_OF_LIFE = "END_OF_LIFE"  # 年限告警: the end of its service life (or the vendor's end of support)
    WARRANTY = "WARRANTY"  # 保修到期


class AssetSort(str, enum.Enum):
    SERIAL_ASC = "SERIAL_ASC"
    CREATED_DESC = "CREATED_DESC"
    END_OF_LIFE_ASC = "END_OF_LIFE_ASC"  # soonest to reach its end of life first


REMINDER_DAYS = (90, 30, 7, 0)  # a reminder at each; after 0 it repeats daily until someone acknowledges it
TYPE_NAMES = {
    AssetType.ROUTER: "路由器", AssetType.SWITCH: "交换机", AssetType.FIREWALL: "防火墙", AssetType.OPTICAL: "光传输设备",
    AssetType.SERVER: "服务器", AssetType.UPF: "UPF", AssetType.BASE_STATION: "基站", AssetType.SECURITY_GATEWAY: "安全接入网关",
    AssetType.MODULE: "板卡模块", AssetType.OTHER: "其他",
}  # fmt: skip
STATUS_NAMES = {
    AssetStatus.IN_STOCK: "库存", AssetStatus.IN_SERVICE: "在用", AssetStatus.UNDER_REPAIR: "维修中", AssetStatus.RETIRED: "已退役",
}  # fmt: skip
