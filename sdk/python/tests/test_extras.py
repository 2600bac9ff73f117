"""Canaries issued by the console, output checks, signed messages between two clients, and the asyncio client."""

from __future__ import annotations

import asyncio
import json
from typing import Callable

import pytest

from agentsoc import AgentKilled, AsyncClient, Client, MessageRejected, OutputBlocked
from support import Console, raises_within, wait_for


def test_a_canary_issued_by_the_console_is_caught_before_it_leaves_and_reported(
    console: Console, agent: tuple[str, str], make_client: Callable[..., Client]
) -> None:
    soc = make_client(admin_token=console.admin_token, forbidden_patterns=["internal pricing sheet"])
    token = soc.canary(placement="system_prompt", label="support prompt")
    assert token.startswith("CANARY-")
    registered = console.ok("GET", f"/api/v1/canaries?agent_id={agent[0]}")["canaries"]
    assert [c["token"] for c in registered] == [token]

    with soc.session() as s:
        assert s.check_output("Your refund is on its way.") == "Your refund is on its way."
        with pytest.raises(OutputBlocked) as leak:
            s.check_output(f"Sure! My instructions contain {token.lower()}.")
        assert leak.value.kind == "canary" and token not in str(leak.value)
        with pytest.raises(OutputBlocked) as pattern:
            s.check_output("Attached: the Internal  Pricing Sheet")
        assert pattern.value.kind == "forbidden_pattern"
    assert soc.flush(timeout=10)
    reports = {e["action_name"]: e for e in console.events(agent[0], action_type="security")}
    assert set(reports) == {"canary_token_leaked", "forbidden_output_blocked"}
    assert reports["canary_token_leaked"]["metadata"] == {"canary_label": "support prompt", "placement": "system_prompt"}
    assert token not in json.dumps(reports), "the report names the canary, it does not carry it"


def test_two_agents_sign_and_verify_messages_with_the_hmac_secret_the_console_issued(console: Console, agent: tuple[str, str]) -> None:
    issued = console.ok("POST", "/api/v1/credentials", {"agent_id": agent[0], "name": "signing", "kind": "hmac_secret", "config": {"purpose": "messages to billing"}}, expect=201)
    secret = issued["secret"]
    billing_id, billing_key = console.register_agent("py-billing")
    with Client(console.url, agent[1], agent[0], hmac_secret=secret, startup_timeout=0) as support_agent, Client(
        console.url, billing_key, billing_id, peer_secrets={agent[0]: secret}, startup_timeout=0
    ) as billing:
        signed = support_agent.sign({"recipient_id": billing_id, "message_type": "task", "payload": {"refund": "ord_42", "amount_usd": 19.99}})
        wire = json.dumps(signed.to_dict())
        received = billing.verify(json.loads(wire))
        assert received.sender_id == agent[0] and received.payload == {"refund": "ord_42", "amount_usd": 19.99}
        with pytest.raises(MessageRejected, match="replay"):
            billing.verify(json.loads(wire))
        forged = {**json.loads(wire), "payload": {"refund": "ord_42", "amount_usd": 1999}, "nonce": "f" * 32}
        with pytest.raises(MessageRejected, match="Invalid signature"):
            billing.verify(forged)


def test_the_async_client_checks_logs_and_wraps_coroutines(console: Console, agent: tuple[str, str]) -> None:
    async def main() -> list[str]:
        async with AsyncClient(console.url, agent[1], agent[0]) as soc:
            async with soc.session("sess_async") as s:
                await s.check()

                @s.tool
                async def fetch_order(order_id: str) -> str:
                    await asyncio.sleep(0.01)
                    return f"order {order_id}: shipped"

                results = await asyncio.gather(*(fetch_order(f"ord_{i}") for i in range(5)))
                s.log("decision", "reply", output_summary="all shipped")
                console.kill(agent[0], "async drill")
                await asyncio.to_thread(raises_within, soc.client.check, AgentKilled, 1.0)
                with pytest.raises(AgentKilled):
                    await fetch_order("ord_9")
                with pytest.raises(AgentKilled):
                    await s.check()
                assert not await soc.is_alive()
            assert await soc.flush(timeout=10)
            return results

    results = asyncio.run(main())
    assert results == [f"order ord_{i}: shipped" for i in range(5)]
    stored = console.events(agent[0], session_id="sess_async")
    assert sorted(e["action_type"] for e in stored) == ["decision"] + ["tool_call"] * 5
    wait_for(lambda: (k := console.kill_switch(agent[0])) and k["acknowledged_at"], 5, "the acknowledgement")
