"""Numbers of Chinese 5G carriers: ICCID (with its Luhn check digit), MSISDN and IMSI, validated and generated.

The checks (`luhn_ok`, `luhn_complete`, `iccid_carrier`, `msisdn_carrier`, `imsi_carrier`, `imei_ok`) are pure and import
nothing of ours, so the domain's validation can reuse them. `NumberGenerator` draws realistic numbers for a carrier,
deterministic from a seed and a counter, each kind a keyed bijection of the counter so a number never comes twice.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter

from stdnum import luhn

CARRIERS = ("CBN", "TELECOM", "MOBILE", "UNICOM")
MCC = "460"  # China

# 89 (telecom) + 86 (China) + the issuer code the industry assigned to each operator.
ICCID_PREFIXES: dict[str, tuple[str, ...]] = {
    "MOBILE": ("898600", "898602", "898604", "898607"),
    "UNICOM": ("898601", "898606", "898609"),
    "TELECOM": ("898603", "898611"),
    "CBN": ("898615",),
}


def _segments(*items: int | tuple[int, int]) -> tuple[str, ...]:
    """Number segments from single values and inclusive ranges."""
    out: list[str] = []
    for item in items:
        low, high = item if isinstance(item, tuple) else (item, item)
        out.extend(str(n) for n in range(low, high + 1))
    return tuple(out)


# The 3-digit mobile number segments (号段) each operator holds; they do not overlap.
MSISDN_SEGMENTS: dict[str, tuple[str, ...]] = {
    "MOBILE": _segments((134, 139), 147, (150, 152), (157, 159), 172, 178, (182, 184), 187, 188, 195, 197, 198),
    "UNICOM": _segments((130, 132), 145, 155, 156, 166, 175, 176, 185, 186, 196),
    "TELECOM": _segments(133, 149, 153, 173, 177, 180, 181, 189, 190, 191, 193, 199),
    "CBN": _segments(192),
}

# Mobile network codes under MCC 460.
IMSI_MNCS: dict[str, tuple[str, ...]] = {
    "MOBILE": ("00", "02", "07"),
    "UNICOM": ("01", "06", "09"),
    "TELECOM": ("03", "11"),
    "CBN": ("15",),
}

_DIGITS = re.compile(r"\d+")


def luhn_ok(number: str) -> bool:
    """Whether a digit string ends in a valid Luhn (mod 10) check digit, as ICCIDs and IMEIs do."""
    return isinstance(number, str) and len(number) >= 2 and bool(_DIGITS.fullmatch(number)) and luhn.is_valid(number)


def luhn_complete(body: str) -> str:
    """`body` followed by its Luhn check digit; raises ValueError unless `body` is digits."""
    if not isinstance(body, str) or not _DIGITS.fullmatch(body):
        raise ValueError("a Luhn body must be a non-empty string of digits")
    return body + luhn.calc_check_digit(body)


def iccid_carrier(iccid: str) -> str | None:
    """The carrier that issued a well-formed ICCID (19 or 20 digits, 8986 + issuer code, Luhn), else None."""
    if not luhn_ok(iccid) or len(iccid) not in (19, 20):
        return None
    return next((c for c, prefixes in ICCID_PREFIXES.items() if iccid[:6] in prefixes), None)


def msisdn_carrier(msisdn: str) -> str | None:
    """The carrier whose number segment an 11-digit MSISDN is in, else None."""
    if not isinstance(msisdn, str) or len(msisdn) != 11 or not _DIGITS.fullmatch(msisdn):
        return None
    return next((c for c, segments in MSISDN_SEGMENTS.items() if msisdn[:3] in segments), None)


def imsi_carrier(imsi: str) -> str | None:
    """The carrier of a 15-digit IMSI (460 + the carrier's MNC + 10 digits), else None."""
    if not isinstance(imsi, str) or len(imsi) != 15 or not _DIGITS.fullmatch(imsi) or not imsi.startswith(MCC):
        return None
    return next((c for c, mncs in IMSI_MNCS.items() if imsi[3:5] in mncs), None)


def imei_ok(imei: str) -> bool:
    """Whether a device identity is a 15-digit IMEI with a valid Luhn check digit."""
    return isinstance(imei, str) and len(imei) == 15 and luhn_ok(imei)


class _Permutation:
    """A keyed bijection of range(size), so the n-th draw never repeats an earlier one and numbers look scattered.

    A 4-round Feistel network over the smallest even number of bits that covers `size`, cycle-walked back into
    range (a value at or past `size` is permuted again); the domain is under 4x `size`, so a walk is short.
    """

    ROUNDS = 4

    def __init__(self, size: int, key: str) -> None:
        self.size = size
        self.half = max(1, ((size - 1).bit_length() + 1) // 2)
        self.mask = (1 << self.half) - 1
        self.key = hashlib.sha256(key.encode()).digest()[:16]

    def _round(self, i: int, value: int) -> int:
        digest = hashlib.blake2b(value.to_bytes(8, "big"), digest_size=8, key=self.key, person=bytes([i]) * 16).digest()
        return int.from_bytes(digest, "big") & self.mask

    def _feistel(self, x: int) -> int:
        left, right = x >> self.half, x & self.mask
        for i in range(self.ROUNDS):
            left, right = right, left ^ self._round(i, right)
        return (left << self.half) | right

    def __call__(self, x: int) -> int:
        if not 0 <= x < self.size:
            raise OverflowError(f"the number space of {self.size} values is exhausted")
        x = self._feistel(x)
        while x >= self.size:
            x = self._feistel(x)
        return x


class NumberGenerator:
    """Realistic ICCIDs, MSISDNs and IMSIs of one carrier, the n-th draw of each kind fixed by (carrier, seed, n)."""

    def __init__(self, carrier: str, seed: int = 0, *, iccid_length: int = 20) -> None:
        if carrier not in CARRIERS:
            raise ValueError(f"carrier must be one of {', '.join(CARRIERS)}")
        if iccid_length not in (19, 20):
            raise ValueError("an ICCID has 19 or 20 digits")
        self.carrier, self.seed, self.iccid_length = carrier, seed, iccid_length
        self._serial_digits = iccid_length - 7  # 6-digit issuer prefix, the serial, 1 check digit
        key = f"{carrier}:{seed}"
        self._iccid = _Permutation(len(ICCID_PREFIXES[carrier]) * 10**self._serial_digits, f"iccid:{key}")
        self._msisdn = _Permutation(len(MSISDN_SEGMENTS[carrier]) * 10**8, f"msisdn:{key}")
        self._imsi = _Permutation(len(IMSI_MNCS[carrier]) * 10**10, f"imsi:{key}")
        self.drawn: Counter[str] = Counter()

    def _next(self, kind: str, permutation: _Permutation) -> int:
        n = self.drawn[kind]
        self.drawn[kind] += 1
        return permutation(n)

    def iccid(self) -> str:
        """The next ICCID: an issuer prefix of the carrier, a serial and the Luhn check digit."""
        x = self._next("iccid", self._iccid)
        prefix, serial = divmod(x, 10**self._serial_digits)
        return luhn_complete(ICCID_PREFIXES[self.carrier][prefix] + f"{serial:0{self._serial_digits}d}")

    def msisdn(self) -> str:
        """The next MSISDN: one of the carrier's segments and 8 subscriber digits."""
        segment, subscriber = divmod(self._next("msisdn", self._msisdn), 10**8)
        return MSISDN_SEGMENTS[self.carrier][segment] + f"{subscriber:08d}"

    def imsi(self) -> str:
        """The next IMSI: 460, one of the carrier's MNCs and a 10-digit subscriber identity."""
        mnc, msin = divmod(self._next("imsi", self._imsi), 10**10)
        return MCC + IMSI_MNCS[self.carrier][mnc] + f"{msin:010d}"
