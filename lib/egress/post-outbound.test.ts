import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { type EgressPolicy, parseCidr } from "./address-policy";
import { EgressRefusedError, egressRefusalOf, postOutbound } from "./post-outbound";

const servers: Server[] = [];

/** A receiver on 127.0.0.1 recording every request; `answer` may redirect. */
async function receiver(answer: { status: number; location?: string } = { status: 200 }) {
  const received: { path: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((req, res) => {
    received.push({ path: req.url ?? "", headers: req.headers });
    res.writeHead(answer.status, answer.location ? { location: answer.location } : {});
    res.end("ok");
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as AddressInfo).port, received };
}

const closed: EgressPolicy = { allow: [] };
const loopbackAllowed: EgressPolicy = { allow: [parseCidr("127.0.0.1/32")].flatMap((c) => (c ? [c] : [])) };
const post = (url: string, policy: EgressPolicy) =>
  postOutbound({ url, headers: { "content-type": "application/json" }, body: "{}", timeoutMs: 2_000, maxAnswerBytes: 1024, policy });

async function refusal(p: Promise<unknown>): Promise<EgressRefusedError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof EgressRefusedError) return err;
    throw err;
  }
  throw new Error("expected the request to be refused");
}

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

describe("postOutbound", () => {
  it("refuses loopback by default, as an address or any way of writing it, and sends nothing", async () => {
    const hook = await receiver();
    for (const host of ["127.0.0.1", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]"]) {
      const err = await refusal(post(`http://${host}:${hook.port}/hook?token=t-1`, closed));
      expect(err.message).toMatch(
        /^refused to send: (127\.0\.0\.1|::ffff:127\.0\.0\.1|::ffff:7f00:1) is a loopback address \(private and special-purpose addresses are reached only when SOC_EGRESS_ALLOW_CIDRS lists them\)$/,
      );
      expect(err.message).not.toContain("token");
    }
    expect(hook.received).toEqual([]);
  });

  it("refuses a name that resolves to a refused address, checking the address it resolved (the receiver must not be reached)", async () => {
    const hook = await receiver();
    const err = await refusal(post(`http://localhost:${hook.port}/hook`, closed));
    expect(err.message).toMatch(/^refused to send: localhost resolves to (127\.0\.0\.1|::1), a loopback address/);
    expect(hook.received).toEqual([]);
  });

  it("sends to an allowed range with the URL's Host header, and never follows a redirect, to a private address or anywhere", async () => {
    const target = await receiver();
    const moving = await receiver({ status: 302, location: `http://127.0.0.1:${target.port}/internal` });
    const answer = await post(`http://127.0.0.1:${moving.port}/hook?x=1`, loopbackAllowed);
    expect(answer.status).toBe(302);
    expect(answer.header("location")).toBe(`http://127.0.0.1:${target.port}/internal`);
    expect(moving.received).toEqual([expect.objectContaining({ path: "/hook?x=1", headers: expect.objectContaining({ host: `127.0.0.1:${moving.port}` }) })]);
    expect(target.received).toEqual([]);
  });

  it("reads at most maxAnswerBytes of an answer", async () => {
    const hook = await receiver();
    const answer = await postOutbound({
      url: `http://127.0.0.1:${hook.port}/`,
      headers: {},
      body: "",
      timeoutMs: 2_000,
      maxAnswerBytes: 1,
      policy: loopbackAllowed,
    });
    expect(answer).toMatchObject({ status: 200, body: null });
  });
});

describe("egressRefusalOf", () => {
  it("says why a URL's host is refused before anything is stored, and lets public or unresolvable names through", async () => {
    expect(await egressRefusalOf("http://169.254.169.254/latest/meta-data", closed)).toBe(
      "169.254.169.254 is a link-local (where cloud metadata services answer) address",
    );
    expect(await egressRefusalOf("http://[fd00::1]:8080/x", closed)).toBe("fd00::1 is a unique local (private) address");
    expect(await egressRefusalOf("http://localhost/x", closed)).toMatch(/^localhost resolves to (127\.0\.0\.1|::1), a loopback address$/);
    expect(await egressRefusalOf("http://127.0.0.1:9/x", loopbackAllowed)).toBeNull();
    expect(await egressRefusalOf("https://93.184.215.14/hook", closed)).toBeNull();
    expect(await egressRefusalOf("https://no-such-host.invalid/hook", closed)).toBeNull();
    expect(await egressRefusalOf("not a url", closed)).toBeNull();
  });
});
