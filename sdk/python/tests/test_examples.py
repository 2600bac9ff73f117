"""What users copy is what runs: the quickstart in the docs, against the console, and the package as pip installs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

from support import Console, wait_for

SDK = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(os.path.dirname(SDK))
QUICKSTART = os.path.join(SDK, "examples", "quickstart.py")


def run_quickstart(console: Console, agent: tuple[str, str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.path.join(SDK, "src"), "AGENTSOC_URL": console.url, "AGENTSOC_INGEST_KEY": agent[1], "AGENTSOC_AGENT_ID": agent[0]}
    return subprocess.run([sys.executable, QUICKSTART], env=env, capture_output=True, text=True, timeout=60)


def test_the_quickstart_logs_its_actions_and_stops_when_killed(console: Console, agent: tuple[str, str]) -> None:
    done = run_quickstart(console, agent)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Refunds reach your card within 5 working days. Anything else I can help with?\n"
    stored = console.events(agent[0])
    assert sorted((e["action_type"], e["action_name"]) for e in stored) == [("llm_call", "gpt-4o"), ("tool_call", "kb_search")]
    assert len({e["session_id"] for e in stored}) == 1

    console.kill(agent[0], "Prompt injection detected")
    killed = run_quickstart(console, agent)
    assert killed.returncode == 0, killed.stderr
    assert killed.stdout == "stopped: Agent killed: Prompt injection detected\n"
    assert killed.stderr == "", "the SDK logs its warnings through logging, which prints nothing unless the agent configures it"
    assert len(console.events(agent[0])) == 2, "a killed agent does nothing"
    wait_for(lambda: (k := console.kill_switch(agent[0])) and k["acknowledged_at"], 10, "the acknowledgement")


def test_the_docs_show_the_quickstart_as_it_is_tested() -> None:
    with open(os.path.join(REPO, "docs", "sdk-python.md"), encoding="utf-8") as f:
        docs = f.read()
    with open(QUICKSTART, encoding="utf-8") as f:
        assert f.read() in docs


def test_pip_installs_the_package_typed() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "agentsoc-src")
        shutil.copytree(SDK, source, ignore=shutil.ignore_patterns("tests", "build", "*.egg-info", "__pycache__", ".pytest_cache"))
        venv = os.path.join(tmp, "venv")
        # The machine's setuptools builds it (--no-build-isolation): nothing is downloaded here.
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", venv], check=True, timeout=120)
        python = os.path.join(venv, "bin", "python")
        install = subprocess.run(
            [sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--disable-pip-version-check", "--no-index", "--no-build-isolation", source],
            capture_output=True,
            text=True,
            timeout=180,
            cwd=tmp,
        )
        assert install.returncode == 0, install.stderr
        probe = "import agentsoc, os; print(agentsoc.__version__, os.path.exists(os.path.join(os.path.dirname(agentsoc.__file__), 'py.typed')), agentsoc.__file__)"
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        shown = subprocess.run([python, "-c", probe], capture_output=True, text=True, timeout=60, cwd=tmp, env=env)
        assert shown.returncode == 0, shown.stderr
        version, typed, where = shown.stdout.split()
        assert (version, typed) == ("0.1.0", "True") and where.startswith(venv)
