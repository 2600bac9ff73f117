"""AgentSOC's agent SDK: log each action, obey the kill switch, acknowledge a kill."""

from ._version import __version__
from .aio import AsyncClient, AsyncSession
from .client import Client, Session
from .errors import AgentKilled, AgentSocError, KillSwitchUnavailable, MessageRejected, OutputBlocked
from .signing import SecureAgentMessage

__all__ = [
    "AgentKilled",
    "AgentSocError",
    "AsyncClient",
    "AsyncSession",
    "Client",
    "KillSwitchUnavailable",
    "MessageRejected",
    "OutputBlocked",
    "SecureAgentMessage",
    "Session",
    "__version__",
]
