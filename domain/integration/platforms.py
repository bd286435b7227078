"""The external platforms GovOps exchanges calls with, by the name their gateways, simulators, dispatches and the
interface log use. An API client is bound to the platforms it speaks for: it may settle only their dispatches."""

from __future__ import annotations

PLATFORMS: dict[str, str] = {
    "carrier_cbn": "中国广电",
    "carrier_telecom": "中国电信",
    "carrier_mobile": "中国移动",
    "carrier_unicom": "中国联通",
    "wireless_support": "无线专网支撑平台",
    "secure_access_support": "互联网安全加密接入支撑平台",
    "operations_platform": "一体化运营平台",
}


def label(platform: str) -> str:
    """The platform's Chinese name (the name itself when it is not in the catalogue)."""
    return PLATFORMS.get(platform, platform)
