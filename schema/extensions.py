"""Schema extensions: limits, caches and the error policy. None of them hooks field resolution."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, ParserCache, SchemaExtension, ValidationCache
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

from schema.cost import CostLimit
from schema.errors import ErrorPolicy


class AnonymousIntrospection(SchemaExtension):
    """Without a token, the schema itself is not shown (production): the rule joins validation for
    anonymous requests only (the validation cache keeps the two rule sets apart)."""

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        if getattr(ctx.context, "actor", None) is None:
            ctx.validation_rules = (*ctx.validation_rules, NoSchemaIntrospectionCustomRule)
        yield


def limit_rules(max_depth: int, max_aliases: int) -> list[Any]:
    """The validation rules of the depth and alias limits (schema/compiled.py checks its documents with them too)."""
    return [depth_rule(max_depth, None), alias_rule(max_aliases)]


def extensions(
    max_depth: int, max_aliases: int, max_tokens: int, max_cost: int, anonymous_introspection: bool = True
) -> list[Any]:
    # The limit rules are built once: strawberry's QueryDepthLimiter and MaxAliasesLimiter make new
    # rule classes per request, and a new rule class is a new validation-cache key (every request
    # would be validated again, and the cache would fill with copies of the same document).
    rules = limit_rules(max_depth, max_aliases)
    # Factories, not instances: strawberry builds a fresh extension per request (the caches behind
    # ParserCache and ValidationCache are module-level, so they are shared all the same).
    return [
        ErrorPolicy,
        partial(MaxTokensLimiter, max_token_count=max_tokens),
        # Parsing and validating the same document again halves throughput: cache both.
        partial(ParserCache, maxsize=1024),
        partial(AddValidationRules, rules),
        *([] if anonymous_introspection else [AnonymousIntrospection]),
        partial(ValidationCache, maxsize=1024),
        partial(CostLimit, max_cost=max_cost),
    ]
