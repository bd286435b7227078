"""Formats of card numbers: ICCID (Luhn), MSISDN (a mainland mobile number), IMSI (China's MCC 460), IMEI."""

from __future__ import annotations

import re

from stdnum import imei as _imei
from stdnum import imsi as _imsi
from stdnum import luhn

from core.db.encrypted import normalize_phone

ICCID = re.compile(r"^8986\d{15,16}$")  # 89 telecom, 86 China, then the issuer and the serial, 19-20 digits
MSISDN = re.compile(r"^1[3-9]\d{9}$")


def iccid(value: str) -> str | None:
    """The ICCID, digits only, if it is 19-20 digits of a Chinese card with a valid Luhn check digit."""
    digits = re.sub(r"\s", "", value or "")
    return digits if ICCID.fullmatch(digits) and luhn.is_valid(digits) else None


def msisdn(value: str) -> str | None:
    """The 11-digit mobile number (a +86 prefix and separators are dropped), or None."""
    digits = normalize_phone(value or "")
    return digits if MSISDN.fullmatch(digits) else None


def imsi(value: str) -> str | None:
    """A 15-digit IMSI of a Chinese network (MCC 460), or None."""
    digits = re.sub(r"\s", "", value or "")
    return digits if len(digits) == 15 and digits.startswith("460") and _imsi.is_valid(digits) else None


def imei(value: str) -> str | None:
    """A 15-digit IMEI with its Luhn check digit (or a 16-digit IMEISV), or None."""
    digits = re.sub(r"[\s-]", "", value or "")
    return digits if _imei.is_valid(digits) else None
