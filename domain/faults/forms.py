"""The fault report (故障报修) as the `faults.rectify` work order's form; the engine stores it as JSON."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from domain.catalog.enums import ServiceDomain
from domain.faults.enums import FaultCategory, FaultLevel

CAMEL = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class FaultForm(BaseModel):
    """故障报修: what broke, where and how badly. A wireless fault may name the card (ICCID), a secure access fault the
    account, any fault the asset (serial); an alert's global id links the alert that showed it."""

    model_config = CAMEL

    domain: ServiceDomain = Field(description="The service it is in.")
    category: FaultCategory = Field(description="What kind of fault.")
    level: FaultLevel = Field(description="How bad: sets the response and resolution targets (一级 1 h / 4 h ... ).")
    title: str = Field(min_length=1, max_length=200, description="One line that names it.")
    description: str = Field(min_length=1, max_length=4000, description="What happens, since when, what was tried.")
    occurred_at: AwareDatetime = Field(description="When it began (not in the future).")
    location: str | None = Field(None, max_length=200, description="Where (a site, a building, a room).")
    iccid: str | None = Field(None, max_length=20, description="The affected card (wireless faults).")
    account_name: str | None = Field(None, max_length=20, description="The affected account (secure access faults).")
    asset_serial: str | None = Field(None, max_length=64, description="The affected asset (its serial), of any service.")
    alert_id: str | None = Field(None, max_length=100, description="The alert that showed it (its global id).")
