import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { asc, eq, gte, sql } from "drizzle-orm";
import { describe, expect, inject, it } from "vitest";
import { GET as getMetrics } from "@/app/metrics/route";
import { appDb, type Tx } from "@/db/client";
import { readMetrics } from "@/db/queries/metrics";
import { auditLog } from "@/db/schema";
import { auditRowHash, recordAudit, verifyAuditChain } from "@/lib/audit";
import { createUser } from "@/lib/auth";
import { bearer, testCtx, withOwnerDb } from "@/scripts/testing/fixtures";

const run = promisify(execFile);

async function latestAuditId(): Promise<number> {
  await createUser({ ctx: testCtx(), input: { email: `chain-${randomUUID().slice(0, 8)}@example.com`, role: "viewer" } });
  const rows = await appDb().execute<{ id: string }>(sql`SELECT max(id)::text AS id FROM audit_log`);
  return Number(rows.rows[0]?.id);
}

/**
 * The tamperer holds the owner's rights (the console's own role may not change audit_log). Tampering
 * happens inside a transaction that is rolled back, so the shared chain stays intact for other tests.
 */
async function tamperAndVerify(tamper: (tx: Tx) => Promise<unknown>) {
  const rollback = new Error("rollback");
  let report: Awaited<ReturnType<typeof verifyAuditChain>> | null = null;
  await withOwnerDb((owner) =>
    owner
      .transaction(async (tx) => {
        await tamper(tx);
        report = await verifyAuditChain(tx, 50);
        throw rollback;
      })
      .catch((err: unknown) => {
        if (err !== rollback) throw err;
      }),
  );
  return report as Awaited<ReturnType<typeof verifyAuditChain>> | null;
}

describe("the audit log's hash chain", () => {
  it("is intact after ordinary work, with ids that have no gaps", async () => {
    await latestAuditId();
    const last = await latestAuditId();
    const report = await verifyAuditChain(appDb(), 50);
    expect(report.problem).toBeNull();
    expect(report.rowsChecked).toBe(last);
  });

  it("stores a change whose details hold text PostgreSQL cannot store, keys included, and still verifies", async () => {
    const targetId = `odd-${randomUUID().slice(0, 8)}`;
    await appDb().transaction((tx) =>
      recordAudit(tx, testCtx(), { action: "test.odd_text", targetType: "test", targetId, reason: "r\u0000", after: { "key\u0000": ["value\ud800"] } }),
    );
    const rows = await appDb().execute<{ reason: string; after: unknown }>(sql`SELECT reason, after FROM audit_log WHERE target_id = ${targetId}`);
    expect(rows.rows).toEqual([{ reason: "r\uFFFD", after: { "key\uFFFD": ["value\uFFFD"] } }]);
    expect((await verifyAuditChain(appDb())).problem).toBeNull();
  });

  it("names the row whose content was altered", async () => {
    const target = (await latestAuditId()) - 1;
    const report = await tamperAndVerify((tx) => tx.execute(sql`UPDATE audit_log SET reason = 'nothing to see' WHERE id = ${target}`));
    expect(report?.problem).toEqual({ id: target, kind: "altered", message: `row ${target} was altered: its content no longer matches its hash` });
  });

  it("names the place where a row was removed", async () => {
    const id = await latestAuditId();
    const target = id - 1;
    const report = await tamperAndVerify((tx) => tx.execute(sql`DELETE FROM audit_log WHERE id = ${target}`));
    expect(report?.problem).toMatchObject({ id, kind: "removed", message: expect.stringContaining(`row ${target} removed`) });
  });

  it("catches a rewritten row whose own hash was recomputed: the next row no longer links to it", async () => {
    const target = (await latestAuditId()) - 1;
    const report = await tamperAndVerify((tx) => tx.execute(sql`UPDATE audit_log SET action = 'harmless', hash = repeat('a', 64) WHERE id = ${target}`));
    expect(report?.problem?.id).toBe(target);
  });

  it("catches a forger without the secret who rewrites a row and re-chains every row after it", async () => {
    const target = (await latestAuditId()) - 1;
    const report = await tamperAndVerify(async (tx) => {
      const rows = await tx
        .select()
        .from(auditLog)
        .where(gte(auditLog.id, target - 1))
        .orderBy(asc(auditLog.id));
      let prev = rows[0]?.hash ?? "";
      for (const row of rows.slice(1)) {
        const forged = { ...row, reason: row.id === target ? "nothing happened" : row.reason };
        const hash = auditRowHash(prev, forged, null);
        await tx.update(auditLog).set({ reason: forged.reason, prevHash: prev, hash, hashAlg: "sha256" }).where(eq(auditLog.id, row.id));
        prev = hash;
      }
    });
    expect(report?.problem).toMatchObject({ id: target, kind: "altered", message: expect.stringContaining("not keyed") });
  });

  it("exports its head on /metrics, where rows cut from its end, which the chain itself cannot show, show as a shorter chain", async () => {
    const viewer = await bearer("viewer");
    const last = await latestAuditId();
    const [head] = await appDb().select({ hash: auditLog.hash, at: auditLog.at }).from(auditLog).where(eq(auditLog.id, last));
    const res = await getMetrics(new Request("http://soc.test/metrics", { headers: viewer }));
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain(`\nagentsoc_audit_chain_length ${last}\n`);
    expect(text).toContain(`\nagentsoc_audit_chain_head_info{id="${last}",hash="${head?.hash}"} 1\n`);
    expect(text).toContain(`\nagentsoc_audit_chain_head_timestamp_seconds ${(head?.at.getTime() ?? 0) / 1000}\n`);

    const rollback = new Error("rollback");
    await withOwnerDb((owner) =>
      owner
        .transaction(async (tx) => {
          const [previous] = await tx
            .select({ hash: auditLog.hash })
            .from(auditLog)
            .where(eq(auditLog.id, last - 2));
          await tx.execute(sql`DELETE FROM audit_log WHERE id >= ${last - 1}`);
          expect((await verifyAuditChain(tx, 50)).problem).toBeNull();
          const families = await readMetrics(tx);
          expect(families.find((f) => f.name === "agentsoc_audit_chain_length")?.samples).toEqual([{ labels: {}, value: last - 2 }]);
          expect(families.find((f) => f.name === "agentsoc_audit_chain_head_info")?.samples).toEqual([
            { labels: { id: String(last - 2), hash: previous?.hash }, value: 1 },
          ]);
          throw rollback;
        })
        .catch((err: unknown) => {
          if (err !== rollback) throw err;
        }),
    );
  });

  it("`soc audit verify` exits 1 naming the altered row, and 0 once it is restored", async () => {
    const target = (await latestAuditId()) - 1;
    const env = { ...process.env, DATABASE_URL: inject("databaseUrl") };
    const original = await appDb().execute<{ reason: string | null }>(sql`SELECT reason FROM audit_log WHERE id = ${target}`);
    await withOwnerDb((owner) => owner.execute(sql`UPDATE audit_log SET reason = 'edited by hand' WHERE id = ${target}`));
    try {
      const failure = await run("node_modules/.bin/tsx", ["scripts/soc.ts", "audit", "verify"], { env }).then(
        () => null,
        (err: { code: number; stderr: string }) => err,
      );
      expect(failure?.code).toBe(1);
      expect(failure?.stderr).toContain(`audit chain BROKEN at row ${target}`);
    } finally {
      await withOwnerDb((owner) => owner.execute(sql`UPDATE audit_log SET reason = ${original.rows[0]?.reason ?? null} WHERE id = ${target}`));
    }
    const { stdout } = await run("node_modules/.bin/tsx", ["scripts/soc.ts", "audit", "verify"], { env });
    expect(stdout).toMatch(/^audit chain intact: \d+ rows/);
  }, 90_000);
});
