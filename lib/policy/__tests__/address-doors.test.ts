import { randomBytes, randomUUID } from "node:crypto";
import { create, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { POST as ingestPost } from "@/app/api/v1/ingest/route";
import { POST as otlpPost } from "@/app/api/v1/otlp/v1/traces/route";
import { appDb } from "@/db/client";
import { listAlerts } from "@/db/queries/detection";
import { ExportTraceServiceRequestSchema } from "@/lib/otlp/proto/gen/otlp_trace_pb";
import { setPolicy } from "@/lib/policy";
import { newAgent, userCtx } from "@/scripts/testing/fixtures";

/**
 * Both doors hand the request's client address to the ingest pipeline. A route handler called
 * directly has no TCP peer stamped on it and no trusted proxy in front, so the console cannot know
 * the address: a policy with ranges must say so, from either door.
 */
async function agentWithRanges(prefix: string) {
  const agent = await newAgent({ prefix });
  await setPolicy({
    ctx: userCtx("admin"),
    input: {
      agentId: agent.agentId,
      policy: { permissions: [{ tool_name: "kb_search", allowed_actions: ["read"], resource_scope: ["*"] }], allowed_ip_ranges: ["10.0.0.0/8"] },
    },
  });
  return agent;
}

const addressAlerts = async (agentId: string) =>
  (await listAlerts(appDb(), { agent_id: agentId, type: "policy_violation" } as Parameters<typeof listAlerts>[1])).alerts.map((a) => a.detail);

const UNKNOWN = "A batch reached the console from an address it could not determine, outside the policy's allowed_ip_ranges (10.0.0.0/8)";

describe("allowed_ip_ranges at both doors", () => {
  it("POST /api/v1/ingest judges the request's address", async () => {
    const { agentId, key } = await agentWithRanges("ip-door-ingest");
    const res = await ingestPost(
      new Request("http://soc.test/api/v1/ingest", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify([
          {
            timestamp: Date.now() / 1000 - 5,
            agent_id: agentId,
            session_id: `sess_${randomUUID().slice(0, 8)}`,
            action_type: "tool_call",
            action_name: "kb_search",
            tool_name: "kb_search",
            input_summary: "q",
            output_summary: "a",
            duration_ms: 1,
          },
        ]),
      }),
    );
    expect(res.status).toBe(200);
    expect(await addressAlerts(agentId)).toEqual([UNKNOWN]);
  });

  it("the OTLP door judges the request's address", async () => {
    const { agentId, key } = await agentWithRanges("ip-door-otlp");
    const start = BigInt(Date.now() - 5_000) * 1_000_000n;
    const body = toBinary(
      ExportTraceServiceRequestSchema,
      create(ExportTraceServiceRequestSchema, {
        resourceSpans: [
          {
            resource: { attributes: [{ key: "service.name", value: { value: { case: "stringValue", value: agentId } } }] },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: randomBytes(16),
                    spanId: randomBytes(8),
                    name: "chat gpt-4o-mini",
                    kind: 3,
                    startTimeUnixNano: start,
                    endTimeUnixNano: start + 1_000_000n,
                    attributes: [
                      { key: "gen_ai.operation.name", value: { value: { case: "stringValue", value: "chat" } } },
                      { key: "gen_ai.request.model", value: { value: { case: "stringValue", value: "gpt-4o-mini" } } },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    const res = await otlpPost(
      new Request("http://soc.test/api/v1/otlp/v1/traces", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/x-protobuf" },
        body: new Uint8Array(body),
      }),
    );
    expect(res.status).toBe(200);
    expect(await addressAlerts(agentId)).toEqual([UNKNOWN]);
  });
});
