"""The kill switch against the real console: pushed over the status stream, acknowledged, revived, global, and the fail policy."""

from __future__ import annotations

import time
from typing import Callable

import pytest

from agentsoc import AgentKilled, Client, KillSwitchUnavailable
from support import Console, TcpProxy, closed_port, raises_within, wait_for


def test_a_kill_pressed_in_the_console_stops_the_agent_within_a_second_is_acknowledged_and_revive_lets_it_act(
    console: Console, agent: tuple[str, str], make_client: Callable[..., Client]
) -> None:
    agent_id = agent[0]
    soc = make_client()
    calls: list[str] = []
    with soc.session() as s:

        @s.tool
        def kb_search(query: str) -> str:
            calls.append(query)
            return f"3 articles about {query}"

        s.check()
        assert kb_search("refunds") == "3 articles about refunds"

        started = time.monotonic()
        console.kill(agent_id, "Injected instructions in a retrieved document")
        err, _ = raises_within(s.check, AgentKilled, 1.0)
        took = time.monotonic() - started
        print(f"kill to AgentKilled: {took * 1000:.0f} ms")
        assert took < 1.0
        assert not isinstance(err, KillSwitchUnavailable)
        assert str(err) == "Agent killed: Injected instructions in a retrieved document"
        assert not soc.is_alive()
        with pytest.raises(AgentKilled):
            kb_search("passwords")
        assert calls == ["refunds"], "a killed agent's tool is not called"

        record = wait_for(lambda: (k := console.kill_switch(agent_id)) and k["acknowledged_at"] and k, 5, "the console to show the acknowledgement")
        assert 0 <= record["time_to_stop_s"] < 1.0

        console.revive(agent_id)
        wait_for(soc.is_alive, 1.0, "revive to reach the agent", interval=0.001)
        s.check()
        assert kb_search("invoices") == "3 articles about invoices"

    assert soc.flush(timeout=10)
    logged = console.events(agent_id)
    assert sorted(e["input_summary"] for e in logged if e["action_type"] == "tool_call") == ["kb_search('invoices')", "kb_search('refunds')"]


def test_the_global_kill_stops_every_agent_and_lifting_it_lets_them_act(console: Console, make_client: Callable[..., Client]) -> None:
    other_id, other_key = console.register_agent("py-global-other")
    first = make_client()
    second = make_client(agent_id=other_id, ingest_key=other_key)
    first.check()
    second.check()
    console.kill_all("Security incident: drill")
    try:
        for soc in (first, second):
            err, took = raises_within(soc.check, AgentKilled, 1.0)
            assert str(err) == "Global kill switch active: Security incident: drill"
    finally:
        console.lift_all()
    wait_for(lambda: first.is_alive() and second.is_alive(), 1.0, "the lift to reach both agents", interval=0.001)


def test_a_tool_that_fails_is_logged_as_an_error_and_its_exception_kept(console: Console, agent: tuple[str, str], make_client: Callable[..., Client]) -> None:
    soc = make_client()
    with soc.session() as s:

        @s.tool(name="customer_lookup")
        def lookup(customer_id: str, *, fields: list[str]) -> dict[str, str]:
            raise LookupError(f"no customer {customer_id}")

        with pytest.raises(LookupError, match="no customer cust_789"):
            lookup("cust_789", fields=["email"])
    assert soc.flush(timeout=10)
    [event] = console.events(agent[0])
    assert (event["action_type"], event["action_name"], event["tool_name"]) == ("error", "customer_lookup", "customer_lookup")
    assert event["error"] == "LookupError: no customer cust_789"
    assert event["input_summary"] == "customer_lookup('cust_789', fields=['email'])"
    assert len(event["tool_args_hash"]) == 16


def test_fail_closed_stops_the_agent_once_the_state_is_older_than_the_staleness_and_recovers(
    make_client: Callable[..., Client], proxy: TcpProxy
) -> None:
    soc = make_client(url=proxy.url, staleness=1.0)
    soc.check()
    paused = time.monotonic()  # before pause(): the client may see the stream close while pause() is still returning
    proxy.pause()
    soc.check()  # just cut off: the last state is still fresh
    err, _ = raises_within(soc.check, KillSwitchUnavailable, 3.0)
    assert time.monotonic() - paused >= 1.0
    assert isinstance(err, AgentKilled), "fail-closed raises what a kill raises, so one except clause stops the agent"
    assert "unknown" in str(err)
    assert not soc.is_alive()
    proxy.resume()
    wait_for(soc.is_alive, 8, "the stream to come back")
    soc.check()


def test_fail_open_keeps_acting_when_the_console_cannot_be_reached_and_says_so(
    make_client: Callable[..., Client], proxy: TcpProxy, caplog: pytest.LogCaptureFixture
) -> None:
    soc = make_client(url=proxy.url, staleness=1.0, fail="open")
    soc.check()
    proxy.pause()
    time.sleep(1.5)
    soc.check()
    assert soc.is_alive()
    assert any("fail='open'" in r.getMessage() and "keeps acting" in r.getMessage() for r in caplog.records)


def test_a_console_never_reached_fails_closed_by_default_and_open_when_chosen(agent: tuple[str, str]) -> None:
    nowhere = f"http://127.0.0.1:{closed_port()}"
    closed = Client(nowhere, agent[1], agent[0], startup_timeout=0.3)
    opened = Client(nowhere, agent[1], agent[0], startup_timeout=0.3, fail="open")
    try:
        with pytest.raises(KillSwitchUnavailable, match="has not answered since the client started"):
            closed.check()
        assert not closed.is_alive()
        opened.check()
        assert opened.is_alive()
    finally:
        closed.close(timeout=0)
        opened.close(timeout=0)


def test_a_killed_agent_stays_stopped_when_the_console_then_becomes_unreachable_even_failing_open(
    console: Console, agent: tuple[str, str], make_client: Callable[..., Client], proxy: TcpProxy
) -> None:
    soc = make_client(url=proxy.url, staleness=1.0, fail="open")
    soc.check()
    console.kill(agent[0], "stop")
    raises_within(soc.check, AgentKilled, 1.0)
    proxy.pause()
    time.sleep(1.5)
    with pytest.raises(AgentKilled, match="Agent killed: stop"):
        soc.check()
