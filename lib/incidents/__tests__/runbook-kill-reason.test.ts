import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Role } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/context";
import { openIncident, runStep } from "@/lib/incidents";
import { agentKey, killReasonSchema } from "@/lib/killswitch";
import { appRedis } from "@/lib/redis";
import { uploadRunbook } from "@/lib/runbooks/store";
import { newAgent, testCtx } from "@/scripts/testing/fixtures";

function as(role: Role): Ctx {
  return { ...testCtx(), actor: { type: "user", userId: randomUUID(), email: `${role}@example.com`, role, sessionId: randomUUID() } };
}

describe("a runbook's kill step", () => {
  it("kills even when the session id the agent chose makes the filled reason longer than a reason may be", async () => {
    const redis = appRedis();
    if (!redis) throw new Error("the tests need Redis");
    const { agentId } = await newAgent();
    const name = `long_reason_${randomUUID().slice(0, 8).replaceAll("-", "")}`;
    const filler = "contain the agent and keep every log ".repeat(10).trim();
    const { runbook } = await uploadRunbook({
      ctx: as("admin"),
      input: {
        source: `${name}:
  severity: critical
  escalation_path: [oncall_engineer]
  immediate_actions:
    - step: "Activate kill switch"
      command: "redis-cli HSET agent:killswitch:{agent_id} killed true reason 'Incident {incident_id}: ${filler}, session {session_id}'"
      timeout: "30 seconds"
`,
      },
    });
    const sessionId = `s${"a".repeat(255)}`;
    const incident = await openIncident({ ctx: as("responder"), input: { agent_ids: [agentId], session_ids: [sessionId], runbook_id: runbook.id } });
    const step = incident.phases.flatMap((p) => p.steps)[0];
    if (!step) throw new Error("the runbook has no step");
    const run = await runStep({ ctx: as("responder"), settings: { redis }, input: { incidentId: incident.id, stepId: step.step_id } });
    expect(run.outcome).toBe("done");
    const reason = (await redis.hget(agentKey(agentId), "reason")) ?? "";
    expect(killReasonSchema.safeParse(reason).success).toBe(true);
    expect(reason.startsWith(`Incident ${incident.ref}: contain the agent`)).toBe(true);
  });
});
