"""
bench:sdk's Python half (run by scripts/bench/sdk.ts against a built console): how fast one process
logs with the sender keeping up, the CPU that costs the agent, and kill-to-AgentKilled latency.
Prints one JSON object on stdout.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "sdk", "python", "src"))

from agentsoc import AgentKilled, Client  # noqa: E402

URL = os.environ["BENCH_SDK_URL"]
ADMIN = os.environ["BENCH_SDK_ADMIN_TOKEN"]
REDIS_URL = os.environ["BENCH_SDK_REDIS_URL"]
EVENTS = int(os.environ.get("BENCH_SDK_EVENTS", "100000"))
KILLS = int(os.environ.get("BENCH_SDK_KILLS", "200"))
SESSION_EVENTS = 100


def api(method: str, path: str, body: object = None) -> object:
    req = urllib.request.Request(URL + path, data=None if body is None else json.dumps(body).encode(), method=method)
    req.add_header("Authorization", f"Bearer {ADMIN}")
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=120) as resp:
        return json.loads(resp.read() or b"null")


def register(agent_id: str) -> str:
    return str(api("POST", "/api/v1/agents", {"agent_id": agent_id})["ingest_key"])  # type: ignore[index]


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    pick = lambda p: ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]  # noqa: E731
    return {"p50": round(pick(50), 3), "p99": round(pick(99), 3), "max": round(ordered[-1], 3)}


def throughput(run: str) -> dict[str, object]:
    agent_id = f"bench-sdk-log-{run}"
    soc = Client(URL, register(agent_id), agent_id)
    soc.check()
    calls: list[float] = []
    sender_cpu: list[float] = []
    thread_before = time.thread_time()
    process_before = time.process_time()
    started = time.perf_counter()
    # Sessions of 100 actions, as conversations are: one session of 100,000 tool calls in a minute is a
    # runaway agent, and the console's per-session rate check makes each of its batches slower than the last.
    for first in range(0, EVENTS, SESSION_EVENTS):
        s = soc.session()
        for i in range(first, min(first + SESSION_EVENTS, EVENTS)):
            t0 = time.perf_counter()
            s.log(
                "tool_call",
                "kb_search",
                tool_name="kb_search",
                input_summary=f"query {i}: how long do refunds take to reach my card",
                output_summary="3 articles: refunds, chargebacks, card statements",
                duration_ms=41.5,
                metadata={"i": i, "region": "eu-west-1"},
            )
            calls.append((time.perf_counter() - t0) * 1e6)
    logged = time.perf_counter()
    caller_cpu = time.thread_time() - thread_before
    delivered = soc.flush(timeout=600)
    done = time.perf_counter()
    total_cpu = time.process_time() - process_before
    sender_cpu.append(total_cpu - caller_cpu)
    stats = soc.stats()
    soc.close()
    return {
        "events": EVENTS,
        "delivered_all": delivered and stats["delivered"] + stats["duplicates"] == EVENTS,
        "sender": stats,
        "log_calls_per_s": round(EVENTS / (logged - started)),
        "delivered_per_s": round(EVENTS / (done - started)),
        "cpu_ms_per_1000_events": {
            "log_calls": round(caller_cpu * 1000 / (EVENTS / 1000), 2),
            "sender_thread": round(sender_cpu[0] * 1000 / (EVENTS / 1000), 2),
            "total": round(total_cpu * 1000 / (EVENTS / 1000), 2),
        },
        "log_call_us": summary(calls),
    }


def kill_latency(run: str, redis_url: str | None) -> dict[str, object]:
    agent_id = f"bench-sdk-kill-{'redis' if redis_url else 'stream'}-{run}"
    soc = Client(URL, register(agent_id), agent_id, redis_url=redis_url)
    soc.check()
    latencies: list[float] = []
    for i in range(KILLS):
        started = time.perf_counter()
        api("PUT", f"/api/v1/killswitch/agents/{agent_id}", {"reason": f"bench kill {i}"})
        while True:
            try:
                soc.check()
            except AgentKilled:
                break
            time.sleep(0.0002)
        latencies.append((time.perf_counter() - started) * 1000)
        api("DELETE", f"/api/v1/killswitch/agents/{agent_id}", {"reason": "bench revive"})
        while not soc.is_alive():
            time.sleep(0.0005)
    soc.close()
    return {"kills": KILLS, "api_call_to_agent_killed_ms": summary(latencies)}


def main() -> None:
    run = hex(int(time.time() * 1000))[2:]
    result = {
        "python": sys.version.split()[0],
        "logging": throughput(run),
        "kill_stream": kill_latency(run, None),
        "kill_redis": kill_latency(run, REDIS_URL),
        "threads_at_end": threading.active_count(),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
