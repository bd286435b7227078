"""What every platform's wire contract shares: camelCase JSON models that refuse unknown fields, a one-line account
of a validation error, and the simulator's parse of a request (a 400 BAD_REQUEST naming the bad fields)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

from integrations.base.sim_state import SimRejection


class Wire(BaseModel):
    """A camelCase JSON object; unknown fields are refused."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)

    def wire(self) -> dict[str, Any]:
        """The JSON object as sent."""
        return self.model_dump(by_alias=True, mode="json")


W = TypeVar("W", bound=BaseModel)


def explain(error: ValidationError) -> str:
    """One line naming each bad field and what is wrong with it."""
    return "; ".join(
        f"{'.'.join(str(p) for p in item['loc']) or 'body'}: {item['msg']}" for item in error.errors(include_url=False)
    )


def parse(model: type[W], payload: dict[str, Any]) -> W:
    """The request as its wire model, or SimRejection BAD_REQUEST (400) naming the bad fields."""
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        raise SimRejection("BAD_REQUEST", f"请求格式错误 / Bad request: {explain(error)}", 400) from None


def unique(what: str) -> Callable[[list[str]], list[str]]:
    """An AfterValidator refusing a list that names something twice ("an application is listed twice")."""

    def check(values: list[str]) -> list[str]:
        if len(set(values)) != len(values):
            raise ValueError(f"{what} is listed twice")
        return values

    return check
