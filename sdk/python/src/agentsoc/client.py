from __future__ import annotations

import atexit
import functools
import hashlib
import inspect
import json
import logging
import os
import threading
import time
import uuid
import weakref
from typing import Any, Callable, Iterable, Literal, Mapping, TypeVar, overload

from ._http import Target, agent_path, request
from ._killswitch import KillState, RedisWatcher, StreamWatcher, Watcher
from ._records import MAX_SUMMARY_CHARS, clip, encode_record
from ._sender import Sender
from .errors import AgentKilled, AgentSocError, KillSwitchUnavailable, OutputBlocked
from .guard import OutputGuard
from .signing import MessageSigner, SecureAgentMessage

F = TypeVar("F", bound=Callable[..., Any])
FailPolicy = Literal["closed", "open"]

_clients: "weakref.WeakSet[Client]" = weakref.WeakSet()


def _env(name: str, given: str | None) -> str | None:
    return given if given is not None else (os.environ.get(name) or None)


def _required(name: str, given: str | None, env_name: str) -> str:
    value = _env(env_name, given)
    if not value:
        raise ValueError(f"AgentSOC {name} is not set: pass {name}= or set {env_name}")
    return value


class Client:
    """
    An agent's connection to AgentSOC: logs its actions in the background, follows its kill switch
    (pushed, held in memory), and holds the guide's other client duties (canaries, signed messages).
    Thread-safe and fork-safe; one per process and agent is enough.
    """

    def __init__(
        self,
        url: str | None = None,
        ingest_key: str | None = None,
        agent_id: str | None = None,
        *,
        redis_url: str | None = None,
        fail: FailPolicy = "closed",
        staleness: float = 30.0,
        startup_timeout: float = 5.0,
        batch_size: int = 500,
        flush_interval: float = 1.0,
        max_buffer: int = 100_000,
        request_timeout: float = 30.0,
        exit_timeout: float = 5.0,
        summary_chars: int = 200,
        hmac_secret: str | None = None,
        peer_secrets: Mapping[str, str] | None = None,
        replay_window: float = 30.0,
        forbidden_patterns: Iterable[str] = (),
        admin_token: str | None = None,
        logger: logging.Logger | None = None,
    ) -> None:
        if fail not in ("closed", "open"):
            raise ValueError('fail must be "closed" or "open"')
        self.url = _required("url", url, "AGENTSOC_URL")
        self.agent_id = _required("agent_id", agent_id, "AGENTSOC_AGENT_ID")
        self._key = _required("ingest_key", ingest_key, "AGENTSOC_INGEST_KEY")
        self._target = Target.parse(self.url)
        self.fail: FailPolicy = fail
        self.staleness = staleness
        self.summary_chars = summary_chars
        self.exit_timeout = exit_timeout
        self._admin_token = _env("AGENTSOC_ADMIN_TOKEN", admin_token)
        self._log = logger or logging.getLogger("agentsoc")
        self._last_session_id = "agentsoc-sdk"
        self._closed = False
        self._unknown_since: float | None = None
        self._acks: list[threading.Thread] = []

        self.redis_url = _env("AGENTSOC_REDIS_URL", redis_url)
        if self.redis_url:
            try:
                import redis  # noqa: F401
            except ImportError as err:
                raise ValueError("redis_url needs the redis package (pip install redis, or Debian's python3-redis)") from err
            self._watcher: Watcher = RedisWatcher(self.redis_url, self.agent_id, self._log, self._acknowledge_kill)
        else:
            self._watcher = StreamWatcher(self._target, self._key, self.agent_id, self._log, self._acknowledge_kill)

        self._sender = Sender(
            self._target,
            self._key,
            batch_size=batch_size,
            flush_interval=flush_interval,
            max_buffer=max_buffer,
            request_timeout=request_timeout,
            logger=self._log,
            dropped_report=self._dropped_report,
        )
        self.guard = OutputGuard(forbidden_patterns)
        self._signer = MessageSigner(self.agent_id, _env("AGENTSOC_HMAC_SECRET", hmac_secret), peer_secrets, replay_window)
        self._startup_deadline = time.monotonic() + startup_timeout
        self._watcher.ensure_started()
        _clients.add(self)

    # ---- sessions and logging ----

    def session(self, session_id: str | None = None) -> "Session":
        """A session of the agent (one conversation, task or run); an id is generated unless given."""
        return Session(self, session_id or f"sess_{uuid.uuid4().hex[:24]}")

    def _enqueue(self, record: dict[str, Any]) -> None:
        self._sender.enqueue(encode_record(record))

    def _dropped_report(self, dropped: int) -> bytes:
        return encode_record(
            {
                "event_id": str(uuid.uuid4()),
                "timestamp": time.time(),
                "agent_id": self.agent_id,
                "session_id": self._last_session_id,
                "action_type": "security",
                "action_name": "sdk_events_dropped",
                "input_summary": f"the agent's SDK buffer was full: {dropped} events were dropped, oldest first",
                "output_summary": "",
                "duration_ms": 0,
                "security_flags": ["sdk_events_dropped"],
                "metadata": {"dropped": dropped, "max_buffer": self._sender._max_buffer},
            }
        )

    def flush(self, timeout: float = 5.0) -> bool:
        """Delivers everything logged so far, waiting at most `timeout` seconds; True when all of it was delivered or refused."""
        return self._sender.flush(timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Flushes within `timeout`, then stops the background threads. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        deadline = time.monotonic() + timeout
        self._watcher.stop()
        self._sender.close(timeout)
        # An agent killed just before it exits still tells the console it stopped.
        for ack in self._acks:
            ack.join(max(0.0, deadline - time.monotonic()))
        _clients.discard(self)

    def stats(self) -> dict[str, int]:
        """Counters since start: delivered, duplicates, rejected, dropped, retries, abandoned, queued."""
        return {**self._sender.stats, "queued": self._sender.queued()}

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(self.exit_timeout)

    # ---- the kill switch ----

    def _verdict(self) -> tuple[bool, str, bool]:
        """(may act, reason, killed for sure). Never touches the network: it reads what the watcher last heard."""
        watcher = self._watcher
        watcher.ensure_started()
        state = watcher.state
        if state is None:
            remaining = self._startup_deadline - time.monotonic()
            if remaining > 0:
                watcher.wait_first(remaining)
                state = watcher.state
        if state is not None and not state.alive:
            return False, state.reason, True
        age = watcher.age()
        if state is not None and age is not None and age <= self.staleness and not watcher._blind:
            if self._unknown_since is not None:
                self._unknown_since = None
                self._log.info("agentsoc: kill-switch state known again for agent %s", self.agent_id)
            return True, state.reason, False
        where = "Redis" if self.redis_url else "the console"
        why = (
            f"kill-switch state unknown: {where} has not answered since the client started"
            if state is None
            else f"kill-switch state unknown: last heard from {where} {age:.0f} s ago (staleness limit {self.staleness:g} s)"
            if age is not None and age > self.staleness
            else f"kill-switch state unknown: {where} cannot read it"
        )
        if self._unknown_since is None:
            self._unknown_since = time.monotonic()
            self._log.warning("agentsoc: %s; fail=%r: agent %s %s", why, self.fail, self.agent_id, "keeps acting" if self.fail == "open" else "stops")
        return self.fail == "open", why, False

    def check(self) -> None:
        """Raises AgentKilled if this agent or all agents are killed (KillSwitchUnavailable when fail="closed" and the state is unknown)."""
        may_act, reason, killed = self._verdict()
        if not may_act:
            raise AgentKilled(reason) if killed else KillSwitchUnavailable(reason)

    def is_alive(self) -> bool:
        """False when killed, or when the state is unknown and fail="closed". Never raises for a network problem."""
        try:
            return self._verdict()[0]
        except Exception:
            self._log.exception("agentsoc: is_alive() failed")
            return self.fail == "open"

    def _acknowledge_kill(self, state: KillState) -> None:
        """Called once per kill the watcher hears: from then on check() raises, so the agent has stopped; the console is told."""
        ack = threading.Thread(target=self._post_ack, args=(state,), name="agentsoc-ack", daemon=True)
        self._acks = [t for t in self._acks if t.is_alive()] + [ack]
        ack.start()

    def _post_ack(self, state: KillState) -> None:
        for attempt in range(5):
            try:
                answer = request(self._target, "POST", agent_path(self.agent_id, "/ack"), token=self._key, timeout=5.0)
                if answer.status == 200:
                    self._log.debug("agentsoc: kill acknowledged: %s", answer.body[:200])
                    return
                if answer.status < 500 and answer.status != 429:
                    self._log.warning("agentsoc: the console refused the kill acknowledgement (HTTP %d): %s", answer.status, answer.message())
                    return
            except OSError as err:
                self._log.debug("agentsoc: kill acknowledgement failed: %s", err)
            time.sleep(0.5 * (attempt + 1))
        self._log.warning("agentsoc: could not acknowledge the kill of agent %s (%s)", self.agent_id, state.reason)

    # ---- canaries ----

    def canary(
        self,
        placement: str = "system_prompt",
        label: str = "system prompt",
        *,
        token: str | None = None,
        admin_token: str | None = None,
    ) -> str:
        """
        A canary token to plant (in the system prompt, a document, a tool), registered so that
        check_output() refuses output carrying it. Issued by the console's canary API with an admin
        token (admin_token=, Client(admin_token=) or AGENTSOC_ADMIN_TOKEN), or give your own token=.
        """
        if token is None:
            admin = admin_token or self._admin_token
            if not admin:
                raise ValueError("issuing a canary needs an admin API token (admin_token= or AGENTSOC_ADMIN_TOKEN); or pass token=")
            body = json.dumps({"agent_id": self.agent_id, "placement": placement, "label": label}).encode()
            answer = request(self._target, "POST", "/api/v1/canaries", token=admin, body=body, headers={"Content-Type": "application/json"})
            issued = answer.json()
            if answer.status != 201 or not isinstance(issued, dict) or not isinstance(issued.get("token"), str):
                raise AgentSocError(f"the console did not issue a canary (HTTP {answer.status}): {answer.message()}")
            token = issued["token"]
        self.guard.add_canary(token, label, placement)
        return token

    # ---- signed agent messages ----

    def sign(self, message: SecureAgentMessage | Mapping[str, Any]) -> SecureAgentMessage:
        """Signs a message to another agent (the guide's SecureAgentMessage; sender_id, timestamp and nonce are filled in)."""
        return self._signer.sign(message)

    def verify(self, message: SecureAgentMessage | Mapping[str, Any]) -> SecureAgentMessage:
        """The message if authentic, fresh and not a replay; MessageRejected otherwise."""
        return self._signer.verify(message)

    # ---- process life ----

    def _after_fork_in_child(self) -> None:
        self._sender.after_fork_in_child()
        self._watcher.after_fork_in_child()

    def _close_at_exit(self) -> None:
        try:
            self.close(self.exit_timeout)
        except Exception:
            self._log.exception("agentsoc: closing at exit failed")


class Session:
    """One session of the agent: check(), log(), the @tool decorator and check_output()."""

    def __init__(self, client: Client, session_id: str) -> None:
        self.client = client
        self.id = session_id
        self._lock = threading.Lock()
        self._sequence = 0
        self._total_cost = 0.0
        self._started = time.monotonic()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def check(self) -> None:
        """Raises AgentKilled if this agent or all agents are killed. No network call."""
        self.client.check()

    def log(
        self,
        action_type: str,
        action_name: str,
        *,
        input_summary: object = "",
        output_summary: object = "",
        duration_ms: float = 0.0,
        token_count: int | None = None,
        cost_usd: float | None = None,
        tool_name: str | None = None,
        tool_args_hash: str | None = None,
        error: object | None = None,
        security_flags: list[str] | None = None,
        metadata: Mapping[str, Any] | None = None,
        timestamp: float | None = None,
        event_id: str | None = None,
    ) -> str:
        """Queues one AgentActionLog for the console and returns its event_id. Never blocks on the network, never raises for it."""
        with self._lock:
            self._sequence += 1
            sequence = self._sequence
            if cost_usd:
                self._total_cost += cost_usd
            total_cost = self._total_cost
        event_id = event_id or str(uuid.uuid4())
        record: dict[str, Any] = {
            "event_id": event_id,
            "timestamp": time.time() if timestamp is None else timestamp,
            "agent_id": self.client.agent_id,
            "session_id": self.id,
            "action_type": action_type,
            "action_name": action_name,
            "input_summary": clip(input_summary, MAX_SUMMARY_CHARS),
            "output_summary": clip(output_summary, MAX_SUMMARY_CHARS),
            "duration_ms": duration_ms,
            "action_sequence": sequence,
            "session_elapsed_s": time.monotonic() - self._started,
            "session_total_cost_usd": total_cost,
        }
        for name, value in (
            ("token_count", token_count),
            ("cost_usd", cost_usd),
            ("tool_name", tool_name),
            ("tool_args_hash", tool_args_hash),
            ("security_flags", security_flags),
            ("metadata", metadata),
        ):
            if value is not None:
                record[name] = value
        if error is not None:
            record["error"] = clip(error, MAX_SUMMARY_CHARS)
        self.client._last_session_id = self.id
        self.client._enqueue(record)
        return event_id

    @overload
    def tool(self, fn: F) -> F: ...

    @overload
    def tool(self, fn: None = None, *, name: str | None = None) -> Callable[[F], F]: ...

    def tool(self, fn: F | None = None, *, name: str | None = None) -> F | Callable[[F], F]:
        """
        Wraps a tool: check() first, then the call timed and logged as a tool_call (arguments and
        result summarised, arguments hashed), or as an error with the exception, which is re-raised.
        """

        def wrap(func: F) -> F:
            return _wrap_tool(self, func, name or func.__name__)  # type: ignore[return-value]

        return wrap(fn) if fn is not None else wrap

    def check_output(self, text: str) -> str:
        """Returns `text` if it carries no canary and no forbidden pattern; otherwise logs a security event and raises OutputBlocked."""
        finding = self.client.guard.find(text)
        if finding is None:
            return text
        self.log(
            "security",
            finding.event_name,
            input_summary=finding.reason,
            security_flags=[finding.event_name],
            metadata=finding.metadata,
        )
        raise OutputBlocked(finding.reason, finding.kind)


def describe_call(name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any], limit: int) -> tuple[str, str]:
    """(args hash, summary): the guide's sha256 of the arguments (16 hex) and a short `name(arg, key=value)`."""
    canonical = json.dumps({"args": list(args), "kwargs": dict(kwargs)}, sort_keys=True, default=repr)
    args_hash = hashlib.sha256(canonical.encode("utf-8", "replace")).hexdigest()[:16]
    parts = [clip(repr(a), limit) for a in args] + [f"{k}={clip(repr(v), limit)}" for k, v in kwargs.items()]
    return args_hash, clip(f"{name}({', '.join(parts)})", limit)


class _ToolCall:
    def __init__(self, session: Session, name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
        self.session = session
        self.name = name
        self.args_hash, self.summary = describe_call(name, args, kwargs, session.client.summary_chars)
        self.started = time.perf_counter()

    def ok(self, result: Any) -> None:
        self.session.log(
            "tool_call",
            self.name,
            tool_name=self.name,
            tool_args_hash=self.args_hash,
            input_summary=self.summary,
            output_summary=clip(result, self.session.client.summary_chars),
            duration_ms=(time.perf_counter() - self.started) * 1000,
        )

    def failed(self, err: BaseException) -> None:
        self.session.log(
            "error",
            self.name,
            tool_name=self.name,
            tool_args_hash=self.args_hash,
            input_summary=self.summary,
            error=f"{type(err).__name__}: {err}",
            duration_ms=(time.perf_counter() - self.started) * 1000,
        )


def _wrap_tool(session: Any, func: Callable[..., Any], name: str) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            checked = session.check()
            if inspect.isawaitable(checked):
                await checked
            call = _ToolCall(session if isinstance(session, Session) else session._session, name, args, kwargs)
            try:
                result = await func(*args, **kwargs)
            except Exception as err:
                call.failed(err)
                raise
            call.ok(result)
            return result

        return async_wrapper

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        sync_session = session if isinstance(session, Session) else session._session
        sync_session.check()
        call = _ToolCall(sync_session, name, args, kwargs)
        try:
            result = func(*args, **kwargs)
        except Exception as err:
            call.failed(err)
            raise
        call.ok(result)
        return result

    return wrapper


def _after_fork_in_child() -> None:
    for client in list(_clients):
        client._after_fork_in_child()


@atexit.register
def _close_all_at_exit() -> None:
    for client in list(_clients):
        client._close_at_exit()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
