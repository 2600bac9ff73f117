from __future__ import annotations

import email.utils
import http.client
import json
import ssl
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any, Mapping

from ._version import __version__

USER_AGENT = f"agentsoc-python/{__version__}"


@dataclass(frozen=True)
class Target:
    """The console's address, split once: every request opens or reuses a connection to it."""

    scheme: str
    host: str
    port: int
    base_path: str

    @classmethod
    def parse(cls, url: str) -> "Target":
        parts = urllib.parse.urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"AgentSOC url must be http:// or https:// with a host, got {url!r}")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return cls(parts.scheme, parts.hostname, port, parts.path.rstrip("/"))

    def connect(self, timeout: float) -> http.client.HTTPConnection:
        if self.scheme == "https":
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout, context=ssl.create_default_context())
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def path(self, path: str) -> str:
        return self.base_path + path


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8", "replace"))
        except ValueError:
            return None

    def message(self) -> str:
        """The console's own words for a refusal (`{"error": {"message"}}`), else the start of the body."""
        parsed = self.json()
        if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict):
            return str(parsed["error"].get("message", ""))[:500]
        return self.body[:200].decode("utf-8", "replace")


def agent_path(agent_id: str, tail: str) -> str:
    return f"/api/v1/agents/{urllib.parse.quote(agent_id, safe='')}{tail}"


def request(
    target: Target,
    method: str,
    path: str,
    *,
    token: str,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 10.0,
) -> Answer:
    """One request on a fresh connection (for the rare calls: ack, canaries). Network errors raise OSError."""
    conn = target.connect(timeout)
    try:
        conn.request(method, target.path(path), body=body, headers={"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT, **(headers or {})})
        resp = conn.getresponse()
        return Answer(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
    except http.client.HTTPException as err:
        raise OSError(f"HTTP error talking to {target.host}:{target.port}: {err!r}") from err
    finally:
        conn.close()


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds from now: a number of seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))
