from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from typing import Iterable

_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufe00-\ufe0f\ufeff]")
_WHITESPACE_RUN = re.compile(r"[\s\u0085]{2,}|[^\S ]|\u0085")
# Any canary marker in the guide's format, registered or not (as the console's own scan looks for them).
_ANY_CANARY = re.compile(r"canary-[a-z0-9_-]{6,64}")


def normalize_for_scan(text: str) -> str:
    """The console's scan form (lib/detect/normalize-text.ts): invisible characters removed, NFKC, lower case, whitespace runs as one space."""
    return _WHITESPACE_RUN.sub(" ", unicodedata.normalize("NFKC", _INVISIBLE.sub("", text)).lower())


@dataclass(frozen=True)
class Finding:
    kind: str  # "canary" | "forbidden_pattern"
    event_name: str  # the security event's action_name
    reason: str
    metadata: dict[str, str]


@dataclass(frozen=True)
class _Canary:
    token: str
    label: str
    placement: str


class OutputGuard:
    """What check_output() looks for: the agent's canaries, any canary marker, and configured forbidden patterns (substrings, any case)."""

    def __init__(self, forbidden_patterns: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._canaries: dict[str, _Canary] = {}
        self._patterns = [(p, normalize_for_scan(p)) for p in forbidden_patterns if normalize_for_scan(p)]

    def add_canary(self, token: str, label: str, placement: str) -> None:
        scan = normalize_for_scan(token)
        if not scan:
            raise ValueError("a canary token cannot be empty")
        with self._lock:
            self._canaries[scan] = _Canary(token, label, placement)

    def find(self, text: str) -> Finding | None:
        scan = normalize_for_scan(text)
        with self._lock:
            canaries = list(self._canaries.items())
        for needle, canary in canaries:
            if needle in scan:
                return Finding(
                    "canary",
                    "canary_token_leaked",
                    f"canary {canary.label!r} (planted in {canary.placement}) is in the output",
                    {"canary_label": canary.label, "placement": canary.placement},
                )
        marker = _ANY_CANARY.search(scan)
        if marker:
            return Finding("canary", "canary_token_leaked", "a canary marker that is not this agent's is in the output", {"canary_label": "unregistered marker"})
        for pattern, needle in self._patterns:
            if needle in scan:
                return Finding("forbidden_pattern", "forbidden_output_blocked", f"forbidden pattern {pattern!r} is in the output", {"pattern": pattern})
        return None
