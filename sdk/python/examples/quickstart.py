"""A support agent watched by AgentSOC: each action logged, stopped within a second when killed."""

import sys
import time

from agentsoc import AgentKilled, Client, OutputBlocked

soc = Client()  # reads AGENTSOC_URL, AGENTSOC_INGEST_KEY and AGENTSOC_AGENT_ID


def answer(question: str) -> str:
    with soc.session() as s:

        @s.tool
        def kb_search(query: str) -> str:
            return "Refunds reach your card within 5 working days."  # your real tool

        s.check()  # raises AgentKilled if this agent, or every agent, was killed
        articles = kb_search(question)

        started = time.perf_counter()
        reply = f"{articles} Anything else I can help with?"  # your model call
        s.log(
            "llm_call",
            "gpt-4o",
            input_summary=f"question={question!r}",
            output_summary=reply,
            duration_ms=(time.perf_counter() - started) * 1000,
            token_count=412,
            cost_usd=0.0021,
        )
        return s.check_output(reply)  # raises OutputBlocked if a canary or forbidden pattern is in it


try:
    print(answer(" ".join(sys.argv[1:]) or "How long do refunds take?"))
except AgentKilled as killed:
    print(f"stopped: {killed.reason}")
except OutputBlocked as blocked:
    print(f"withheld: {blocked.reason}")
finally:
    soc.close()
