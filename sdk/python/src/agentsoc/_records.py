from __future__ import annotations

import json
import math
from typing import Any

ACTION_TYPES = ("llm_call", "tool_call", "decision", "error", "security")
# The console refuses longer summaries (lib/ingest/schemas.ts MAX_SUMMARY_CHARS): cut them here instead.
MAX_SUMMARY_CHARS = 32 * 1024


def clip(value: object, limit: int) -> str:
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def _finite(value: Any) -> Any:
    """NaN and infinities have no JSON form: they become null, wherever they are."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def encode_record(record: dict[str, Any]) -> bytes:
    """
    One NDJSON line. ASCII-escaped, so any string (lone surrogates, NUL) encodes and the console
    decides what it keeps; objects JSON cannot hold are written as their str().
    """
    try:
        return _dumps(record)
    except (ValueError, TypeError):
        pass
    try:
        return _dumps(_finite(record))
    except (ValueError, TypeError, RecursionError) as err:
        # Circular or non-string-keyed metadata: the event still goes, saying what was wrong with it.
        problem = f"metadata could not be encoded as JSON: {type(err).__name__}: {err}"[:500]
        return _dumps(_finite({**record, "metadata": {"agentsoc_encoding_error": problem}}))


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"), allow_nan=False, default=str).encode("ascii")
