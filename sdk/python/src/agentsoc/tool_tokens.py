"""
Verifying the short-lived tool tokens AgentSOC issues to agents (the guide's AgentTokenManager):
the tool side of `POST /api/v1/agents/{id}/tool-tokens`. EdDSA tokens are checked against the
console's public keys (`/.well-known/jwks.json`), HS256 tokens against a shared secret, and every
token against the console's revocation list, which a kill fills.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import http.client
import json
import logging
import math
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable, Iterable, Literal, Mapping

from ._backoff import backoff_delay
from ._http import USER_AGENT
from ._killswitch import COMMENT, SseParser
from .errors import AgentSocError

TOKEN_EXPIRED = "agent_token_expired"
TOKEN_INVALID = "agent_token_invalid"
TOKEN_REVOKED = "agent_token_revoked"
TOOL_UNAUTHORIZED = "agent_tool_unauthorized"
PERMISSION_DENIED = "agent_permission_denied"
REASONS = (TOKEN_EXPIRED, TOKEN_INVALID, TOKEN_REVOKED, TOOL_UNAUTHORIZED, PERMISSION_DENIED)

ISSUER = "agentsoc"
AUDIENCE = "agentsoc-tools"
# A token is a few hundred bytes; anything near this is not one of ours and is refused before any decoding.
MAX_TOKEN_CHARS = 8 * 1024
# The spec: a verifier meeting an unknown kid asks for the JWKS again at most this often.
JWKS_REFETCH_INTERVAL_S = 30.0
# Keys are fetched again this long after the last fetch, so that a key the console dropped stops verifying.
JWKS_MAX_AGE_S = 600.0
MAX_DOCUMENT_BYTES = 1024 * 1024
# The console sends a keepalive every 15 s: a stream silent for longer is taken for dead.
STREAM_LIVENESS_S = 20.0

_B64URL = re.compile(r"[A-Za-z0-9_-]*")
FailPolicy = Literal["closed", "open"]


class ToolTokenRefused(AgentSocError):
    """A tool token was refused: `reason` is one of the guide's event names (REASONS), `detail` says why in words."""

    def __init__(self, reason: str, detail: str, agent_id: str | None = None) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.agent_id = agent_id


class ToolTokenSetupError(AgentSocError):
    """The verifier cannot check this kind of token as configured (EdDSA without the cryptography package)."""


class _Refusal(Exception):
    def __init__(self, reason: str, detail: str, claims: Mapping[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.claims = claims


def _invalid(detail: str) -> _Refusal:
    return _Refusal(TOKEN_INVALID, detail)


def _b64url_decode(part: str, what: str) -> bytes:
    # Strict: the URL-safe alphabet only, no padding, and the one canonical spelling of the bytes.
    if not _B64URL.fullmatch(part) or len(part) % 4 == 1:
        raise _invalid(f"malformed base64url in the {what}")
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError) as err:
        raise _invalid(f"malformed base64url in the {what}") from err
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != part:
        raise _invalid(f"malformed base64url in the {what} (not its canonical form)")
    return raw


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"duplicate member {key[:50]!r}")
        seen[key] = value
    return seen


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise _invalid(f"the {what} is not valid JSON ({str(err)[:120]})") from err
    if not isinstance(value, dict):
        raise _invalid(f"the {what} is not a JSON object")
    return value


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _string_list(claims: Mapping[str, Any], name: str) -> list[str]:
    value = claims.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        # A string here would make `tool in value` a substring test: "lookup" would pass for "customer_lookup".
        raise _invalid(f"claim {name} must be an array of strings")
    return value


def _short(value: Any) -> str:
    return repr(value)[:80]


class PublicKeys:
    """Ed25519 public keys by kid, from a JWKS document. Keys of other types or uses are left out."""

    def __init__(self, document: Any) -> None:
        if isinstance(document, Mapping):
            entries = document.get("keys")
        else:
            entries = document
        if not isinstance(entries, (list, tuple)):
            raise ValueError('a JWKS must be {"keys": [...]} or a list of JWKs')
        self.by_kid: dict[str, bytes] = {}
        for jwk in entries:
            if not isinstance(jwk, Mapping):
                continue
            if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
                continue
            if jwk.get("alg", "EdDSA") != "EdDSA" or jwk.get("use", "sig") != "sig":
                continue
            kid, x = jwk.get("kid"), jwk.get("x")
            if not isinstance(kid, str) or not kid or not isinstance(x, str):
                continue
            try:
                raw = _b64url_decode(x, "key")
            except _Refusal:
                continue
            if len(raw) == 32:
                self.by_kid[kid] = raw


def jwk_thumbprint(x: str) -> str:
    """RFC 7638 thumbprint of an Ed25519 JWK (its kid in AgentSOC's JWKS)."""
    canonical = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode("ascii")


def _ed25519_verify(public_key: bytes, signature: bytes, signed: bytes) -> bool:
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError as err:
        raise ToolTokenSetupError(
            "an EdDSA tool token needs the cryptography package to verify: pip install 'agentsoc[tokens]' "
            "(or Debian's python3-cryptography); HS256 tokens need nothing more"
        ) from err
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, signed)
    except InvalidSignature:
        return False
    return True


def _fetch_json(url: str, timeout: float) -> Any:
    req = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (the URL is the operator's, checked http/https)
            body = resp.read(MAX_DOCUMENT_BYTES + 1)
    except urllib.error.HTTPError as err:
        raise OSError(f"{url} answered HTTP {err.code}") from err
    except urllib.error.URLError as err:
        raise OSError(f"{url}: {err.reason}") from err
    except http.client.HTTPException as err:
        raise OSError(f"{url}: {err!r}") from err
    if len(body) > MAX_DOCUMENT_BYTES:
        raise OSError(f"{url} answered more than {MAX_DOCUMENT_BYTES} bytes")
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise OSError(f"{url} did not answer JSON: {err}") from err


def _http_url(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{name} must be an http:// or https:// URL with a host, got {url!r}")
    return url


class ToolTokenVerifier:
    """
    Checks a tool token the way the guide's validate_token does, in the spec's order: format and
    alg, signature, expiry / issuer / audience, revocation, then the tool and the permission
    (also per tool when the token carries tool_permissions). Thread-safe; make one per process.

    keys: a JWKS (dict) or list of JWKs to use instead of fetching jwks_url. hs256_secret enables
    HS256 tokens (the guide's shared-secret form). revocations_url: the console's revocation list;
    follow_revocations=True also follows its live stream (revocations_url + "/stream") in a daemon
    thread. fail="closed" refuses every token while the revocation list cannot be had; "open" goes on
    with the last one known. client: an agentsoc Client whose session each refusal is reported to.
    """

    def __init__(
        self,
        jwks_url: str | None = None,
        *,
        keys: Mapping[str, Any] | Iterable[Mapping[str, Any]] | None = None,
        hs256_secret: str | bytes | None = None,
        revocations_url: str | None = None,
        follow_revocations: bool = False,
        leeway: float = 5.0,
        client: Any = None,
        fail: FailPolicy = "closed",
        revocations_max_age: float = 10.0,
        jwks_refetch_interval: float = JWKS_REFETCH_INTERVAL_S,
        timeout: float = 5.0,
        logger: logging.Logger | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if jwks_url is not None and keys is not None:
            raise ValueError("give jwks_url or keys, not both")
        if fail not in ("closed", "open"):
            raise ValueError('fail must be "closed" or "open"')
        if follow_revocations and not revocations_url:
            raise ValueError("follow_revocations needs revocations_url")
        if isinstance(hs256_secret, str):
            hs256_secret = hs256_secret.encode("utf-8")
        if hs256_secret is not None and not hs256_secret:
            raise ValueError("hs256_secret must not be empty")
        if jwks_url is None and keys is None and hs256_secret is None:
            raise ValueError("a verifier needs public keys (jwks_url= or keys=) or a shared secret (hs256_secret=)")
        self.jwks_url = _http_url(jwks_url, "jwks_url") if jwks_url else None
        self.revocations_url = _http_url(revocations_url, "revocations_url") if revocations_url else None
        self.leeway = float(leeway)
        self.fail: FailPolicy = fail
        self.revocations_max_age = revocations_max_age
        self.jwks_refetch_interval = jwks_refetch_interval
        self.timeout = timeout
        self._secret = hs256_secret
        self._client = client
        self._session: Any = None
        self._log = logger or logging.getLogger("agentsoc")
        self._clock = clock
        self._lock = threading.Lock()
        self._fetch_lock = threading.Lock()
        self._keys: dict[str, bytes] | None = PublicKeys(keys).by_kid if keys is not None else None
        self._keys_at: float | None = None
        self._jwks_tried_at: float | None = None
        self._jwks_fetches = 0
        self._revoked: dict[str, float] = {}
        self._revocations_at: float | None = None
        self._stream_open = False
        self._stream_heard: float | None = None
        self._stop = threading.Event()
        self._conn: http.client.HTTPConnection | None = None
        self._thread: threading.Thread | None = None
        if follow_revocations and self.revocations_url:
            self._thread = threading.Thread(target=self._follow_loop, name="agentsoc-tool-token-revocations", daemon=True)
            self._thread.start()

    @classmethod
    def from_console(cls, url: str, **options: Any) -> "ToolTokenVerifier":
        """A verifier for tokens the console at `url` issues: its JWKS, its revocation list followed live."""
        base = _http_url(url, "url").rstrip("/")
        options.setdefault("revocations_url", f"{base}/api/v1/tool-tokens/revocations")
        options.setdefault("follow_revocations", True)
        return cls(f"{base}/.well-known/jwks.json", **options)

    # ---- the checks ----

    def verify_tool_token(self, token: Any, tool: str, permission: str) -> dict[str, Any] | None:
        """The guide's validate_token: the token's claims when it grants `permission` on `tool`, None otherwise (reported)."""
        try:
            return self.require_tool_token(token, tool, permission)
        except ToolTokenRefused:
            return None

    def require_tool_token(self, token: Any, tool: str, permission: str) -> dict[str, Any]:
        """Like verify_tool_token, but raises ToolTokenRefused(reason, detail) instead of returning None."""
        try:
            return self._check(token, tool, permission)
        except _Refusal as refusal:
            sub = refusal.claims.get("sub") if refusal.claims is not None else None
            agent_id = sub if isinstance(sub, str) else None
            self._report(refusal, agent_id, tool, permission)
            raise ToolTokenRefused(refusal.reason, refusal.detail, agent_id) from None

    def _check(self, token: Any, tool: str, permission: str) -> dict[str, Any]:
        if isinstance(token, bytes):
            try:
                token = token.decode("ascii")
            except UnicodeDecodeError:
                raise _invalid("the token is not ASCII") from None
        if not isinstance(token, str):
            raise _invalid("the token is not a string")
        if len(token) > MAX_TOKEN_CHARS:
            raise _invalid(f"the token is longer than {MAX_TOKEN_CHARS} characters")
        parts = token.split(".")
        if len(parts) != 3 or not all(parts):
            raise _invalid("a token is three non-empty base64url parts separated by dots")
        header = _json_object(_b64url_decode(parts[0], "header"), "header")
        payload_raw = _b64url_decode(parts[1], "payload")
        signature = _b64url_decode(parts[2], "signature")
        signed = f"{parts[0]}.{parts[1]}".encode("ascii")
        alg = header.get("alg")
        if "crit" in header:
            raise _invalid("the header names critical extensions this verifier does not know")
        if header.get("typ", "JWT") not in ("JWT", "jwt"):
            raise _invalid(f"header typ {_short(header.get('typ'))} is not JWT")
        if alg == "EdDSA":
            kid = header.get("kid")
            if not isinstance(kid, str) or not kid:
                raise _invalid("an EdDSA token must name its key (kid)")
            if self._keys is None and self.jwks_url is None:
                raise _invalid("EdDSA tokens are not accepted here: the verifier has no public keys")
            key = self._key(kid)
            if key is None:
                raise _invalid(f"unknown key id {_short(kid)}")
            if len(signature) != 64 or not _ed25519_verify(key, signature, signed):
                raise _invalid("bad signature")
        elif alg == "HS256":
            if self._secret is None:
                raise _invalid("HS256 tokens are not accepted here: the verifier has no shared secret")
            expected = hmac.new(self._secret, signed, hashlib.sha256).digest()
            if not hmac.compare_digest(signature, expected):
                raise _invalid("bad signature")
        else:
            raise _invalid(f"alg {_short(alg)} is not accepted (EdDSA, or HS256 with a shared secret)")
        claims = _json_object(payload_raw, "payload")
        try:
            self._check_claims(claims, alg, tool, permission)
        except _Refusal as refusal:
            refusal.claims = claims
            raise
        return claims

    def _check_claims(self, claims: dict[str, Any], alg: str, tool: str, permission: str) -> None:
        now = self._clock()
        ours = alg == "EdDSA"
        sub = claims.get("sub")
        if not isinstance(sub, str):
            raise _invalid("claim sub (the agent id) must be a string")
        exp = claims.get("exp")
        if not _number(exp):
            raise _invalid("claim exp must be epoch seconds")
        iat = claims.get("iat")
        if iat is not None and not _number(iat):
            raise _invalid("claim iat must be epoch seconds")
        if ours and iat is None:
            raise _invalid("claim iat is missing")
        if exp <= now - self.leeway:
            raise _Refusal(TOKEN_EXPIRED, f"the token expired {now - exp:.0f} s ago")
        if iat is not None and iat > now + self.leeway:
            raise _invalid("claim iat is in the future")
        nbf = claims.get("nbf")
        if nbf is not None and (not _number(nbf) or nbf > now + self.leeway):
            raise _invalid("the token is not valid yet (nbf)")
        # The guide's own AgentTokenManager signs HS256 tokens without iss and aud: only they may lack them.
        if "iss" in claims or ours:
            if claims.get("iss") != ISSUER:
                raise _invalid(f"issuer {_short(claims.get('iss'))} is not {ISSUER!r}")
        if "aud" in claims or ours:
            aud = claims.get("aud")
            if not (aud == AUDIENCE or (isinstance(aud, list) and AUDIENCE in aud)):
                raise _invalid(f"audience {_short(aud)} is not {AUDIENCE!r}")
        jti = claims.get("jti")
        if jti is not None and not isinstance(jti, str):
            raise _invalid("claim jti must be a string")
        if ours and not jti:
            raise _invalid("claim jti is missing")
        tools = _string_list(claims, "tools")
        permissions = _string_list(claims, "permissions")
        per_tool = claims.get("tool_permissions")
        if per_tool is not None:
            if not isinstance(per_tool, dict) or not all(isinstance(v, list) and all(isinstance(p, str) for p in v) for v in per_tool.values()):
                raise _invalid("claim tool_permissions must map tool names to arrays of strings")
        if self._is_revoked(jti):
            raise _Refusal(TOKEN_REVOKED, "the token was revoked (its agent was killed)")
        if tool not in tools:
            raise _Refusal(TOOL_UNAUTHORIZED, f"the token does not grant tool {_short(tool)}")
        if permission not in permissions:
            raise _Refusal(PERMISSION_DENIED, f"the token does not grant permission {_short(permission)}")
        if per_tool is not None and permission not in per_tool.get(tool, []):
            raise _Refusal(PERMISSION_DENIED, f"the token does not grant permission {_short(permission)} on tool {_short(tool)}")

    # ---- public keys ----

    def _key(self, kid: str) -> bytes | None:
        if self.jwks_url is None:
            return (self._keys or {}).get(kid)
        # One fetch at a time: threads meeting the same new kid wait for it rather than each asking.
        with self._fetch_lock:
            with self._lock:
                keys, keys_at, tried_at = self._keys, self._keys_at, self._jwks_tried_at
            now = time.monotonic()
            stale = keys_at is None or now - keys_at > JWKS_MAX_AGE_S
            unknown = keys is None or kid not in keys
            may_refetch = tried_at is None or now - tried_at >= self.jwks_refetch_interval
            if stale or (unknown and may_refetch):
                self._refresh_keys()
        with self._lock:
            return (self._keys or {}).get(kid)

    def _refresh_keys(self) -> None:
        assert self.jwks_url is not None
        with self._lock:
            self._jwks_tried_at = time.monotonic()
            self._jwks_fetches += 1
        try:
            found = PublicKeys(_fetch_json(self.jwks_url, self.timeout)).by_kid
        except (OSError, ValueError) as err:
            self._log.warning("agentsoc: could not fetch the tool-token public keys from %s: %s", self.jwks_url, err)
            return
        with self._lock:
            self._keys = found
            self._keys_at = time.monotonic()

    @property
    def jwks_fetches(self) -> int:
        """How many times the JWKS was asked for (the spec limits it to once per 30 s for unknown kids)."""
        return self._jwks_fetches

    # ---- revocations ----

    def revoke(self, entries: Iterable[Mapping[str, Any]]) -> int:
        """Adds revoked tokens ({"jti", "exp"} each, as the console lists them); returns how many were new."""
        now = self._clock()
        added = 0
        with self._lock:
            for entry in entries:
                if not isinstance(entry, Mapping):
                    continue
                jti, exp = entry.get("jti"), entry.get("exp")
                if not isinstance(jti, str) or not jti:
                    continue
                # An entry without a readable exp is kept for the longest a token can live.
                until = float(exp) if _number(exp) else now + 3600.0
                if jti not in self._revoked:
                    added += 1
                self._revoked[jti] = max(until, self._revoked.get(jti, until))
            self._prune(now)
        return added

    def _prune(self, now: float) -> None:
        # Past its exp (and the leeway) a token is refused as expired anyway.
        for jti in [j for j, exp in self._revoked.items() if exp < now - self.leeway]:
            del self._revoked[jti]

    @property
    def revoked_count(self) -> int:
        with self._lock:
            return len(self._revoked)

    def _revocations_fresh(self) -> bool:
        now = time.monotonic()
        if self._stream_open and self._stream_heard is not None and now - self._stream_heard <= STREAM_LIVENESS_S:
            return True
        return self._revocations_at is not None and now - self._revocations_at <= self.revocations_max_age

    def refresh_revocations(self) -> None:
        """Fetches the revocation list now. Raises OSError or ValueError when it cannot be had."""
        assert self.revocations_url is not None
        body = _fetch_json(self.revocations_url, self.timeout)
        if not isinstance(body, dict) or not isinstance(body.get("revoked"), list):
            raise ValueError(f'{self.revocations_url} did not answer {{"revoked": [...]}}')
        self.revoke(body["revoked"])
        self._revocations_at = time.monotonic()

    def _is_revoked(self, jti: str | None) -> bool:
        if self.revocations_url and not self._revocations_fresh():
            try:
                self.refresh_revocations()
            except (OSError, ValueError) as err:
                if self.fail == "closed":
                    raise _invalid(f"the revocation list cannot be read, so no token is trusted (fail closed): {err}") from None
                self._log.warning("agentsoc: tool-token revocation list unavailable (%s); fail=open: using the last one known", err)
        if jti is None:
            return False
        with self._lock:
            self._prune(self._clock())
            return jti in self._revoked

    def _follow_loop(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            try:
                if self._follow_once():
                    attempt = 0
            except (OSError, http.client.HTTPException, ValueError) as err:
                self._log.debug("agentsoc: tool-token revocation stream: %s", err)
            self._stop.wait(backoff_delay(attempt))
            attempt += 1

    def _follow_once(self) -> bool:
        assert self.revocations_url is not None
        parts = urllib.parse.urlsplit(self.revocations_url.rstrip("/") + "/stream")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        conn: http.client.HTTPConnection = (
            http.client.HTTPSConnection(parts.hostname or "", port, timeout=STREAM_LIVENESS_S + 5)
            if parts.scheme == "https"
            else http.client.HTTPConnection(parts.hostname or "", port, timeout=STREAM_LIVENESS_S + 5)
        )
        self._conn = conn
        opened = False
        try:
            if self._stop.is_set():
                return False
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            conn.request("GET", path, headers={"Accept": "text/event-stream", "User-Agent": USER_AGENT})
            resp = conn.getresponse()
            if resp.status != 200:
                raise OSError(f"the revocation stream answered HTTP {resp.status}")
            parser = SseParser()
            while not self._stop.is_set():
                raw = resp.readline(MAX_DOCUMENT_BYTES)
                if not raw:
                    return opened
                if self._stream_open:
                    self._stream_heard = time.monotonic()
                item = parser.feed(raw.decode("utf-8", "replace"))
                if item is None or item is COMMENT:
                    continue
                event, data = item
                if event not in ("revocations", "revoked"):
                    continue
                try:
                    body = json.loads(data)
                except ValueError:
                    self._log.warning("agentsoc: unreadable tool-token revocation event: %r", data[:100])
                    continue
                if isinstance(body, dict) and isinstance(body.get("revoked"), list):
                    added = self.revoke(body["revoked"])
                    if added:
                        self._log.info("agentsoc: %d tool token(s) revoked", added)
                    if event == "revocations":
                        # The whole list: from here on the stream keeps it current.
                        opened = True
                        self._stream_open = True
                        self._stream_heard = time.monotonic()
                        self._revocations_at = time.monotonic()
            return opened
        finally:
            self._stream_open = False
            self._conn = None
            conn.close()

    def wait_for_revocations(self, timeout: float) -> bool:
        """True once the live stream has delivered the revocation list (follow_revocations=True)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._stream_open:
                return True
            time.sleep(0.02)
        return self._stream_open

    def close(self) -> None:
        """Stops following the revocation stream."""
        self._stop.set()
        sock = getattr(self._conn, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(2)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> "ToolTokenVerifier":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- reporting ----

    def _report(self, refusal: _Refusal, agent_id: str | None, tool: str, permission: str) -> None:
        self._log.info("agentsoc: tool token refused: %s: %s", refusal.reason, refusal.detail)
        if self._client is None:
            return
        metadata: dict[str, Any] = {"tool": tool, "permission": permission}
        if agent_id is not None:
            metadata["agent_id"] = agent_id
        claims = refusal.claims or {}
        if refusal.reason == TOOL_UNAUTHORIZED and isinstance(claims.get("tools"), list):
            metadata["allowed_tools"] = claims["tools"]
        if isinstance(claims.get("jti"), str):
            metadata["jti"] = claims["jti"]
        try:
            with self._lock:
                if self._session is None:
                    self._session = self._client.session()
            session = getattr(self._session, "_session", self._session)  # an AsyncSession wraps a Session
            session.log(
                "security",
                refusal.reason,
                input_summary=f"tool token refused for {tool} ({permission}): {refusal.detail}",
                security_flags=[refusal.reason],
                metadata=metadata,
            )
        except Exception:
            self._log.exception("agentsoc: could not report a refused tool token")


def verify_tool_token(token: Any, tool: str, permission: str, verifier: ToolTokenVerifier | None = None, **options: Any) -> dict[str, Any] | None:
    """
    One check: the claims, or None. Give a verifier you keep (it caches the keys and follows the
    revocations), or the ToolTokenVerifier options for a one-off check.
    """
    if verifier is not None:
        if options:
            raise ValueError("give a verifier or its options, not both")
        return verifier.verify_tool_token(token, tool, permission)
    with ToolTokenVerifier(**options) as once:
        return once.verify_tool_token(token, tool, permission)
