import { execFile } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";
import { appDb } from "@/db/client";
import { credentialProviders } from "@/lib/credentials/providers";
import { MANIFEST_FORMAT, manifestFile } from "@/lib/forensics/evidence";
import { signManifest } from "@/lib/forensics/evidence/manifest";
import { deriveEvidenceKey, SIGNATURE_ALGORITHM } from "@/lib/forensics/evidence/signing-key";
import { DEFAULT_RETRY_POLICY, runDueRotationSteps } from "@/lib/rotation";

const run = promisify(execFile);

function soc(args: string[]) {
  return run("node_modules/.bin/tsx", ["scripts/soc.ts", ...args], {
    env: { ...process.env, DATABASE_URL: inject("databaseUrl") },
  });
}

describe("npm run soc -- agent", () => {
  it("add --json prints exactly one JSON object on stdout with a usable key", async () => {
    const agentId = `cli-${randomUUID().slice(0, 8)}`;
    const { stdout } = await soc(["agent", "add", agentId, "--json"]);
    const parsed = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(parsed).sort()).toEqual(["agent_id", "ingest_key", "ingest_key_id"]);
    expect(parsed.agent_id).toBe(agentId);
    expect(stdout.trim().split("\n")).toHaveLength(1);

    const { stdout: listed } = await soc(["agent", "list", "--json"]);
    const agents = (JSON.parse(listed) as { agents: { agent_id: string }[] }).agents;
    expect(agents.map((a) => a.agent_id)).toContain(agentId);
  }, 30_000);

  it("key speaks-for lets an agent's key speak for a registered worker too, and key list shows it", async () => {
    const orchestrator = `cli-${randomUUID().slice(0, 8)}`;
    const worker = `cli-${randomUUID().slice(0, 8)}`;
    await soc(["agent", "add", orchestrator, "--json"]);
    await soc(["agent", "add", worker, "--json"]);
    const { stdout: listed } = await soc(["key", "list", orchestrator, "--json"]);
    const keyId = (JSON.parse(listed) as { keys: { id: string }[] }).keys[0]?.id ?? "";
    const { stdout } = await soc(["key", "speaks-for", orchestrator, keyId, "--agents", worker, "--reason", "one exporter", "--json"]);
    expect(JSON.parse(stdout)).toEqual({ agent_id: orchestrator, key_id: keyId, speaks_for: [worker] });
    const { stdout: after } = await soc(["key", "list", orchestrator, "--json"]);
    expect((JSON.parse(after) as { keys: { speaks_for: string[] }[] }).keys[0]?.speaks_for).toEqual([worker]);
  }, 60_000);

  it("exits non-zero with the reason when the agent exists", async () => {
    const agentId = `cli-${randomUUID().slice(0, 8)}`;
    await soc(["agent", "add", agentId, "--json"]);
    const failure = await soc(["agent", "add", agentId, "--json"]).then(
      () => null,
      (err: { code: number; stderr: string; stdout: string }) => err,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain(`CONFLICT: Agent ${agentId} is already registered`);
    expect(failure?.stdout).toBe("");
  }, 30_000);

  it("retention refuses a window under one day instead of dropping today's events", async () => {
    for (const days of ["--days=0", "--days=-1", "--days=abc"]) {
      const failure = await soc(["retention", days]).then(
        () => null,
        (err: { code: number; stderr: string }) => err,
      );
      expect(failure?.code).toBe(1);
      expect(failure?.stderr).toContain("--days must be a whole number from 1 to 3650");
    }
  }, 30_000);

  it("user add reads the password from stdin, never from arguments, and the user can then sign in", async () => {
    const email = `cli-${randomUUID().slice(0, 8)}@example.com`;
    const child = execFile("node_modules/.bin/tsx", ["scripts/soc.ts", "user", "add", "--email", email, "--role", "analyst", "--password-stdin", "--json"], {
      env: { ...process.env, DATABASE_URL: inject("databaseUrl") },
    });
    child.stdin?.end("a long enough password\n");
    const stdout = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout?.on("data", (c: Buffer) => (out += c.toString()));
      child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
    });
    expect(JSON.parse(stdout)).toMatchObject({ email, role: "analyst" });
    expect(stdout).not.toContain("one_time_password");
    const { signIn } = await import("@/lib/auth");
    const { appDb } = await import("@/db/client");
    const signed = await signIn({
      ctx: { db: appDb(), actor: { type: "anonymous" }, requestId: "cli-test", sourceIp: null },
      input: { email, password: "a long enough password" },
      userAgent: null,
    });
    expect(signed.user.role).toBe("analyst");
  }, 30_000);

  it("token add --json prints only the token object, and refuses a bad expiry", async () => {
    const { stdout } = await soc(["token", "add", "--name", "siem", "--role", "viewer", "--expires", "30d", "--json"]);
    const parsed = JSON.parse(stdout) as { token: string; role: string; expires_at: string };
    expect(parsed.token).toMatch(/^soc_at_[A-Za-z0-9_-]{43}$/);
    expect(parsed.role).toBe("viewer");
    expect(Date.parse(parsed.expires_at) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    const failure = await soc(["token", "add", "--name", "x", "--role", "viewer", "--expires", "soon"]).then(
      () => null,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain("--expires must look like 30d");
  }, 30_000);

  it("kill and revive from the shell write the same Redis keys as the console", async () => {
    const agentId = `cli-${randomUUID().slice(0, 8)}`;
    await soc(["agent", "add", agentId, "--json"]);
    const env = { ...process.env, DATABASE_URL: inject("databaseUrl"), REDIS_URL: inject("redisUrl") };
    await run("node_modules/.bin/tsx", ["scripts/soc.ts", "kill", agentId, "--reason", "paged at 3am"], { env });
    const Redis = (await import("ioredis")).default;
    const redis = new Redis(inject("redisUrl"));
    try {
      expect(await redis.hgetall(`agent:killswitch:${agentId}`)).toMatchObject({
        killed: "true",
        reason: "paged at 3am",
        killed_by: expect.stringMatching(/^cli:/),
      });
      const refused = await run("node_modules/.bin/tsx", ["scripts/soc.ts", "kill", agentId], { env }).then(
        () => null,
        (err: { code: number; stderr: string }) => err,
      );
      expect(refused?.code).toBe(1);
      expect(refused?.stderr).toContain("reason");
      await run("node_modules/.bin/tsx", ["scripts/soc.ts", "revive", agentId, "--reason", "reviewed"], { env });
      expect(await redis.exists(`agent:killswitch:${agentId}`)).toBe(0);
      // A reason Redis and the record could not both hold is refused before either is written.
      const unstorable = await run("node_modules/.bin/tsx", ["scripts/soc.ts", "kill", agentId, "--reason", "stop \u001b[2J now"], { env }).then(
        () => null,
        (err: { code: number; stderr: string }) => err,
      );
      expect(unstorable?.code).toBe(1);
      expect(unstorable?.stderr).toContain("VALIDATION: reason: holds a control character (U+001B)");
      expect(await redis.exists(`agent:killswitch:${agentId}`)).toBe(0);
    } finally {
      redis.disconnect();
    }
  }, 90_000);

  it("rotate --wait follows the run the console performs and exits 0 when every credential rotated", async () => {
    const agentId = `cli-${randomUUID().slice(0, 8)}`;
    await soc(["agent", "add", agentId, "--json"]);
    const cli = soc(["rotate", agentId, "--wait", "--json"]);
    // This test process plays the running console: its worker performs the run the CLI started.
    let exited = false;
    void cli.finally(() => (exited = true)).catch(() => undefined);
    const db = appDb();
    const deps = { db, providers: credentialProviders(db, { postgresAdminUrl: null, redisAdminUrl: null }), policy: DEFAULT_RETRY_POLICY };
    while (!exited) {
      await runDueRotationSteps(deps);
      await new Promise((r) => setTimeout(r, 100));
    }
    const { stdout } = await cli;
    expect(JSON.parse(stdout)).toMatchObject({ status: "succeeded", agent_ids: [agentId], items: [{ kind: "ingest_key", state: "rotated" }] });
  }, 30_000);
});

/** Control characters a terminal acts on (newline apart, which the CLI prints itself), and the bidirectional overrides. */
const TERMINAL_CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe("npm run soc -- snapshot verify", () => {
  it("prints a signed manifest's agent-chosen text with every control character escaped, in text and in --json", async () => {
    const secret = `cli-terminal-${randomUUID()}`;
    const key = deriveEvidenceKey(secret);
    const ndjson = Buffer.from('{"record":"event"}\n');
    // Clears the screen, sets the window title, fakes a line of output, a one-byte CSI (C1), reversed text.
    const sessionId = "s\u001b[2J\u001b]0;pwned\u0007\nsnapshot valid: forged\u009b31m\u202eevil";
    const agentId = "agent\u001b[1A\u007f";
    const email = "who\r\u001b[31m@example.com";
    const now = new Date().toISOString();
    const manifest = signManifest(
      {
        format: MANIFEST_FORMAT,
        snapshot_id: randomUUID(),
        session_id: sessionId,
        agent_id: agentId,
        start_time: now,
        end_time: now,
        event_count: 1,
        finding_count: 0,
        alert_count: 0,
        ndjson_sha256: createHash("sha256").update(ndjson).digest("hex"),
        ndjson_bytes: ndjson.byteLength,
        taken_by: { type: "user", user_id: randomUUID(), email },
        taken_at: now,
        signature_algorithm: SIGNATURE_ALGORITHM,
        public_key_id: key.publicKeyId,
      },
      key,
    );
    const dir = mkdtempSync(path.join(tmpdir(), "soc-snapshot-"));
    const files = [path.join(dir, "s.ndjson"), path.join(dir, "s.manifest.json")] as const;
    writeFileSync(files[0], ndjson);
    writeFileSync(files[1], manifestFile(manifest));
    const env = { ...process.env, SOC_SECRET: secret };

    const { stdout } = await run("node_modules/.bin/tsx", ["scripts/soc.ts", "snapshot", "verify", ...files], { env });
    expect(stdout).not.toMatch(TERMINAL_CONTROLS);
    expect(stdout).toContain("session   s\\x1b[2J\\x1b]0;pwned\\x07\\x0asnapshot valid: forged\\x9b31m\\u202eevil, agent agent\\x1b[1A\\x7f");
    expect(stdout).toContain("by who\\x0d\\x1b[31m@example.com");
    expect(stdout.split("\n").filter((line) => line.startsWith("snapshot valid"))).toHaveLength(1);

    const json = await run("node_modules/.bin/tsx", ["scripts/soc.ts", "snapshot", "verify", ...files, "--json"], { env });
    expect(json.stdout).not.toMatch(TERMINAL_CONTROLS);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, manifest: { session_id: sessionId, agent_id: agentId, taken_by: { email } } });
  }, 30_000);
});
