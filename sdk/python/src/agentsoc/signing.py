from __future__ import annotations

import hashlib
import hmac
import json
import math
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Mapping

from .errors import MessageRejected

MESSAGE_FIELDS = ("sender_id", "recipient_id", "message_type", "payload", "timestamp", "nonce", "signature")


@dataclass
class SecureAgentMessage:
    """The guide's signed agent-to-agent message; the signature covers every other field."""

    sender_id: str
    recipient_id: str
    message_type: str  # "task", "result", "query", "control"
    payload: Any
    timestamp: float = field(default_factory=time.time)
    nonce: str = field(default_factory=lambda: secrets.token_hex(16))
    signature: str = ""

    def to_signable_string(self) -> str:
        """The guide's canonical form: the fields but the signature, sorted keys, no spaces."""
        signable = {
            "sender_id": self.sender_id,
            "recipient_id": self.recipient_id,
            "message_type": self.message_type,
            "payload": self.payload,
            "timestamp": self.timestamp,
            "nonce": self.nonce,
        }
        return json.dumps(signable, sort_keys=True, separators=(",", ":"))

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in MESSAGE_FIELDS}

    @classmethod
    def from_dict(cls, value: Mapping[str, Any]) -> "SecureAgentMessage":
        missing = [name for name in MESSAGE_FIELDS if name not in value]
        if missing:
            raise MessageRejected(f"Malformed message: missing {', '.join(missing)}")
        for name in ("sender_id", "recipient_id", "message_type", "nonce", "signature"):
            if not isinstance(value[name], str):
                raise MessageRejected(f"Malformed message: {name} must be a string")
        stamp = value["timestamp"]
        if isinstance(stamp, bool) or not isinstance(stamp, (int, float)) or not math.isfinite(stamp):
            raise MessageRejected("Malformed message: timestamp must be epoch seconds")
        return cls(**{name: value[name] for name in MESSAGE_FIELDS})


def _signature(secret: str, message: SecureAgentMessage) -> str:
    return hmac.new(secret.encode(), message.to_signable_string().encode(), hashlib.sha256).hexdigest()


class MessageSigner:
    """
    HMAC-SHA256 signing and checking, as the guide's AgentMessageSecurity does it: a message older
    than the replay window or from the future (beyond the clock skew) is refused, and so is a nonce
    seen before within the window.
    """

    def __init__(
        self,
        agent_id: str,
        secret: str | None,
        peer_secrets: Mapping[str, str] | None = None,
        replay_window: float = 30.0,
        clock_skew: float = 5.0,
    ) -> None:
        self.agent_id = agent_id
        self._secret = secret
        self._peers = dict(peer_secrets or {})
        self._window = replay_window
        self._skew = clock_skew
        self._lock = threading.Lock()
        self._seen: set[str] = set()
        self._expiry: deque[tuple[float, str]] = deque()

    def _secret_for(self, peer: str) -> str | None:
        return self._peers.get(peer) or self._secret

    def sign(self, message: SecureAgentMessage | Mapping[str, Any]) -> SecureAgentMessage:
        if not isinstance(message, SecureAgentMessage):
            fields = dict(message)
            fields.setdefault("sender_id", self.agent_id)
            fields.pop("signature", None)
            unknown = set(fields) - set(MESSAGE_FIELDS)
            if unknown:
                raise ValueError(f"unknown message fields: {', '.join(sorted(unknown))}")
            message = SecureAgentMessage(**fields)
        secret = self._secret_for(message.recipient_id)
        if not secret:
            raise ValueError(f"No shared secret for agent {message.recipient_id}: give Client(hmac_secret=...) or peer_secrets")
        message.signature = _signature(secret, message)
        return message

    def verify(self, message: SecureAgentMessage | Mapping[str, Any], now: float | None = None) -> SecureAgentMessage:
        """The message when it is authentic, fresh and new; otherwise MessageRejected says why."""
        if not isinstance(message, SecureAgentMessage):
            message = SecureAgentMessage.from_dict(message)
        secret = self._secret_for(message.sender_id)
        if not secret:
            raise MessageRejected(f"Unknown sender: {message.sender_id}")
        if not hmac.compare_digest(message.signature.encode(), _signature(secret, message).encode()):
            raise MessageRejected("Invalid signature")
        current = time.time() if now is None else now
        age = current - message.timestamp
        if age > self._window:
            raise MessageRejected(f"Message too old: {age:.1f}s")
        if age < -self._skew:
            raise MessageRejected("Message timestamp is in the future")
        with self._lock:
            while self._expiry and self._expiry[0][0] < current:
                self._seen.discard(self._expiry.popleft()[1])
            if message.nonce in self._seen:
                raise MessageRejected("Duplicate nonce detected (possible replay attack)")
            self._seen.add(message.nonce)
            # Remembered until the message could no longer pass the age check anyway.
            self._expiry.append((message.timestamp + self._window + 1.0, message.nonce))
        return message
