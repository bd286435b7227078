"""Schema extensions: limits, caches and the error policy. None of them hooks field resolution."""

from __future__ import annotations

from functools import partial
from typing import Any

from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, ParserCache, QueryDepthLimiter, ValidationCache

from schema.errors import ErrorPolicy


def extensions(max_depth: int, max_aliases: int, max_tokens: int) -> list[Any]:
    # Factories, not instances: strawberry builds a fresh extension per request (the caches behind
    # ParserCache and ValidationCache are module-level, so they are shared all the same).
    return [
        ErrorPolicy,
        partial(MaxTokensLimiter, max_token_count=max_tokens),
        # Parsing and validating the same document again halves throughput: cache both.
        partial(ParserCache, maxsize=1024),
        partial(ValidationCache, maxsize=1024),
        partial(QueryDepthLimiter, max_depth=max_depth),
        partial(MaxAliasesLimiter, max_alias_count=max_aliases),
    ]
