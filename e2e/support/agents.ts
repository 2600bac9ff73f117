import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import type { Page } from "@playwright/test";
import { childEnv, e2eEnv } from "../../lib/env";

// The CLI child inherits PATH and the rest, with the e2e run's database.
const cliEnv = () => childEnv({ DATABASE_URL: e2eEnv().AGENTSOC_TEST_DATABASE_URL });

/** Registers an agent the way an operator does, through the CLI, against the e2e database. */
export function registerAgentWithCli(prefix: string): { agentId: string; key: string } {
  const agentId = `${prefix}-${randomUUID().slice(0, 8)}`;
  const stdout = execFileSync("node_modules/.bin/tsx", ["scripts/soc.ts", "agent", "add", agentId, "--json"], { env: cliEnv(), encoding: "utf8" });
  const parsed = JSON.parse(stdout) as { agent_id: string; ingest_key: string };
  return { agentId: parsed.agent_id, key: parsed.ingest_key };
}

export type Role = "viewer" | "analyst" | "responder" | "admin";

/** Adds a console user through the CLI (password on stdin, as docs/cli.md says) and returns the credentials. */
export function addUserWithCli(role: Role): { email: string; password: string } {
  const email = `e2e-${role}-${randomUUID().slice(0, 8)}@example.com`;
  const password = `pw-${randomUUID()}`;
  execFileSync("node_modules/.bin/tsx", ["scripts/soc.ts", "user", "add", "--email", email, "--role", role, "--password-stdin", "--json"], {
    env: cliEnv(),
    input: `${password}\n`,
    encoding: "utf8",
  });
  return { email, password };
}

/** A signed-in browser context for a new user of the given role, without going through the form. */
export async function signInAs(page: Page, role: Role): Promise<{ email: string }> {
  const user = addUserWithCli(role);
  const res = await page.request.post("/api/v1/auth/sign-in", { data: { email: user.email, password: user.password } });
  if (res.status() !== 200) throw new Error(`sign-in as ${role} answered ${res.status()}: ${await res.text()}`);
  return { email: user.email };
}

/** Creates an API token through the CLI, for calls a test makes as another role (e.g. an admin setting a baseline). */
export function apiTokenWithCli(role: Role): string {
  const stdout = execFileSync(
    "node_modules/.bin/tsx",
    ["scripts/soc.ts", "token", "add", "--name", `e2e-${role}-${randomUUID().slice(0, 8)}`, "--role", role, "--json"],
    {
      env: cliEnv(),
      encoding: "utf8",
    },
  );
  return (JSON.parse(stdout) as { token: string }).token;
}
