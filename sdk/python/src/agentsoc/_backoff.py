from __future__ import annotations

import random
from typing import Callable

BASE_DELAY_S = 0.25
MAX_DELAY_S = 5.0
MAX_RETRY_AFTER_S = 60.0


def backoff_delay(
    attempt: int,
    retry_after: float | None = None,
    *,
    base: float = BASE_DELAY_S,
    cap: float = MAX_DELAY_S,
    rand: Callable[[], float] = random.random,
) -> float:
    """
    Seconds to wait before retry number `attempt` (0 for the first). A Retry-After the console gave is
    honoured (never earlier, at most a minute); otherwise exponential from `base` up to `cap`, with
    jitter in its upper half so a fleet of agents does not return in step.
    """
    if retry_after is not None:
        return min(max(retry_after, 0.0), MAX_RETRY_AFTER_S) + rand() * base
    ceiling = min(cap, base * 2.0 ** min(attempt, 30))
    return ceiling / 2 + rand() * ceiling / 2
