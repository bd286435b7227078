"""The typed forms of the wireless work order kinds (validated on submit, stored as the order's JSON)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from domain.wireless import validation
from domain.wireless.enums import Carrier, SimCardDomain


def _mobile(value: str | None) -> str | None:
    if value is None:
        return None
    found = validation.msisdn(value)
    if found is None:
        raise ValueError("手机号码格式不正确 / not a mainland mobile number")
    return found


Mobile = Annotated[str | None, AfterValidator(_mobile)]


# Forms travel as JSON in the API, so their fields are camelCase there (planCode), snake_case in Python.
CAMEL = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)


class Holder(BaseModel):
    model_config = CAMEL

    name: str = Field(min_length=1, max_length=64, description="持卡人 who will use the card.")
    phone: Mobile = Field(default=None, description="Their contact phone (sealed at rest).")


class OpenForm(BaseModel):
    """开户: new cards of one carrier, plan and domain, one holder each."""

    model_config = CAMEL

    carrier: Carrier = Field(description="The carrier.")
    domain: SimCardDomain = Field(description="Single- or dual-domain cards.")
    plan_code: str = Field(min_length=1, max_length=40, description="The carrier's plan code (see simPlans).")
    quantity: int = Field(ge=1, le=50, description="How many cards.")
    holders: list[Holder] = Field(min_length=1, max_length=50, description="One holder per card.")
    applications: list[str] = Field(min_length=1, max_length=50, description="Codes of the applications the cards may reach.")
    reason: str = Field(min_length=1, max_length=500, description="Why the unit needs them.")

    @model_validator(mode="after")
    def _one_holder_per_card(self) -> OpenForm:
        if len(self.holders) != self.quantity:
            raise ValueError("持卡人数量须与开卡数量一致 / give one holder per card")
        if len(set(self.applications)) != len(self.applications):
            raise ValueError("应用重复 / an application is listed twice")
        return self
