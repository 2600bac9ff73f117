"""
Tool tokens (agentsoc.tool_tokens) as a tool checks them: every refusal of the spec, key rotation,
revocation by list and by the live stream, HS256 tokens in the guide's own shape, and refusals
reported to the console without the token. The issuer here is the test's own: it signs tokens in the
spec's format and serves the JWKS, the revocation list and its stream from a local HTTP server.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import queue
import sys
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from agentsoc import Client, ToolTokenRefused, ToolTokenSetupError, ToolTokenVerifier, verify_tool_token
from agentsoc.tool_tokens import MAX_TOKEN_CHARS, jwk_thumbprint
from support import Console, closed_port, wait_for


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64json(value: Any) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


class SigningKey:
    def __init__(self) -> None:
        self.private = Ed25519PrivateKey.generate()
        self.x = b64url(self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
        self.kid = jwk_thumbprint(self.x)

    @property
    def jwk(self) -> dict[str, str]:
        return {"kty": "OKP", "crv": "Ed25519", "x": self.x, "kid": self.kid, "alg": "EdDSA", "use": "sig"}


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "iss": "agentsoc",
        "aud": "agentsoc-tools",
        "sub": "support-agent-v1",
        "iat": now,
        "exp": now + 300,
        "jti": str(uuid.uuid4()),
        "tools": ["customer_lookup", "ticket_management"],
        "permissions": ["read", "write_ticket"],
        "tool_permissions": {"customer_lookup": ["read"], "ticket_management": ["read", "write_ticket"]},
        "nonce": "0123456789abcdef",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def eddsa(key: SigningKey, payload: Any, **header: Any) -> str:
    head = b64json({"alg": "EdDSA", "typ": "JWT", "kid": key.kid, **header})
    body = payload if isinstance(payload, str) else b64json(payload)
    return f"{head}.{body}.{b64url(key.private.sign(f'{head}.{body}'.encode()))}"


def hs256(secret: str, payload: Any, **header: Any) -> str:
    head = b64json({"alg": "HS256", "typ": "JWT", **header})
    body = payload if isinstance(payload, str) else b64json(payload)
    return f"{head}.{body}.{b64url(hmac.new(secret.encode(), f'{head}.{body}'.encode(), hashlib.sha256).digest())}"


class Issuer:
    """The console's counterpart of a tool: /.well-known/jwks.json, the revocation list and its SSE stream."""

    def __init__(self) -> None:
        self.keys = [SigningKey()]
        self.revoked: list[dict[str, Any]] = []
        self.hits: Counter[str] = Counter()
        self.streams: list[queue.Queue[str | None]] = []
        self.lock = threading.Lock()
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                issuer.hits[self.path] += 1
                if self.path == "/.well-known/jwks.json":
                    self.answer({"keys": [k.jwk for k in issuer.keys]})
                elif self.path == "/api/v1/tool-tokens/revocations":
                    self.answer({"revoked": list(issuer.revoked), "as_of": "2026-01-01T00:00:00Z"})
                elif self.path == "/api/v1/tool-tokens/revocations/stream":
                    self.stream()
                else:
                    self.send_error(404)

            def answer(self, body: Any) -> None:
                raw = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def stream(self) -> None:
                events: queue.Queue[str | None] = queue.Queue()
                with issuer.lock:
                    issuer.streams.append(events)
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                first = json.dumps({"revoked": list(issuer.revoked), "as_of": "2026-01-01T00:00:00Z"})
                self.wfile.write(f": hello\n\nevent: revocations\ndata: {first}\n\n".encode())
                self.wfile.flush()
                while True:
                    try:
                        item = events.get(timeout=0.5)
                    except queue.Empty:
                        item = ": keepalive\n\n"
                    if item is None:
                        return
                    try:
                        self.wfile.write(item.encode())
                        self.wfile.flush()
                    except OSError:
                        return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def jwks_url(self) -> str:
        return f"{self.url}/.well-known/jwks.json"

    @property
    def revocations_url(self) -> str:
        return f"{self.url}/api/v1/tool-tokens/revocations"

    def push_revoked(self, entries: list[dict[str, Any]]) -> None:
        self.revoked.extend(entries)
        with self.lock:
            for events in self.streams:
                events.put(f"event: revoked\ndata: {json.dumps({'revoked': entries})}\n\n")

    def end_streams(self) -> None:
        with self.lock:
            streams, self.streams = self.streams, []
        for events in streams:
            events.put(None)

    def close(self) -> None:
        self.end_streams()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    made = Issuer()
    yield made
    made.close()


def refused(verifier: ToolTokenVerifier, token: Any, tool: str = "customer_lookup", permission: str = "read") -> str:
    """The reason the verifier gives for refusing, or "accepted"."""
    try:
        verifier.require_tool_token(token, tool, permission)
    except ToolTokenRefused as err:
        assert verifier.verify_tool_token(token, tool, permission) is None
        return err.reason
    return "accepted"


def test_a_good_eddsa_token_gives_its_claims(issuer: Issuer) -> None:
    verifier = ToolTokenVerifier(issuer.jwks_url)
    issued = claims()
    token = eddsa(issuer.keys[0], issued)
    assert verifier.verify_tool_token(token, "customer_lookup", "read") == issued
    assert verifier.require_tool_token(token, "ticket_management", "write_ticket") == issued
    assert verify_tool_token(token, "customer_lookup", "read", keys={"keys": [issuer.keys[0].jwk]}) == issued
    assert verify_tool_token(token, "customer_lookup", "read", verifier) == issued
    assert issuer.hits["/.well-known/jwks.json"] == 1, "the keys are fetched once and cached"


def test_every_refusal_of_the_spec_is_named_with_the_guides_reason(issuer: Issuer) -> None:
    key = issuer.keys[0]
    verifier = ToolTokenVerifier(issuer.jwks_url)
    good = eddsa(key, claims())
    head, body, sig = good.split(".")
    now = int(time.time())
    cases: dict[str, tuple[str, str]] = {
        "alg none": (f"{b64json({'alg': 'none', 'typ': 'JWT'})}.{body}.{sig}", "agent_token_invalid"),
        "alg none, empty signature": (f"{b64json({'alg': 'none', 'typ': 'JWT'})}.{body}.", "agent_token_invalid"),
        "RS256": (f"{b64json({'alg': 'RS256', 'typ': 'JWT', 'kid': key.kid})}.{body}.{sig}", "agent_token_invalid"),
        "HS256 without a shared secret": (hs256("s3cret", claims()), "agent_token_invalid"),
        "HS256 signed with the public key as secret": (hs256(key.x, claims()), "agent_token_invalid"),
        "unknown kid": (eddsa(SigningKey(), claims()), "agent_token_invalid"),
        "no kid": (f"{b64json({'alg': 'EdDSA', 'typ': 'JWT'})}.{body}.{sig}", "agent_token_invalid"),
        "two parts": (f"{head}.{body}", "agent_token_invalid"),
        "four parts": (f"{good}.{sig}", "agent_token_invalid"),
        "padding in base64url": (f"{head}.{body}==.{sig}", "agent_token_invalid"),
        "standard base64 alphabet": (f"{head}.{body}.{sig.replace('-', '+').replace('_', '/')}+", "agent_token_invalid"),
        "non-canonical base64url": (f"{head}.{body}.{sig[:-1]}{'B' if sig[-1] == 'A' else 'A'}", "agent_token_invalid"),
        "non-ASCII": (f"{head}.{body}é.{sig}", "agent_token_invalid"),
        "payload is an array": (eddsa(key, b64url(b'["customer_lookup"]')), "agent_token_invalid"),
        "payload is not JSON": (eddsa(key, b64url(b"{'sub': 1}")), "agent_token_invalid"),
        "payload has NaN": (eddsa(key, b64url(b'{"sub":"a","exp":NaN}')), "agent_token_invalid"),
        "duplicate claim": (eddsa(key, b64url(json.dumps(claims()).replace('"tools":', '"tools": ["admin_panel"], "tools":', 1).encode())), "agent_token_invalid"),
        "header is a string": (f"{b64json('EdDSA')}.{body}.{sig}", "agent_token_invalid"),
        "oversized": (eddsa(key, claims(padding="x" * MAX_TOKEN_CHARS)), "agent_token_invalid"),
        "not a string": (12345, "agent_token_invalid"),
        "tampered payload": (f"{head}.{b64json(claims(tools=['customer_lookup', 'refund_issue']))}.{sig}", "agent_token_invalid"),
        "signature of another key": (f"{head}.{body}.{eddsa(SigningKey(), claims()).split('.')[2]}", "agent_token_invalid"),
        "expired": (eddsa(key, claims(iat=now - 400, exp=now - 100)), "agent_token_expired"),
        "issued in the future": (eddsa(key, claims(iat=now + 120, exp=now + 400)), "agent_token_invalid"),
        "another issuer": (eddsa(key, claims(iss="someone-else")), "agent_token_invalid"),
        "another audience": (eddsa(key, claims(aud=["billing"])), "agent_token_invalid"),
        "no issuer (EdDSA)": (eddsa(key, claims(iss=None)), "agent_token_invalid"),
        "no audience (EdDSA)": (eddsa(key, claims(aud=None)), "agent_token_invalid"),
        "exp as text": (eddsa(key, claims(exp=str(now + 300))), "agent_token_invalid"),
        "tools as one string": (eddsa(key, claims(tools="customer_lookup_and_more", tool_permissions=None)), "agent_token_invalid"),
        "another tool": (eddsa(key, claims(tools=["ticket_management"])), "agent_tool_unauthorized"),
        "another permission": (eddsa(key, claims(permissions=["write_ticket"])), "agent_permission_denied"),
    }
    reasons = {name: refused(verifier, token) for name, (token, _) in cases.items()}
    assert reasons == {name: reason for name, (_, reason) in cases.items()}
    # The control: the same verifier accepts the good token, and an audience array naming the tools.
    assert refused(verifier, good) == "accepted"
    assert refused(verifier, eddsa(key, claims(aud=["billing", "agentsoc-tools"]))) == "accepted"
    assert refused(verifier, eddsa(key, claims(exp=now + 2))) == "accepted", "within the leeway"
    assert refused(verifier, eddsa(key, claims(tools="customer_lookup", tool_permissions=None))) == "agent_token_invalid"


def test_tool_permissions_are_checked_per_tool(issuer: Issuer) -> None:
    verifier = ToolTokenVerifier(keys=[issuer.keys[0].jwk])
    token = eddsa(issuer.keys[0], claims())
    # "write_ticket" is in the flat list, which the guide's validate_token alone would accept for any tool.
    assert refused(verifier, token, "customer_lookup", "write_ticket") == "agent_permission_denied"
    assert refused(verifier, token, "ticket_management", "write_ticket") == "accepted"
    assert refused(verifier, token, "customer_lookup", "read") == "accepted"
    without_map = eddsa(issuer.keys[0], claims(tool_permissions=None))
    assert refused(verifier, without_map, "customer_lookup", "write_ticket") == "accepted", "without tool_permissions the flat lists decide"
    bad_map = eddsa(issuer.keys[0], claims(tool_permissions={"customer_lookup": "read"}))
    assert refused(verifier, bad_map) == "agent_token_invalid"


def test_key_rotation_the_older_key_verifies_and_an_unknown_kid_refetches_at_most_every_30_s(issuer: Issuer) -> None:
    old, new = issuer.keys[0], SigningKey()
    issuer.keys = [new, old]
    verifier = ToolTokenVerifier(issuer.jwks_url)
    assert verifier.jwks_refetch_interval == 30.0
    assert refused(verifier, eddsa(old, claims())) == "accepted"
    assert refused(verifier, eddsa(new, claims())) == "accepted"
    assert verifier.jwks_fetches == 1
    newest = SigningKey()
    issuer.keys = [newest, new]
    assert refused(verifier, eddsa(newest, claims())) == "agent_token_invalid"
    assert verifier.jwks_fetches == 1, "an unknown kid right after a fetch does not make the verifier ask again"

    # The same with the interval shortened, so that the test need not wait 30 s.
    issuer.keys = [new, old]
    verifier = ToolTokenVerifier(issuer.jwks_url, jwks_refetch_interval=0.5)
    assert refused(verifier, eddsa(old, claims())) == "accepted"
    time.sleep(0.6)
    issuer.keys = [newest, new]
    assert refused(verifier, eddsa(newest, claims())) == "accepted", "an unknown kid makes the verifier ask again"
    assert verifier.jwks_fetches == 2
    stranger = SigningKey()
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(refused(verifier, eddsa(stranger, claims())))) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["agent_token_invalid"] * 5
    assert verifier.jwks_fetches == 2, "once, not again within the interval"
    assert refused(verifier, eddsa(old, claims())) == "agent_token_invalid", "a key dropped from the JWKS no longer verifies"
    assert issuer.hits["/.well-known/jwks.json"] == 3


def test_hs256_tokens_in_the_guides_exact_shape_are_accepted_with_the_shared_secret() -> None:
    secret = "your-signing-key"
    verifier = ToolTokenVerifier(hs256_secret=secret)
    now = int(time.time())
    # AgentTokenManager.issue_token's payload, field for field: no iss, no aud, no jti.
    guide = {
        "sub": "support-agent-v1",
        "iat": now,
        "exp": now + 300,
        "tools": ["customer_lookup", "ticket_management"],
        "permissions": ["read", "write_ticket"],
        "nonce": hashlib.sha256(f"support-agent-v1:{now}".encode()).hexdigest()[:8],
    }
    token = hs256(secret, guide)
    assert verifier.verify_tool_token(token, "customer_lookup", "read") == guide
    assert refused(verifier, token, "refund_issue", "read") == "agent_tool_unauthorized"
    assert refused(verifier, token, "customer_lookup", "delete") == "agent_permission_denied"
    assert refused(verifier, hs256("another-key", guide)) == "agent_token_invalid"
    assert refused(verifier, hs256(secret, {**guide, "iss": "someone-else"})) == "agent_token_invalid"
    assert refused(verifier, hs256(secret, {**guide, "exp": now - 60})) == "agent_token_expired"
    assert refused(verifier, hs256(secret, claims())) == "accepted", "the console's HS256 form, with iss and aud"
    head, body, sig = token.split(".")
    assert refused(verifier, f"{head}.{b64json({**guide, 'permissions': ['read', 'admin']})}.{sig}") == "agent_token_invalid"
    eddsa_token = eddsa(SigningKey(), claims())
    assert refused(verifier, eddsa_token) == "agent_token_invalid", "EdDSA needs public keys"


def test_a_token_revoked_in_the_list_is_refused_and_the_list_is_read_again_when_old(issuer: Issuer) -> None:
    key = issuer.keys[0]
    first, second, third = claims(), claims(), claims()
    issuer.revoked = [{"jti": first["jti"], "exp": first["exp"]}]
    verifier = ToolTokenVerifier(issuer.jwks_url, revocations_url=issuer.revocations_url, revocations_max_age=0.2)
    assert refused(verifier, eddsa(key, first)) == "agent_token_revoked"
    assert refused(verifier, eddsa(key, second)) == "accepted"
    issuer.revoked.append({"jti": second["jti"], "exp": second["exp"]})
    assert refused(verifier, eddsa(key, second)) == "accepted", "the list read 0.2 s ago is used"
    time.sleep(0.3)
    assert refused(verifier, eddsa(key, second)) == "agent_token_revoked"
    assert refused(verifier, eddsa(key, third)) == "accepted"
    # Expiry comes first: a revoked token that also expired is reported as expired.
    expired = claims(exp=int(time.time()) - 30, iat=int(time.time()) - 300)
    issuer.revoked.append({"jti": expired["jti"], "exp": expired["exp"]})
    assert refused(verifier, eddsa(key, expired)) == "agent_token_expired"


def test_a_revocation_pushed_on_the_live_stream_is_refused_at_once_and_the_stream_is_followed_again(issuer: Issuer) -> None:
    key = issuer.keys[0]
    one, two, three = claims(), claims(), claims()
    issuer.revoked = [{"jti": one["jti"], "exp": one["exp"]}]
    with ToolTokenVerifier(issuer.jwks_url, revocations_url=issuer.revocations_url, follow_revocations=True, revocations_max_age=3600) as verifier:
        assert verifier.wait_for_revocations(5), "the stream's first event, the list"
        assert refused(verifier, eddsa(key, one)) == "agent_token_revoked"
        assert refused(verifier, eddsa(key, two)) == "accepted"
        started = time.monotonic()
        issuer.push_revoked([{"jti": two["jti"], "exp": two["exp"]}])
        wait_for(lambda: refused(verifier, eddsa(key, two)) == "agent_token_revoked", 2, "the pushed revocation")
        assert time.monotonic() - started < 1.0
        assert issuer.hits["/api/v1/tool-tokens/revocations"] == 0, "the stream kept the list; it was never fetched"

        # The console restarts: the stream ends, and a revocation made meanwhile arrives on the next one.
        issuer.end_streams()
        issuer.revoked.append({"jti": three["jti"], "exp": three["exp"]})
        wait_for(lambda: issuer.hits["/api/v1/tool-tokens/revocations/stream"] >= 2, 5, "the verifier to follow the stream again")
        wait_for(lambda: refused(verifier, eddsa(key, three)) == "agent_token_revoked", 5, "the revocation from the new stream")


def test_from_console_finds_the_keys_and_follows_the_revocations_at_the_consoles_paths(issuer: Issuer) -> None:
    issued = claims()
    issuer.revoked = [{"jti": issued["jti"], "exp": issued["exp"]}]
    with ToolTokenVerifier.from_console(issuer.url + "/") as verifier:
        assert verifier.wait_for_revocations(5)
        assert refused(verifier, eddsa(issuer.keys[0], issued)) == "agent_token_revoked"
        assert refused(verifier, eddsa(issuer.keys[0], claims())) == "accepted"
    assert issuer.hits["/.well-known/jwks.json"] == 1 and issuer.hits["/api/v1/tool-tokens/revocations/stream"] == 1


def test_revoked_entries_are_forgotten_once_their_tokens_expired() -> None:
    verifier = ToolTokenVerifier(hs256_secret="k")
    now = time.time()
    assert verifier.revoke([{"jti": "a", "exp": now + 60}, {"jti": "b", "exp": now - 60}, {"jti": 5}, "junk"]) == 2
    assert verifier.revoked_count == 1
    assert refused(verifier, hs256("k", claims(jti="a"))) == "agent_token_revoked", "a list given by hand counts too"


def test_without_a_revocation_list_fail_closed_refuses_and_fail_open_goes_on(issuer: Issuer) -> None:
    token = eddsa(issuer.keys[0], claims())
    nowhere = f"http://127.0.0.1:{closed_port()}/api/v1/tool-tokens/revocations"
    closed = ToolTokenVerifier(issuer.jwks_url, revocations_url=nowhere, timeout=1)
    with pytest.raises(ToolTokenRefused) as err:
        closed.require_tool_token(token, "customer_lookup", "read")
    assert err.value.reason == "agent_token_invalid" and "revocation list" in err.value.detail
    opened = ToolTokenVerifier(issuer.jwks_url, revocations_url=nowhere, timeout=1, fail="open")
    assert opened.verify_tool_token(token, "customer_lookup", "read") is not None


def test_an_eddsa_token_without_the_cryptography_package_is_a_clear_setup_error(issuer: Issuer, monkeypatch: pytest.MonkeyPatch) -> None:
    verifier = ToolTokenVerifier(keys=[issuer.keys[0].jwk], hs256_secret="k")
    token = eddsa(issuer.keys[0], claims())
    monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives.asymmetric.ed25519", None)
    with pytest.raises(ToolTokenSetupError, match=r"agentsoc\[tokens\]"):
        verifier.verify_tool_token(token, "customer_lookup", "read")
    assert verifier.verify_tool_token(hs256("k", claims()), "customer_lookup", "read") is not None, "HS256 needs nothing more"
    monkeypatch.undo()
    assert verifier.verify_tool_token(token, "customer_lookup", "read") is not None


class RecordingClient:
    """A stand-in with the Client's session().log() shape, for checking what a refusal reports without a console."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.sessions = 0

    def session(self) -> "RecordingClient":
        self.sessions += 1
        return self

    def log(self, action_type: str, action_name: str, **fields: Any) -> str:
        self.events.append({"action_type": action_type, "action_name": action_name, **fields})
        return "id"


def test_refusals_are_reported_as_security_events_without_the_token(issuer: Issuer) -> None:
    recorder = RecordingClient()
    verifier = ToolTokenVerifier(keys=[issuer.keys[0].jwk], client=recorder)
    issued = claims()
    token = eddsa(issuer.keys[0], issued)
    assert verifier.verify_tool_token(token, "refund_issue", "write") is None
    assert verifier.verify_tool_token(token[:-4] + "AAAA", "customer_lookup", "read") is None
    assert verifier.verify_tool_token(token, "customer_lookup", "read") == issued
    assert [e["action_name"] for e in recorder.events] == ["agent_tool_unauthorized", "agent_token_invalid"]
    unauthorized, invalid = recorder.events
    assert unauthorized["action_type"] == "security" and unauthorized["security_flags"] == ["agent_tool_unauthorized"]
    assert unauthorized["metadata"] == {
        "agent_id": "support-agent-v1",
        "tool": "refund_issue",
        "permission": "write",
        "allowed_tools": ["customer_lookup", "ticket_management"],
        "jti": issued["jti"],
    }
    assert invalid["metadata"] == {"tool": "customer_lookup", "permission": "read"}, "a forged token's claims are not believed"
    text = json.dumps(recorder.events)
    for part in token.split("."):
        assert part not in text
    assert recorder.sessions == 1


def test_a_refusal_reaches_the_console_as_a_security_event_of_the_tools_agent(
    console: Console, agent: tuple[str, str], make_client: Callable[..., Client], issuer: Issuer
) -> None:
    tool_service = make_client()
    verifier = ToolTokenVerifier(issuer.jwks_url, client=tool_service)
    token = eddsa(issuer.keys[0], claims(sub="py-caller-agent", permissions=["read"]))
    assert verifier.verify_tool_token(token, "customer_lookup", "delete") is None
    assert tool_service.flush(timeout=10)
    stored = console.events(agent[0], action_type="security")
    assert [e["action_name"] for e in stored] == ["agent_permission_denied"]
    assert stored[0]["security_flags"] == ["agent_permission_denied"]
    assert stored[0]["metadata"]["agent_id"] == "py-caller-agent"
    assert stored[0]["metadata"]["tool"] == "customer_lookup" and stored[0]["metadata"]["permission"] == "delete"
    assert token.split(".")[2] not in json.dumps(stored) and token.split(".")[1] not in json.dumps(stored)


def test_the_consoles_own_tokens_verify_and_a_kill_reaches_the_following_verifier(console: Console, agent: tuple[str, str]) -> None:
    agent_id, ingest_key = agent
    console.ok(
        "PUT",
        f"/api/v1/agents/{agent_id}/policy",
        {"permissions": [{"tool_name": "customer_lookup", "allowed_actions": ["read"], "resource_scope": ["customers.*"]}]},
    )
    status, issued = console.api(
        "POST", f"/api/v1/agents/{agent_id}/tool-tokens", {"tools": ["customer_lookup"], "permissions": ["read"]}, token=ingest_key
    )
    assert status == 201, issued
    with ToolTokenVerifier.from_console(console.url) as verifier:
        granted = verifier.verify_tool_token(issued["token"], "customer_lookup", "read")
        assert granted is not None and granted["sub"] == agent_id and granted["jti"] == issued["jti"]
        with pytest.raises(ToolTokenRefused) as wider:
            verifier.require_tool_token(issued["token"], "customer_lookup", "write")
        assert wider.value.reason == "agent_permission_denied"

        console.kill(agent_id, "tool token drill")
        try:
            def revoked() -> bool:
                try:
                    verifier.require_tool_token(issued["token"], "customer_lookup", "read")
                    return False
                except ToolTokenRefused as refusal:
                    return refusal.reason == "agent_token_revoked"

            wait_for(revoked, timeout=5, what="the kill's revocation to reach the verifier")
        finally:
            console.revive(agent_id)
