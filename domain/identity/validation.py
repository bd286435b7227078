"""Input rules shared by the identity use cases; every bad field is reported, nothing is written."""

from __future__ import annotations

import re

from core.errors import DomainError, DomainErrors
from domain.identity.errors import IdentityErrorCode

USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{2,63}$")
UNIT_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,31}$")
ROLE_CODE = re.compile(r"^[a-z][a-z0-9_]{2,63}$")
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,}$")
PASSWORD_MIN = 10


class Checker:
    def __init__(self) -> None:
        self.errors: list[DomainError] = []

    def add(self, field: str, message: str, code: IdentityErrorCode = IdentityErrorCode.INVALID_INPUT) -> None:
        self.errors.append(DomainError(code, message, field))

    def has(self, field: str) -> bool:
        return any(e.field == field for e in self.errors)

    def text(self, field: str, value: str | None, label: str, lo: int, hi: int, required: bool = True) -> str | None:
        """Trimmed text of lo..hi characters; `label` is "中文 / English"."""
        zh, _, en = label.partition(" / ")
        if value is None or not value.strip():
            if required:
                self.add(field, f"{zh}不能为空 / {en} is required")
            return None
        value = value.strip()
        if not lo <= len(value) <= hi:
            self.add(field, f"{zh}长度应为{lo}–{hi}个字符 / {en} must be {lo}-{hi} characters")
        return value

    def pattern(self, field: str, value: str | None, regex: re.Pattern[str], message: str) -> None:
        if value and not self.has(field) and not regex.fullmatch(value):
            self.add(field, message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise DomainErrors(self.errors)


def password_problems(password: str, username: str | None) -> str | None:
    """Level-3 password policy: length, three of four character classes, not the username."""
    classes = sum(bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))
    if len(password) < PASSWORD_MIN or len(password) > 128:
        return f"密码长度应为{PASSWORD_MIN}–128位 / Password must be {PASSWORD_MIN}-128 characters"
    if classes < 3:
        return "密码须包含大写字母、小写字母、数字、符号中的至少三类 / Password needs three of: upper, lower, digit, symbol"
    if username and username.lower() in password.lower():
        return "密码不能包含用户名 / Password must not contain the username"
    return None
