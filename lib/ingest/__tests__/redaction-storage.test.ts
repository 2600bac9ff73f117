import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { POST } from "@/app/api/v1/ingest/route";
import { appDb } from "@/db/client";
import { makeEvent, newAgent } from "@/scripts/testing/fixtures";

const RAW_SECRETS = {
  ssn: "123-45-6789",
  card: "4111 1111 1111 1111",
  cardDashed: "5500-0000-0000-0004",
  email: "jane.roe@example.com",
  phone: "(415) 555-0132",
  ip: "203.0.113.77",
  aws: "AKIAIOSFODNN7EXAMPLE",
  openai: "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv",
  password: "hunter2-correct-horse",
  jwt: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
  pemBody: "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7",
  password2: "correct-horse-battery",
  keyEmail: "bob.key@example.org",
  basic: "dXNlcjpwYXNzd29yZDEyMw==",
  actionEmail: "carol@example.net",
  toolEmail: "dave.tool@example.com",
  argsEmail: "jane.doe@example.com",
  argsSsn: "234-56-7890",
  argsCard: "5555 5555 5555 4444",
};

/** Every row of every table in the schema as text: what a pg_dump of the data would contain. */
async function wholeDatabaseText(): Promise<string> {
  const tables = await appDb().execute<{ name: string }>(
    sql`SELECT quote_ident(table_name) AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
  );
  let text = "";
  for (const { name } of tables.rows) {
    const rows = await appDb().execute<{ t: string }>(sql.raw(`SELECT t::text AS t FROM ${name} t`));
    text += rows.rows.map((r) => r.t).join("\n");
  }
  return text;
}

describe("redaction before storage", () => {
  it("keeps no raw PII or secret anywhere in the database and records what was found", async () => {
    const { agentId, key } = await newAgent();
    const sessionId = `sess_${randomUUID().slice(0, 8)}`;
    const event = makeEvent(agentId, {
      session_id: sessionId,
      input_summary: `lookup ssn ${RAW_SECRETS.ssn} card ${RAW_SECRETS.card} mail ${RAW_SECRETS.email} from ${RAW_SECRETS.ip}`,
      output_summary: `call ${RAW_SECRETS.phone}; key ${RAW_SECRETS.aws} and ${RAW_SECRETS.openai}; password=${RAW_SECRETS.password}`,
      error: `auth failed with Bearer ${RAW_SECRETS.jwt}; retried with Authorization: Basic ${RAW_SECRETS.basic}`,
      action_name: `email ${RAW_SECRETS.actionEmail}`,
      tool_name: `notify ${RAW_SECRETS.toolEmail}`,
      tool_args_hash: `to=${RAW_SECRETS.argsEmail} ssn=${RAW_SECRETS.argsSsn} card ${RAW_SECRETS.argsCard}`,
      security_flags: [`pii:${RAW_SECRETS.actionEmail}`],
      metadata: {
        request: { headers: { authorization: "Basic dXNlcjpwYXNz" }, cards: [RAW_SECRETS.cardDashed] },
        private_key_pem: `-----BEGIN RSA PRIVATE KEY-----\n${RAW_SECRETS.pemBody}`,
        password: RAW_SECRETS.password,
        db_password: [RAW_SECRETS.password2],
        by_customer: { [RAW_SECRETS.keyEmail]: { last_ip: "198.51.100.23" } },
      },
    });
    const res = await POST(
      new Request("http://soc.test/api/v1/ingest", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify([event]),
      }),
    );
    expect(res.status).toBe(200);

    const dump = await wholeDatabaseText();
    expect(dump).toContain(sessionId);
    for (const [name, raw] of Object.entries(RAW_SECRETS)) {
      expect(dump.includes(raw), `${name} (${raw}) must not be stored`).toBe(false);
    }
    expect(dump).not.toContain("dXNlcjpwYXNz");

    const stored = await appDb().execute<{ input_summary: string; redactions: Record<string, number> }>(
      sql`SELECT input_summary, redactions FROM events WHERE session_id = ${sessionId}`,
    );
    expect(stored.rows[0]?.input_summary).toBe("lookup ssn [SSN_REDACTED] card [CREDIT_CARD_REDACTED] mail [EMAIL_REDACTED] from [IP_ADDRESS_REDACTED]");
    expect(stored.rows[0]?.redactions).toEqual({
      ssn: 2,
      credit_card: 3,
      email: 6,
      ip_address: 2,
      phone: 1,
      aws_key: 1,
      api_key: 3,
      password: 3,
      jwt: 1,
      private_key: 1,
    });
  });

  it("stores text PostgreSQL would refuse (NUL, lone surrogates) instead of failing the batch", async () => {
    const { agentId, key } = await newAgent();
    const sessionId = `sess_${randomUUID().slice(0, 8)}`;
    const res = await POST(
      new Request("http://soc.test/api/v1/ingest", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify([makeEvent(agentId, { session_id: sessionId, output_summary: "bin\u0000ary \ud800", metadata: { k: "a\u0000b" } })]),
      }),
    );
    expect(res.status).toBe(200);
    const stored = await appDb().execute<{ output_summary: string }>(sql`SELECT output_summary FROM events WHERE session_id = ${sessionId}`);
    expect(stored.rows[0]?.output_summary).toBe("bin\uFFFDary \uFFFD");
  });
});
