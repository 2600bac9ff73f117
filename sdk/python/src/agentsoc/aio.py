from __future__ import annotations

import asyncio
import time
from typing import Any, Callable, Mapping, TypeVar, overload

from .client import Client, Session, _wrap_tool
from .signing import SecureAgentMessage

F = TypeVar("F", bound=Callable[..., Any])


class AsyncClient:
    """
    The Client for asyncio agents: the same background threads, with the calls that can wait
    (check before the first state arrives, flush, close, canary) awaitable so the loop never blocks.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._client = Client(*args, **kwargs)

    @property
    def client(self) -> Client:
        """The underlying thread-based Client, for code that is not async."""
        return self._client

    @property
    def agent_id(self) -> str:
        return self._client.agent_id

    def session(self, session_id: str | None = None) -> "AsyncSession":
        return AsyncSession(self, self._client.session(session_id))

    def _would_wait(self) -> bool:
        return self._client._watcher.state is None and time.monotonic() < self._client._startup_deadline

    async def check(self) -> None:
        if self._would_wait():
            await asyncio.to_thread(self._client.check)
        else:
            self._client.check()

    async def is_alive(self) -> bool:
        if self._would_wait():
            return await asyncio.to_thread(self._client.is_alive)
        return self._client.is_alive()

    async def flush(self, timeout: float = 5.0) -> bool:
        return await asyncio.to_thread(self._client.flush, timeout)

    async def close(self, timeout: float = 5.0) -> None:
        await asyncio.to_thread(self._client.close, timeout)

    async def canary(self, placement: str = "system_prompt", label: str = "system prompt", *, token: str | None = None, admin_token: str | None = None) -> str:
        return await asyncio.to_thread(self._client.canary, placement, label, token=token, admin_token=admin_token)

    def sign(self, message: SecureAgentMessage | Mapping[str, Any]) -> SecureAgentMessage:
        return self._client.sign(message)

    def verify(self, message: SecureAgentMessage | Mapping[str, Any]) -> SecureAgentMessage:
        return self._client.verify(message)

    def stats(self) -> dict[str, int]:
        return self._client.stats()

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close(self._client.exit_timeout)


class AsyncSession:
    """A session for coroutines: `await s.check()`, `s.log(...)` (only queues), `@s.tool` on async or plain functions."""

    def __init__(self, owner: AsyncClient, session: Session) -> None:
        self._owner = owner
        self._session = session
        self.id = session.id

    async def __aenter__(self) -> "AsyncSession":
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def check(self) -> None:
        await self._owner.check()

    def log(self, action_type: str, action_name: str, **fields: Any) -> str:
        return self._session.log(action_type, action_name, **fields)

    def check_output(self, text: str) -> str:
        return self._session.check_output(text)

    @overload
    def tool(self, fn: F) -> F: ...

    @overload
    def tool(self, fn: None = None, *, name: str | None = None) -> Callable[[F], F]: ...

    def tool(self, fn: F | None = None, *, name: str | None = None) -> F | Callable[[F], F]:
        def wrap(func: F) -> F:
            return _wrap_tool(self, func, name or func.__name__)  # type: ignore[return-value]

        return wrap(fn) if fn is not None else wrap
