"""The SDK's pure parts, without a console: backoff, SSE parsing, the guide's Redis reading, encoding, the output guard, signing."""

from __future__ import annotations

import json
import time

import pytest

from agentsoc import MessageRejected, SecureAgentMessage
from agentsoc._backoff import MAX_DELAY_S, backoff_delay
from agentsoc._http import retry_after_seconds
from agentsoc._killswitch import COMMENT, SseParser, state_from_keys
from agentsoc._records import encode_record
from agentsoc.guard import OutputGuard, normalize_for_scan
from agentsoc.signing import MessageSigner


def test_backoff_grows_with_jitter_and_stops_at_the_cap() -> None:
    assert backoff_delay(0, rand=lambda: 0.0) == pytest.approx(0.125)
    assert backoff_delay(0, rand=lambda: 1.0) == pytest.approx(0.25)
    assert backoff_delay(3, rand=lambda: 1.0) == pytest.approx(2.0)
    assert backoff_delay(50, rand=lambda: 1.0) == pytest.approx(MAX_DELAY_S)
    assert backoff_delay(50, rand=lambda: 0.0) == pytest.approx(MAX_DELAY_S / 2)


def test_retry_after_is_honoured_never_earlier_and_at_most_a_minute() -> None:
    assert backoff_delay(0, 7.0, rand=lambda: 0.0) == pytest.approx(7.0)
    assert 7.0 <= backoff_delay(9, 7.0) <= 7.25
    assert backoff_delay(0, 3600.0, rand=lambda: 0.0) == pytest.approx(60.0)
    assert retry_after_seconds("12") == 12.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == pytest.approx(10.0)
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_sse_parser_reads_events_comments_and_multiline_data() -> None:
    parser = SseParser()
    lines = ["event: status\n", 'data: {"alive": true}\n', "\n", ": ping\n", "\n", "data: a\r\n", "data: b\n", "\n"]
    assert [parser.feed(line) for line in lines] == [None, None, ("status", '{"alive": true}'), COMMENT, None, None, None, ("message", "a\nb")]


def test_redis_state_reads_the_guides_layout_global_first() -> None:
    assert state_from_keys(None, {}).alive
    killed = state_from_keys(None, {b"killed": b"true", b"reason": b"Prompt injection detected", b"killed_by": b"security-team"})
    assert (killed.alive, killed.reason) == (False, "Agent killed: Prompt injection detected")
    # Only exactly "true" kills, as the guide's check reads it.
    assert state_from_keys(None, {b"killed": b"True"}).alive
    everyone = state_from_keys(b'{"killed": true, "reason": "Security incident", "killed_by": "oncall-engineer"}', {b"killed": b"true", b"reason": b"x"})
    assert (everyone.alive, everyone.reason) == (False, "Global kill switch active: Security incident")
    assert not state_from_keys(b"{not json", {}).alive
    assert state_from_keys(b'{"killed": false}', {}).alive


def test_records_encode_hostile_text_and_numbers_json_cannot_hold() -> None:
    line = encode_record({"input_summary": "\x00 \ud800 %s $(rm -rf /) <script>", "duration_ms": float("nan"), "metadata": {"x": float("inf"), "obj": object()}})
    value = json.loads(line)
    assert value["input_summary"] == "\x00 \ud800 %s $(rm -rf /) <script>"
    assert value["duration_ms"] is None and value["metadata"]["x"] is None
    assert value["metadata"]["obj"].startswith("<object object")
    circular: dict[str, object] = {}
    circular["self"] = circular
    assert "could not be encoded" in json.loads(encode_record({"metadata": circular}))["metadata"]["agentsoc_encoding_error"]


def test_output_guard_finds_canaries_through_disguises_and_forbidden_patterns() -> None:
    guard = OutputGuard(["System Prompt"])
    guard.add_canary("CANARY-0123456789abcdef", "support prompt", "system_prompt")
    assert guard.find("all fine") is None
    hidden = guard.find("the marker is CANARY-0123\u200b456789ABCDEF")
    assert hidden is not None and hidden.kind == "canary" and hidden.metadata["canary_label"] == "support prompt"
    other = guard.find("leaked CANARY-fedcba9876543210")
    assert other is not None and other.metadata["canary_label"] == "unregistered marker"
    pattern = guard.find("my   SYSTEM\n\nprompt says")
    assert pattern is not None and pattern.kind == "forbidden_pattern"
    assert normalize_for_scan("Ａ\u200bB  c") == "ab c"


def test_signed_messages_verify_once_and_refuse_tampering_age_and_replay() -> None:
    alice = MessageSigner("alice", "shared-secret")
    bob = MessageSigner("bob", None, {"alice": "shared-secret"})
    signed = alice.sign({"recipient_id": "bob", "message_type": "task", "payload": {"order": 7, "note": "ünïcode"}})
    wire = json.loads(json.dumps(signed.to_dict()))
    assert bob.verify(wire).payload == {"order": 7, "note": "ünïcode"}
    with pytest.raises(MessageRejected, match="Duplicate nonce"):
        bob.verify(wire)

    tampered = alice.sign({"recipient_id": "bob", "message_type": "task", "payload": {"order": 7}}).to_dict()
    tampered["payload"] = {"order": 8}
    with pytest.raises(MessageRejected, match="Invalid signature"):
        bob.verify(tampered)

    old = alice.sign(SecureAgentMessage("alice", "bob", "task", {}, timestamp=time.time() - 31))
    with pytest.raises(MessageRejected, match="too old"):
        bob.verify(old)
    future = alice.sign(SecureAgentMessage("alice", "bob", "task", {}, timestamp=time.time() + 60))
    with pytest.raises(MessageRejected, match="future"):
        bob.verify(future)
    with pytest.raises(MessageRejected, match="Unknown sender"):
        MessageSigner("carol", None).verify(alice.sign({"recipient_id": "bob", "message_type": "task", "payload": {}}))
    with pytest.raises(MessageRejected, match="missing"):
        bob.verify({"sender_id": "alice"})


def test_signatures_are_the_guides_hmac_over_its_canonical_string() -> None:
    import hashlib
    import hmac

    message = SecureAgentMessage("a", "b", "result", {"z": 1, "a": [1, 2]}, timestamp=1700000000.25, nonce="00ff")
    signed = MessageSigner("a", "k").sign(message)
    canonical = '{"message_type":"result","nonce":"00ff","payload":{"a":[1,2],"z":1},"recipient_id":"b","sender_id":"a","timestamp":1700000000.25}'
    assert signed.to_signable_string() == canonical
    assert signed.signature == hmac.new(b"k", canonical.encode(), hashlib.sha256).hexdigest()


def test_replay_memory_forgets_nonces_only_after_they_could_no_longer_pass() -> None:
    signer = MessageSigner("b", "k", replay_window=30)
    message = MessageSigner("a", "k").sign(SecureAgentMessage("a", "b", "task", {}, timestamp=1000.0, nonce="n1"))
    signer.verify(message, now=1000.0)
    with pytest.raises(MessageRejected, match="Duplicate"):
        signer.verify(message, now=1029.0)
    with pytest.raises(MessageRejected, match="too old"):
        signer.verify(message, now=1031.5)
