"""The typed forms of the secure access work order kinds (modules 11-13); the engine stores them as JSON."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

CAMEL = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")
MAX_MACS = 64  # no form carries more, whatever an account's limit


class Holder(BaseModel):
    model_config = CAMEL

    name: str = Field(min_length=1, max_length=64, description="The holder's name.")
    phone: str = Field(min_length=11, max_length=20, description="The holder's mobile number (sealed at rest).")
    id_number: str = Field(min_length=18, max_length=18, description="The holder's resident ID number (sealed at rest).")


class OpenForm(BaseModel):
    """开户: one account for one holder."""

    model_config = CAMEL

    holder: Holder = Field(description="Who will use the account.")
    macs: list[str] = Field(min_length=1, max_length=MAX_MACS, description="The MAC addresses of the holder's terminals.")
    systems: list[str] = Field(min_length=1, max_length=200, description="Codes of the systems it may reach (applications).")
    valid_from: date = Field(description="First day of validity.")
    valid_to: date = Field(description="Last day of validity.")
    reason: str = Field(min_length=1, max_length=500, description="Why the holder needs it.")


class ChangeForm(BaseModel):
    """业务变更: new MAC addresses, new accessible systems, or both."""

    model_config = CAMEL

    account_name: str = Field(min_length=1, max_length=20, description="The account.")
    macs: list[str] | None = Field(default=None, max_length=MAX_MACS, description="The account's MACs from now on.")
    systems: list[str] | None = Field(default=None, max_length=200, description="The systems it may reach from now on.")
    reason: str = Field(min_length=1, max_length=500, description="Why.")

    @model_validator(mode="after")
    def _something_changes(self) -> ChangeForm:
        if self.macs is None and self.systems is None:
            raise ValueError("请填写MAC地址或可访问系统 / give macs, systems or both")
        return self


class RevokeForm(BaseModel):
    """撤销: close the account on the platform, then here."""

    model_config = CAMEL

    account_name: str = Field(min_length=1, max_length=20, description="The account.")
    reason: str = Field(min_length=1, max_length=500, description="Why.")
