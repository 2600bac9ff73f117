import { describe, expect, it } from "vitest";
import { POST as signIn } from "@/app/api/v1/auth/sign-in/route";
import { GET as listEvents } from "@/app/api/v1/events/route";
import { PUT as killAgent } from "@/app/api/v1/killswitch/agents/[agentId]/route";
import { GET as readSession } from "@/app/api/v1/sessions/[sessionId]/route";
import { bearer, newAgent } from "@/scripts/testing/fixtures";

/** The first refused parameter or field of a 400, as `errors[0].path` names it. */
async function refusal(res: Response): Promise<{ status: number; path: string | undefined; message: string }> {
  const body = (await res.json()) as { error: { message: string; errors?: { path: string }[] } };
  return { status: res.status, path: body.error.errors?.[0]?.path, message: body.error.message };
}

describe("the HTTP boundary refuses what PostgreSQL cannot store, and bad percent-encoding, naming it (400, not 500)", () => {
  it("in query strings, whether or not the route reads the parameter", async () => {
    const viewer = await bearer("viewer");
    const events = (query: string) => listEvents(new Request(`http://soc.test/api/v1/events${query}`, { headers: viewer }));
    expect(await refusal(await events("?agent_id=a%00b"))).toMatchObject({ status: 400, path: "agent_id", message: expect.stringContaining("NUL") });
    expect(await refusal(await events("?session_id=%E0%A4%A"))).toMatchObject({
      status: 400,
      path: "session_id",
      message: expect.stringContaining("percent-encoded"),
    });
    expect(await refusal(await events("?tool_name=%ED%A0%80"))).toMatchObject({ status: 400, path: "tool_name" });
    expect(await refusal(await events("?unread=%00"))).toMatchObject({ status: 400, path: "unread" });
    expect(await refusal(await events("?%E0=1"))).toMatchObject({ status: 400, path: "query" });
    expect((await events("?agent_id=caf%C3%A9&tool_name=a+b")).status).toBe(200);
  });

  it("in path parameters", async () => {
    const res = await readSession(new Request("http://soc.test/api/v1/sessions/x%00y", { headers: await bearer("viewer") }), {
      params: Promise.resolve({ sessionId: "x\u0000y" }),
    });
    expect(await refusal(res)).toMatchObject({ status: 400, path: "sessionId", message: expect.stringContaining("NUL") });
  });

  it("in JSON bodies, at any depth, keys included, and in bodies nested too deeply", async () => {
    const { agentId } = await newAgent();
    const responder = await bearer("responder");
    const kill = (body: string) =>
      killAgent(
        new Request(`http://soc.test/api/v1/killswitch/agents/${agentId}`, {
          method: "PUT",
          headers: { ...responder, "content-type": "application/json" },
          body,
        }),
        {
          params: Promise.resolve({ agentId }),
        },
      );
    expect(await refusal(await kill(JSON.stringify({ reason: "stop \u0000 now" })))).toMatchObject({ status: 400, path: "reason" });
    expect(await refusal(await kill('{"reason":"stop now","extra":{"list":["\\ud800"]}}'))).toMatchObject({ status: 400, path: "extra.list.0" });
    expect(await refusal(await kill('{"reason":"stop now","k":{"\\u0000":1}}'))).toMatchObject({
      status: 400,
      path: "k",
      message: expect.stringContaining("a key"),
    });
    expect(await refusal(await kill(`{"reason":"stop now","deep":${"[".repeat(40)}${"]".repeat(40)}}`))).toMatchObject({
      status: 400,
      path: expect.stringMatching(/^deep/),
    });
  });

  it("on the unauthenticated sign-in", async () => {
    const res = await signIn(
      new Request("http://soc.test/api/v1/auth/sign-in", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "a\u0000@example.com", password: "x" }),
      }),
    );
    expect(await refusal(res)).toMatchObject({ status: 400, path: "email" });
  });
});
