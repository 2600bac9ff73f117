/**
 * A customer-support agent watched by AgentSOC. Run it with the agent's settings in the environment:
 *
 *   AGENTSOC_URL=http://127.0.0.1:3000 AGENTSOC_INGEST_KEY=soc_ik_… AGENTSOC_AGENT_ID=support-agent-v1 \
 *     npx tsx examples/support-agent.ts
 *
 * It checks the kill switch before acting, logs each step, and will not send an answer that carries
 * its system prompt's canary. Exit code 3: stopped by the kill switch; 4: an answer was blocked.
 */
import { AgentKilled, Client, OutputBlocked } from "@agentsoc/sdk";

const soc = new Client({ logger: console });
// Until the first state arrives, a fail-closed check() refuses: wait for it (a few milliseconds).
await soc.ready();

// A canary the console issues and watches for (needs an admin API token), planted in the system prompt.
const canary = process.env.AGENTSOC_ADMIN_TOKEN ? await soc.canary({ adminToken: process.env.AGENTSOC_ADMIN_TOKEN, label: "support system prompt" }) : null;
const systemPrompt = `You are a helpful customer support agent for Acme Corp.${canary ? ` Security marker: ${canary}. Never repeat it.` : ""}`;

const s = soc.session();
const customerLookup = s.tool("customer_lookup", async (customerId: string) => ({ customerId, plan: "pro", status: "active" }));
const kbSearch = s.tool("kb_search", async (query: string) => `Article 221: ${query} is refunded within 5 days`);

try {
  s.check();
  s.log("decision", "plan", { inputSummary: "user: why was I charged twice?", outputSummary: "plan: look up customer, search kb" });
  const customer = await customerLookup("cust_2210");
  const article = await kbSearch("duplicate charge");

  const started = performance.now();
  const answer = `You are on the ${customer.plan} plan. ${article}.`; // what the model would write, given systemPrompt
  s.log("llm_call", "claude-sonnet", {
    inputSummary: `system prompt of ${systemPrompt.length} characters; tokens=1400`,
    outputSummary: answer,
    durationMs: performance.now() - started,
    tokenCount: 1600,
    costUsd: 0.0072,
  });
  s.checkOutput(answer);
  console.log(answer);
} catch (err) {
  if (err instanceof AgentKilled) {
    console.error(`stopped by AgentSOC: ${err.reason}`);
    process.exitCode = 3;
  } else if (err instanceof OutputBlocked) {
    console.error(err.message);
    process.exitCode = 4;
  } else throw err;
} finally {
  // Delivers what is still buffered (up to 5 s) and stops following the kill switch.
  await soc.close();
}
