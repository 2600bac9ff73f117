"""Logging against the real console: exactly once, nothing lost while it is away, never blocking, refusals logged, bounded memory."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from typing import Callable

import pytest

from agentsoc import Client
from support import Console, TcpProxy, wait_for

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")


def test_ten_thousand_events_from_four_threads_arrive_exactly_once_through_cut_connections(
    console: Console, agent: tuple[str, str], make_client: Callable[..., Client], proxy: TcpProxy
) -> None:
    soc = make_client(url=proxy.url, flush_interval=0.2)
    sent: list[list[str]] = [[] for _ in range(4)]

    def work(n: int) -> None:
        for j in range(10):
            with soc.session(f"sess_thread_{n}_{j}") as s:
                for i in range(250):
                    sent[n].append(s.log("tool_call", "kb_search", tool_name="kb_search", input_summary=f"thread {n} call {i}", duration_ms=1.5))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    # Connections cut under requests in flight: some batches were stored but their answers lost, and are sent again.
    for _ in range(5):
        time.sleep(0.15)
        proxy.cut()
    for t in threads:
        t.join()
    assert soc.flush(timeout=60), f"not delivered within 60 s: {soc.stats()}"

    stored = console.events(agent[0])
    ids = Counter(e["event_id"] for e in stored)
    assert len(stored) == 10_000, soc.stats()
    assert set(ids) == {i for ids_ in sent for i in ids_}
    assert max(ids.values()) == 1
    sequences: dict[str, list[int]] = {}
    for e in stored:
        sequences.setdefault(e["session_id"], []).append(e["action_sequence"])
    assert sorted(sequences) == sorted(f"sess_thread_{n}_{j}" for n in range(4) for j in range(10))
    assert all(sorted(seq) == list(range(1, 251)) for seq in sequences.values())
    stats = soc.stats()
    assert stats["delivered"] + stats["duplicates"] >= 10_000 and stats["dropped"] == 0 and stats["rejected"] == 0


def test_console_away_for_ten_seconds_loses_nothing_and_log_never_blocks(
    console: Console, agent: tuple[str, str], make_client: Callable[..., Client], proxy: TcpProxy
) -> None:
    soc = make_client(url=proxy.url, flush_interval=0.25)
    durations: list[float] = []
    ids: list[str] = []

    def log_for(seconds: float, s: object) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            start = time.perf_counter()
            ids.append(s.log("llm_call", "gpt-4o", input_summary="tokens=812", output_summary="tokens=95", token_count=907, cost_usd=0.0031, duration_ms=840.0))  # type: ignore[attr-defined]
            durations.append(time.perf_counter() - start)
            time.sleep(0.002)

    with soc.session() as s:
        log_for(1.5, s)
        proxy.pause()
        log_for(10.0, s)
        proxy.resume()
        log_for(1.5, s)
    assert soc.flush(timeout=30), f"not delivered within 30 s after the console came back: {soc.stats()}"

    stored = Counter(e["event_id"] for e in console.events(agent[0]))
    assert set(stored) == set(ids) and max(stored.values()) == 1, f"{len(ids)} logged, {len(stored)} stored"
    assert soc.stats()["retries"] > 0
    ordered = sorted(durations)
    p99 = ordered[int(len(ordered) * 0.99)]
    print(f"log(): {len(ordered)} calls, p50 {ordered[len(ordered) // 2] * 1e6:.0f} us, p99 {p99 * 1e6:.0f} us, max {ordered[-1] * 1e6:.0f} us")
    assert p99 < 0.001, f"log() p99 {p99 * 1000:.3f} ms"


def test_refused_records_are_logged_with_the_consoles_reason_and_not_retried(
    console: Console, agent: tuple[str, str], make_client: Callable[..., Client], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="agentsoc")
    soc = make_client()
    with soc.session() as s:
        good = s.log("decision", "route", input_summary="lone \ud800 surrogate, NUL \x00, %s %n, $(id), <b>markup</b>")
        bad = s.log("tool_call", "bad\x00name", tool_name="kb_search")
    assert soc.flush(timeout=10)
    assert soc.stats()["rejected"] == 1
    stored = console.events(agent[0])
    assert [e["event_id"] for e in stored] == [good]
    assert stored[0]["input_summary"].startswith("lone \ufffd surrogate")
    refusal = [r.getMessage() for r in caplog.records if bad in r.getMessage()]
    assert len(refusal) == 1 and "action_name" in refusal[0], refusal

    # A batch with nothing valid is refused whole (400): logged per record, and the sender moves on.
    caplog.clear()
    with soc.session() as s:
        bad_type = s.log("thinking", "plan")
    assert soc.flush(timeout=10)
    assert any(bad_type in r.getMessage() and "action_type" in r.getMessage() and "HTTP 400" in r.getMessage() for r in caplog.records)
    assert soc.stats()["retries"] == 0


def test_a_full_buffer_drops_the_oldest_and_tells_the_console_how_many(
    console: Console, agent: tuple[str, str], make_client: Callable[..., Client], proxy: TcpProxy
) -> None:
    proxy.pause()
    soc = make_client(url=proxy.url, max_buffer=100, batch_size=50, flush_interval=0.1, fail="open", startup_timeout=0)
    with soc.session("sess_overflow") as s:
        ids = [s.log("tool_call", "kb_search", input_summary=f"call {i}") for i in range(50)]
        wait_for(lambda: soc.stats()["retries"] > 0, 5, "the sender to hold the first batch, retrying")
        ids += [s.log("tool_call", "kb_search", input_summary=f"call {i}") for i in range(50, 250)]
    proxy.resume()
    assert soc.flush(timeout=20), soc.stats()
    stored = console.events(agent[0])
    kept = {e["event_id"] for e in stored if e["action_type"] == "tool_call"}
    # The sender holds the first 50 while it retries; of the 200 after them the buffer keeps the newest 100.
    assert soc.stats()["dropped"] == 100
    assert kept == set(ids[:50]) | set(ids[150:])
    reports = [e for e in stored if e["action_type"] == "security"]
    assert len(reports) == 1 and reports[0]["action_name"] == "sdk_events_dropped"
    assert reports[0]["metadata"]["dropped"] == 100 and reports[0]["session_id"] == "sess_overflow"


def test_a_forked_child_logs_its_own_events_and_not_its_parents(console: Console, agent: tuple[str, str], make_client: Callable[..., Client]) -> None:
    soc = make_client(flush_interval=30)
    with soc.session("sess_parent") as s:
        for i in range(5):
            s.log("decision", "before_fork", input_summary=str(i))
    assert soc.is_alive()
    pid = os.fork()
    if pid == 0:
        try:
            with soc.session("sess_child") as child:
                for i in range(3):
                    child.log("decision", "in_child", input_summary=str(i))
                alive = soc.is_alive()
            os._exit(0 if soc.flush(timeout=10) and alive else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert soc.flush(timeout=10)
    names = Counter((e["session_id"], e["action_name"]) for e in console.events(agent[0]))
    assert names == {("sess_parent", "before_fork"): 5, ("sess_child", "in_child"): 3}


def test_what_is_buffered_at_exit_is_delivered(console: Console, agent: tuple[str, str]) -> None:
    script = (
        "from agentsoc import Client\n"
        "soc = Client(flush_interval=60)\n"
        "with soc.session('sess_exit') as s:\n"
        "    for i in range(20): s.log('decision', 'last_words', input_summary=str(i))\n"
    )
    env = {**os.environ, "PYTHONPATH": SRC, "AGENTSOC_URL": console.url, "AGENTSOC_INGEST_KEY": agent[1], "AGENTSOC_AGENT_ID": agent[0]}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == "", "the SDK is quiet: no prints"
    assert len(wait_for(lambda: console.events(agent[0], session_id="sess_exit"), 5, "events sent at exit")) == 20
