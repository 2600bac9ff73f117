"""Redis mode (redis_url=): the guide's channel and keys, as the console writes them and as an engineer with redis-cli does."""

from __future__ import annotations

import json
import time
from typing import Callable, Iterator

import pytest
import redis

from agentsoc import AgentKilled, Client, KillSwitchUnavailable
from support import Console, closed_port, raises_within, wait_for


@pytest.fixture
def r(console: Console) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(console.redis_url)
    yield client
    client.close()


def test_a_console_kill_reaches_a_redis_mode_agent_within_a_second_and_is_acknowledged(
    console: Console, agent: tuple[str, str], make_client: Callable[..., Client]
) -> None:
    agent_id = agent[0]
    soc = make_client(redis_url=console.redis_url)
    soc.check()
    started = time.monotonic()
    console.kill(agent_id, "Prompt injection detected")
    err, _ = raises_within(soc.check, AgentKilled, 1.0)
    assert time.monotonic() - started < 1.0
    assert str(err) == "Agent killed: Prompt injection detected"
    wait_for(lambda: (k := console.kill_switch(agent_id)) and k["acknowledged_at"], 5, "the console to show the acknowledgement")
    console.revive(agent_id)
    wait_for(soc.is_alive, 1.0, "revive to reach the agent", interval=0.001)


def test_the_guides_redis_cli_commands_stop_and_release_the_agent(
    console: Console, agent: tuple[str, str], make_client: Callable[..., Client], r: redis.Redis
) -> None:
    agent_id = agent[0]
    soc = make_client(redis_url=console.redis_url)
    soc.check()
    # The guide's commands, exactly: no message on the channel, so the agent's poll must see them.
    r.hset(f"agent:killswitch:{agent_id}", mapping={"killed": "true", "reason": "Prompt injection detected", "killed_by": "security-team"})
    try:
        err, _ = raises_within(soc.check, AgentKilled, 2.5)
        assert str(err) == "Agent killed: Prompt injection detected"
    finally:
        r.delete(f"agent:killswitch:{agent_id}")
    wait_for(soc.is_alive, 2.5, "DEL to release the agent")

    r.set("agent:killswitch:global", json.dumps({"killed": True, "reason": "Security incident", "killed_by": "oncall-engineer"}))
    try:
        err, _ = raises_within(soc.check, AgentKilled, 2.5)
        assert str(err) == "Global kill switch active: Security incident"
    finally:
        r.delete("agent:killswitch:global")
    wait_for(soc.is_alive, 2.5, "the global key's removal to release the agent")
    # The console treats those hand changes as real ones and records them; let it see the lift before the next test.
    wait_for(lambda: console.ok("GET", "/api/v1/killswitch")["global"] is None or not console.ok("GET", "/api/v1/killswitch")["global"]["killed"], 5, "the console to record the lift")


def test_unreachable_redis_fails_closed_by_default_and_open_when_chosen(agent: tuple[str, str], console: Console) -> None:
    nowhere = f"redis://127.0.0.1:{closed_port()}/0"
    closed = Client(console.url, agent[1], agent[0], redis_url=nowhere, startup_timeout=0.3)
    opened = Client(console.url, agent[1], agent[0], redis_url=nowhere, startup_timeout=0.3, fail="open")
    try:
        with pytest.raises(KillSwitchUnavailable, match="Redis has not answered"):
            closed.check()
        opened.check()
        assert opened.is_alive() and not closed.is_alive()
    finally:
        closed.close(timeout=0)
        opened.close(timeout=0)
