"""What the tests need around the SDK: the real console's API as an admin, and a TCP proxy that can cut the line."""

from __future__ import annotations

import json
import os
import random
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any, Callable


def required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(
            f"{name} is not set: these tests run against the real console (npm test runs them from e2e/sdk/python.spec.ts); "
            "set AGENTSOC_TEST_URL, AGENTSOC_TEST_ADMIN_TOKEN and AGENTSOC_TEST_REDIS_URL to run them by hand"
        )
    return value


class Console:
    """The console under test, driven through its HTTP API with an admin token."""

    def __init__(self, url: str, admin_token: str, redis_url: str) -> None:
        self.url = url.rstrip("/")
        self.admin_token = admin_token
        self.redis_url = redis_url

    @classmethod
    def from_env(cls) -> "Console":
        return cls(required_env("AGENTSOC_TEST_URL"), required_env("AGENTSOC_TEST_ADMIN_TOKEN"), required_env("AGENTSOC_TEST_REDIS_URL"))

    def api(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Authorization", f"Bearer {token or self.admin_token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as err:
            raw = err.read()
            try:
                return err.code, json.loads(raw)
            except ValueError:
                return err.code, raw.decode("utf-8", "replace")

    def ok(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        status, answer = self.api(method, path, body)
        if status != expect:
            raise AssertionError(f"{method} {path} answered {status}, expected {expect}: {answer}")
        return answer

    def register_agent(self, prefix: str) -> tuple[str, str]:
        agent_id = f"{prefix}-{uuid.uuid4().hex[:8]}"
        answer = self.ok("POST", "/api/v1/agents", {"agent_id": agent_id}, expect=201)
        return answer["agent_id"], answer["ingest_key"]

    def kill(self, agent_id: str, reason: str) -> None:
        self.ok("PUT", f"/api/v1/killswitch/agents/{agent_id}", {"reason": reason})

    def revive(self, agent_id: str, reason: str = "reviewed, clean") -> None:
        self.ok("DELETE", f"/api/v1/killswitch/agents/{agent_id}", {"reason": reason})

    def kill_all(self, reason: str) -> None:
        self.ok("PUT", "/api/v1/killswitch/global", {"reason": reason})

    def lift_all(self, reason: str = "drill over") -> None:
        self.ok("DELETE", "/api/v1/killswitch/global", {"reason": reason})

    def kill_switch(self, agent_id: str) -> dict[str, Any] | None:
        state = self.ok("GET", "/api/v1/killswitch")
        return next((a for a in state["agents"] if a["agent_id"] == agent_id), None)

    def events(self, agent_id: str, **filters: str) -> list[dict[str, Any]]:
        """Every stored event of the agent, page by page."""
        found: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            params = {"agent_id": agent_id, "limit": "1000", **filters}
            if cursor:
                params["cursor"] = cursor
            page = self.ok("GET", "/api/v1/events?" + urllib.parse.urlencode(params))
            found.extend(page["events"])
            cursor = page.get("next_cursor")
            if not cursor:
                return found


def wait_for(condition: Callable[[], Any], timeout: float, what: str, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def raises_within(fn: Callable[[], None], exc: type[BaseException], timeout: float) -> tuple[BaseException, float]:
    """Calls fn until it raises exc (returned with the seconds it took); fails after timeout."""
    start = time.monotonic()
    while True:
        try:
            fn()
        except exc as err:
            return err, time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise AssertionError(f"{fn} did not raise {exc.__name__} within {timeout} s")
        time.sleep(0.001)


class TcpProxy:
    """
    127.0.0.1:<port> forwarded to the console. pause() closes every connection and refuses new ones
    (the console unreachable) until resume(); cut() only closes the connections open now.
    """

    def __init__(self, upstream_url: str) -> None:
        parts = urllib.parse.urlsplit(upstream_url)
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._lock = threading.Lock()
        self._conns: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self.port = 0
        self._listen()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self.port:
            listener.bind(("127.0.0.1", self.port))
        else:
            _bind_outside_ephemeral_range(listener)
        listener.listen(64)
        listener.settimeout(0.05)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._acceptor = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._acceptor.start()

    def _accept(self, listener: socket.socket) -> None:
        # The listener is closed by this thread alone, so that it has stopped listening when pause() returns.
        try:
            self._accept_until_paused(listener)
        finally:
            listener.close()

    def _accept_until_paused(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            client.settimeout(None)
            try:
                upstream = socket.create_connection(self._upstream, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                self._close(s)

    def _close(self, s: socket.socket) -> None:
        with self._lock:
            self._conns.discard(s)
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()

    def cut(self) -> None:
        with self._lock:
            conns = list(self._conns)
        for s in conns:
            self._close(s)

    def pause(self) -> None:
        if self._listener is not None:
            self._listener = None
            self._acceptor.join()
        self.cut()

    def resume(self) -> None:
        if self._listener is None:
            self._listen()

    def close(self) -> None:
        self.pause()


def _bind_outside_ephemeral_range(listener: socket.socket) -> None:
    """
    A port the kernel never hands out for outgoing connections: while the proxy is paused its port
    is free, and one taken as some connection's source port could not be listened on again.
    """
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    for _ in range(200):
        try:
            listener.bind(("127.0.0.1", random.randrange(max(1024, low - 12000), low)))
            return
        except OSError:
            continue
    raise RuntimeError("no free port below the ephemeral range for the test proxy")


def closed_port() -> int:
    """A loopback port nothing listens on."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port
