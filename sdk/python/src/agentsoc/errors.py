from __future__ import annotations


class AgentSocError(Exception):
    """Base of every error the SDK raises on purpose."""


class AgentKilled(AgentSocError):
    """This agent, or every agent, was killed in AgentSOC: stop acting."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class KillSwitchUnavailable(AgentKilled):
    """fail="closed": the kill switch's state is unknown (console or Redis unreachable), so the agent stops."""


class OutputBlocked(AgentSocError):
    """check_output() found a canary or a forbidden pattern in what the agent was about to send."""

    def __init__(self, reason: str, kind: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind


class MessageRejected(AgentSocError):
    """verify() refused a signed agent message: unknown sender, too old, replayed or a bad signature."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
