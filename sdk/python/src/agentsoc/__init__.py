"""AgentSOC's agent SDK: log each action, obey the kill switch, acknowledge a kill."""

import logging

from ._version import __version__
from .aio import AsyncClient, AsyncSession
from .client import Client, Session
from .errors import AgentKilled, AgentSocError, KillSwitchUnavailable, MessageRejected, OutputBlocked
from .signing import SecureAgentMessage
from .tool_tokens import ToolTokenRefused, ToolTokenSetupError, ToolTokenVerifier, verify_tool_token

# Quiet unless the application configures logging: the SDK never prints.
logging.getLogger("agentsoc").addHandler(logging.NullHandler())

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
    "ToolTokenRefused",
    "ToolTokenSetupError",
    "ToolTokenVerifier",
    "__version__",
    "verify_tool_token",
]
