from __future__ import annotations

import os
import sys
from typing import Any, Callable, Iterator

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
# The package as it is in the repository, not an installed copy (test_packaging installs it separately).
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "src"))
sys.path.insert(0, HERE)

from agentsoc import Client  # noqa: E402
from support import Console, TcpProxy  # noqa: E402


@pytest.fixture(scope="session")
def console() -> Console:
    return Console.from_env()


@pytest.fixture
def agent(console: Console, request: pytest.FixtureRequest) -> tuple[str, str]:
    """A new agent registered for this test: (agent_id, ingest_key)."""
    return console.register_agent(f"py-{request.node.name[5:25].replace('_', '-')}")


@pytest.fixture
def make_client(console: Console, agent: tuple[str, str]) -> Iterator[Callable[..., Client]]:
    """Clients for this test's agent (url= overrides the console's), closed at the end."""
    made: list[Client] = []

    def make(**options: Any) -> Client:
        options.setdefault("url", console.url)
        options.setdefault("agent_id", agent[0])
        options.setdefault("ingest_key", agent[1])
        client = Client(**options)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close(timeout=5)


@pytest.fixture
def proxy(console: Console) -> Iterator[TcpProxy]:
    p = TcpProxy(console.url)
    yield p
    p.close()
