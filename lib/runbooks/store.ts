import { eq, sql } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { getRunbook, type StoredRunbook } from "@/db/queries/runbooks";
import { runbooks, runbookVersions } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { authorize } from "@/lib/auth/authorize";
import { actorId, type Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { parseRunbook, type RunbookDefinition } from "./parse-runbook";
import { SHIPPED_RUNBOOKS } from "./shipped";

// One writer at a time per runbook name, so two uploads of one runbook get consecutive versions.
const lockName = (tx: Tx, name: string) => tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`runbook:${name}`}))`);

async function storeVersion(tx: Tx, ctx: Ctx, source: string, definition: RunbookDefinition): Promise<{ runbook: StoredRunbook; created: boolean }> {
  await lockName(tx, definition.name);
  const current = await getRunbook(tx, { name: definition.name });
  if (current && current.source === source) return { runbook: current, created: false };
  const version = (current?.version ?? 0) + 1;
  const [row] = current
    ? await tx.update(runbooks).set({ latestVersion: version, updatedAt: new Date() }).where(eq(runbooks.id, current.id)).returning({ id: runbooks.id })
    : await tx.insert(runbooks).values({ name: definition.name, latestVersion: version }).returning({ id: runbooks.id });
  if (!row) throw new AppError("INTERNAL", `Runbook ${definition.name} could not be stored`);
  await tx.insert(runbookVersions).values({ runbookId: row.id, version, source, definition, createdBy: actorId(ctx.actor) });
  await recordAudit(tx, ctx, {
    action: "runbook.version",
    targetType: "runbook",
    targetId: row.id,
    after: { name: definition.name, version, severity: definition.severity, steps: definition.phases.reduce((n, p) => n + p.steps.length, 0) },
  });
  const stored = await getRunbook(tx, { id: row.id }, version);
  if (!stored) throw new AppError("INTERNAL", `Runbook ${definition.name} version ${version} was not found after storing it`);
  return { runbook: stored, created: true };
}

/**
 * Stores a runbook from its YAML (admin): a new runbook, or a new version of the one with the same
 * name; the same text again is not a new version. Malformed YAML is a VALIDATION error naming each
 * problem's line, column and field.
 */
export async function uploadRunbook({ ctx, input }: { ctx: Ctx; input: { source: string } }): Promise<{ runbook: StoredRunbook; created: boolean }> {
  authorize(ctx, "admin", "upload runbooks");
  const definition = parseRunbook(input.source);
  return ctx.db.transaction((tx) => storeVersion(tx, ctx, input.source, definition));
}

/** Loads the runbooks shipped with the console that are not stored yet (at start-up; a later upload wins). */
export async function ensureShippedRunbooks(db: Db): Promise<void> {
  const ctx: Ctx = { db, actor: { type: "system", id: "shipped-runbooks" }, requestId: "shipped-runbooks", sourceIp: null };
  for (const [name, source] of Object.entries(SHIPPED_RUNBOOKS)) {
    if (await getRunbook(db, { name })) continue;
    await db.transaction(async (tx) => {
      await lockName(tx, name);
      if (!(await getRunbook(tx, { name }))) await storeVersion(tx, ctx, source, parseRunbook(source));
    });
  }
}
