from __future__ import annotations

import http.client
import json
import logging
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from ._backoff import backoff_delay
from ._http import USER_AGENT, Answer, Target, agent_path, retry_after_seconds

# The guide's Redis layout, which the console writes (ARCHITECTURE.md, "Kill switch in Redis").
KEY_PREFIX = "agent:killswitch"
GLOBAL_KEY = f"{KEY_PREFIX}:global"
EVENTS_CHANNEL = f"{KEY_PREFIX}:events"


def agent_key(agent_id: str) -> str:
    return f"{KEY_PREFIX}:{agent_id}"


@dataclass(frozen=True)
class KillState:
    alive: bool
    reason: str
    source: str


def state_from_keys(global_raw: bytes | str | None, agent_fields: Mapping[Any, Any]) -> KillState:
    """
    The guide's is_alive(): the global key first (JSON; unreadable counts as killed, as the console
    reads it), then the agent's hash, killed only when its `killed` field is exactly "true".
    """

    def text(value: Any) -> str:
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)

    if global_raw is not None:
        try:
            value = json.loads(global_raw)
        except ValueError:
            return KillState(False, "Global kill switch active: unreadable global kill switch value in Redis", "redis")
        if isinstance(value, dict) and (value.get("killed") is True or value.get("killed") == "true"):
            reason = value.get("reason")
            return KillState(False, f"Global kill switch active: {reason if isinstance(reason, str) else 'Unknown'}", "redis")
    fields = {text(k): v for k, v in agent_fields.items()}
    if "killed" in fields and text(fields["killed"]) == "true":
        return KillState(False, f"Agent killed: {text(fields.get('reason', 'Unknown'))}", "redis")
    return KillState(True, "Agent is active", "redis")


COMMENT = ("", "")


class SseParser:
    """Server-sent events, one line at a time: returns (event, data) when an event ends, COMMENT for a comment line."""

    def __init__(self) -> None:
        self._event = ""
        self._data: list[str] = []

    def feed(self, line: str) -> tuple[str, str] | None:
        line = line.rstrip("\r\n")
        if line == "":
            if not self._data:
                self._event = ""
                return None
            event, data = self._event or "message", "\n".join(self._data)
            self._event, self._data = "", []
            return event, data
        if line.startswith(":"):
            return COMMENT
        field, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if field == "event":
            self._event = value
        elif field == "data":
            self._data.append(value)
        return None


class Watcher:
    """Keeps the agent's kill-switch state in memory, from a background thread, with when it was last heard."""

    name = "watcher"

    def __init__(self, agent_id: str, logger: logging.Logger, on_kill: Callable[[KillState], None]) -> None:
        self.agent_id = agent_id
        self._log = logger
        self._on_kill = on_kill
        self.state: KillState | None = None
        self.heard_at: float | None = None
        self._blind = False
        self._problem: str | None = None
        self._reset_threading(first_seen=False)

    def _reset_threading(self, first_seen: bool) -> None:
        self._first = threading.Event()
        if first_seen:
            self._first.set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def ensure_started(self) -> None:
        if self._thread is not None:
            return
        with self._start_lock:
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(target=self._run, name=f"agentsoc-{self.name}", daemon=True)
                self._thread.start()

    def wait_first(self, timeout: float) -> bool:
        return self._first.wait(max(timeout, 0.0))

    def age(self) -> float | None:
        heard = self.heard_at
        return None if heard is None else time.monotonic() - heard

    def stop(self) -> None:
        self._stop.set()

    def after_fork_in_child(self) -> None:
        self._reset_threading(first_seen=self._first.is_set())

    def _run(self) -> None:
        raise NotImplementedError

    def _heard(self, state: KillState) -> None:
        previous = self.state
        killed_now = not state.alive and (previous is None or previous.alive)
        if killed_now:
            # Before check() can see it: an agent that stops and exits at once still finds its acknowledgement under way.
            self._on_kill(state)
        self.state = state
        self.heard_at = time.monotonic()
        self._blind = False
        self._first.set()
        if killed_now:
            self._log.warning("agentsoc: kill switch: %s (agent %s); check() now raises AgentKilled", state.reason, self.agent_id)
        elif state.alive and previous is not None and not previous.alive:
            self._log.warning("agentsoc: kill switch lifted for agent %s: %s", self.agent_id, state.reason)

    def _still_there(self) -> None:
        """A heartbeat: nothing changed since the last state (the console pushes every change)."""
        if self.state is not None and not self._blind:
            self.heard_at = time.monotonic()

    def _trouble(self, problem: str) -> None:
        if problem != self._problem:
            self._problem = problem
            self._log.warning("agentsoc: cannot follow the kill switch for agent %s: %s", self.agent_id, problem)

    def _recovered(self, how: str) -> None:
        if self._problem is not None:
            self._problem = None
            self._log.info("agentsoc: following the kill switch for agent %s again (%s)", self.agent_id, how)


class _Refused(Exception):
    def __init__(self, problem: str, retry_after: float | None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.retry_after = retry_after


# The console sends the status every 10 s on a healthy stream (lib/killswitch/status-hub.ts POLL_MS).
STREAM_LIVENESS_S = 12.5


class StreamWatcher(Watcher):
    """
    Follows GET /api/v1/agents/{id}/status/stream (SSE): the state now, every change, every 10 s,
    pings every 15 s. While the stream is open and speaking, the state is current (a change would
    have been pushed); when it breaks, the state's age counts from that moment.
    """

    name = "killswitch-stream"

    def __init__(
        self,
        target: Target,
        ingest_key: str,
        agent_id: str,
        logger: logging.Logger,
        on_kill: Callable[[KillState], None],
        read_timeout: float = 25.0,
    ) -> None:
        super().__init__(agent_id, logger, on_kill)
        self._target = target
        self._key = ingest_key
        self._read_timeout = read_timeout
        self._conn: http.client.HTTPConnection | None = None
        self._open = False

    def age(self) -> float | None:
        heard = self.heard_at
        if heard is None:
            return None
        since = time.monotonic() - heard
        return 0.0 if self._open and since <= STREAM_LIVENESS_S else since

    def _closed(self) -> None:
        if self._open and self.heard_at is not None and time.monotonic() - self.heard_at <= STREAM_LIVENESS_S and not self._blind:
            self.heard_at = time.monotonic()
        self._open = False

    def stop(self) -> None:
        super().stop()
        conn = self._conn
        sock = getattr(conn, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def after_fork_in_child(self) -> None:
        super().after_fork_in_child()
        self._conn = None
        self._closed()

    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            retry_after = None
            try:
                if self._follow():
                    attempt = 0
            except _Refused as refused:
                self._trouble(refused.problem)
                retry_after = refused.retry_after
            except (OSError, http.client.HTTPException) as err:
                self._trouble(f"{type(err).__name__}: {err}")
            self._stop.wait(backoff_delay(attempt, retry_after))
            attempt += 1

    def _follow(self) -> bool:
        """One stream, until it ends; True when it was open (so the next attempt starts without backoff)."""
        conn = self._target.connect(self._read_timeout)
        self._conn = conn
        try:
            if self._stop.is_set():
                return False
            conn.request(
                "GET",
                self._target.path(agent_path(self.agent_id, "/status/stream")),
                headers={"Authorization": f"Bearer {self._key}", "Accept": "text/event-stream", "User-Agent": USER_AGENT},
            )
            resp = conn.getresponse()
            if resp.status != 200:
                answer = Answer(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read(4096))
                raise _Refused(f"the console answered HTTP {resp.status}: {answer.message()}", retry_after_seconds(answer.headers.get("retry-after")))
            parser = SseParser()
            opened = False
            while not self._stop.is_set():
                raw = resp.readline(1 << 20)
                if not raw:
                    return opened
                item = parser.feed(raw.decode("utf-8", "replace"))
                if item is None:
                    continue
                if item is COMMENT:
                    self._still_there()
                    continue
                event, data = item
                if event == "status":
                    opened = self._status(data) or opened
                elif event == "revoked":
                    self._blind = True
                    raise _Refused("the console revoked this ingest key", None)
            return opened
        finally:
            self._closed()
            self._conn = None
            conn.close()

    def _status(self, data: str) -> bool:
        try:
            value = json.loads(data)
        except ValueError:
            self._trouble(f"unreadable status from the console: {data[:100]!r}")
            return False
        if not isinstance(value, dict) or not isinstance(value.get("alive"), bool):
            self._trouble(f"unreadable status from the console: {data[:100]!r}")
            return False
        if value.get("source") == "none":
            # The console could read neither Redis nor its record: that is not a state, the fail policy decides.
            self._blind = True
            self._trouble(str(value.get("reason", "the console cannot read the kill switch")))
            return True
        self._recovered("status stream")
        self._heard(KillState(value["alive"], str(value.get("reason", "")), str(value.get("source", ""))))
        self._open = True
        return True


class RedisWatcher(Watcher):
    """Redis mode: subscribes to agent:killswitch:events and reads the guide's keys on every message and every `poll` seconds."""

    name = "killswitch-redis"

    def __init__(self, redis_url: str, agent_id: str, logger: logging.Logger, on_kill: Callable[[KillState], None], poll: float = 1.0) -> None:
        super().__init__(agent_id, logger, on_kill)
        self._url = redis_url
        self._poll = poll

    def _run(self) -> None:
        import redis  # only in Redis mode; Client checked it is importable

        attempt = 0
        while not self._stop.is_set():
            client = None
            pubsub = None
            try:
                client = redis.Redis.from_url(self._url, socket_timeout=5, socket_connect_timeout=3)
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(EVENTS_CHANNEL)
                self._read(client)
                self._recovered("Redis")
                attempt = 0
                while not self._stop.is_set():
                    # Changes published on the channel are read at once; a key set without a message (redis-cli), within `poll`.
                    pubsub.get_message(timeout=self._poll)
                    self._read(client)
            except (redis.RedisError, OSError, ValueError) as err:
                self._trouble(f"Redis: {type(err).__name__}: {err}")
            finally:
                for closable in (pubsub, client):
                    try:
                        if closable is not None:
                            closable.close()
                    except Exception:
                        pass
            self._stop.wait(backoff_delay(attempt))
            attempt += 1

    def _read(self, client: Any) -> None:
        pipe = client.pipeline(transaction=False)
        pipe.get(GLOBAL_KEY)
        pipe.hgetall(agent_key(self.agent_id))
        global_raw, fields = pipe.execute()
        self._heard(state_from_keys(global_raw, fields or {}))
