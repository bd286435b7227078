"""Each carrier's 5G private-network plan catalogue, as its simulator sells it and GovOps's demo catalogue mirrors it.

Fees are monthly, in fen (1/100 yuan), so no float ever carries money; `dataGb` is the monthly data allowance.
"""

from __future__ import annotations

from typing import Any


def _plan(code: str, name: str, fee_yuan: int, data_gb: int) -> dict[str, Any]:
    return {"code": code, "name": name, "monthlyFeeFen": fee_yuan * 100, "dataGb": data_gb}


PLANS: dict[str, list[dict[str, Any]]] = {
    "TELECOM": [
        _plan("TEL-5G-30G", "电信5G政务专网 30GB", 59, 30),
        _plan("TEL-5G-100G", "电信5G政务专网 100GB", 129, 100),
        _plan("TEL-5G-300G", "电信5G政务专网 300GB", 299, 300),
    ],
    "MOBILE": [
        _plan("MOB-5G-20G", "移动5G政务专网 20GB", 49, 20),
        _plan("MOB-5G-50G", "移动5G政务专网 50GB", 89, 50),
        _plan("MOB-5G-150G", "移动5G政务专网 150GB", 199, 150),
    ],
    "UNICOM": [
        _plan("UNI-5G-30G", "联通5G政务专网 30GB", 56, 30),
        _plan("UNI-5G-100G", "联通5G政务专网 100GB", 126, 100),
        _plan("UNI-5G-200G", "联通5G政务专网 200GB", 216, 200),
    ],
    "CBN": [
        _plan("CBN-5G-20G", "广电5G政务专网 20GB", 39, 20),
        _plan("CBN-5G-60G", "广电5G政务专网 60GB", 79, 60),
        _plan("CBN-5G-192G", "广电5G政务专网 192GB", 192, 192),
    ],
}


def plan_codes(carrier: str) -> frozenset[str]:
    """The plan codes a carrier sells."""
    return frozenset(plan["code"] for plan in PLANS[carrier])
