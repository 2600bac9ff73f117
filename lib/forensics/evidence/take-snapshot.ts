import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import {
  countScopeEvents,
  type EventPageCursor,
  findSnapshotByContent,
  readEvidenceAlerts,
  readEvidenceEventPage,
  readEvidenceFindings,
  snapshotLinks,
} from "@/db/queries/evidence";
import { evidenceSnapshots } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import { actorId, type Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import type { SnapshotView } from "@/lib/forensics/evidence/views";
import { resolveSessionScope } from "../session-scope";
import { alertRecord, eventRecord, findingRecord, NdjsonWriter } from "./build-ndjson";
import { MANIFEST_FORMAT, manifestFile, signManifest, takenByOf, type UnsignedManifest } from "./manifest";
import { snapshotSessionIdSchema, takeSnapshotBody } from "./schemas";
import { consoleEvidenceKey, SIGNATURE_ALGORITHM } from "./signing-key";

export const SNAPSHOT_MAX_EVENTS = 200_000;
export const SNAPSHOT_PAGE_SIZE = 5_000;
/** Kept well under what one bytea value can carry through the driver in one piece. */
export const SNAPSHOT_MAX_BYTES = 128 * 1024 * 1024;

/** A snapshot as taken: `existing` when the content was frozen before, and that snapshot is returned instead of a copy. */
export type TakenSnapshot = SnapshotView & { existing: boolean };

/**
 * Freezes one agent's part of a session (analyst+): its events, their findings and its alerts as NDJSON,
 * and a manifest naming their hash, signed with the console's Ed25519 key. The row can never be changed
 * or deleted afterwards, so nothing identical is stored twice: when a snapshot of the same content
 * exists, that one is returned.
 */
export async function takeSnapshot({ ctx, input }: { ctx: Ctx; input: { sessionId: unknown; body?: unknown } }): Promise<TakenSnapshot> {
  authorize(ctx, "analyst", "take evidence snapshots");
  const sessionId = parseOrThrow(snapshotSessionIdSchema, input.sessionId);
  const body = parseOrThrow(takeSnapshotBody, input.body ?? {});
  const takenBy = takenByOf(ctx.actor);
  if (!takenBy) throw new AppError("FORBIDDEN", "Only people, API tokens and the operator's shell may take evidence snapshots");
  const key = consoleEvidenceKey();

  // Read in one repeatable-read snapshot, so events, findings and alerts are of one moment; stored
  // and audited in a second transaction (the audit chain needs read committed to see its head).
  const frozen = await ctx.db.transaction(
    async (tx) => {
      const { scope } = await resolveSessionScope(tx, sessionId, body.agent_id);

      const total = await countScopeEvents(tx, scope);
      if (total > SNAPSHOT_MAX_EVENTS) {
        throw new AppError(
          "PAYLOAD_TOO_LARGE",
          `Session ${sessionId} of agent ${scope.agentId} has ${total} events; a snapshot holds at most ${SNAPSHOT_MAX_EVENTS}`,
        );
      }
      if (total === 0) throw new AppError("NOT_FOUND", `Session ${sessionId} of agent ${scope.agentId} has no stored events left (dropped by retention)`);

      const writer = new NdjsonWriter();
      let eventCount = 0;
      let first: string | null = null;
      let last: string | null = null;
      let cursor: EventPageCursor | null = null;
      do {
        const page: Awaited<ReturnType<typeof readEvidenceEventPage>> = await readEvidenceEventPage(tx, scope, cursor, SNAPSHOT_PAGE_SIZE);
        writer.add(page.events.map(eventRecord));
        eventCount += page.events.length;
        first ??= page.events[0]?.time ?? null;
        last = page.events.at(-1)?.time ?? last;
        cursor = page.next;
        if (writer.bytes > SNAPSHOT_MAX_BYTES) {
          throw new AppError(
            "PAYLOAD_TOO_LARGE",
            `Session ${sessionId} of agent ${scope.agentId} is larger than ${SNAPSHOT_MAX_BYTES / 1024 / 1024} MiB as NDJSON (${eventCount} events read so far)`,
          );
        }
      } while (cursor);
      if (!first || !last) throw new AppError("NOT_FOUND", `Session ${sessionId} of agent ${scope.agentId} has no stored events left (dropped by retention)`);

      const findings = await readEvidenceFindings(tx, scope);
      writer.add(findings.map(findingRecord));
      const alerts = await readEvidenceAlerts(
        tx,
        scope,
        findings.map((f) => f.alertId),
      );
      writer.add(alerts.map(alertRecord));
      if (writer.bytes > SNAPSHOT_MAX_BYTES) {
        throw new AppError(
          "PAYLOAD_TOO_LARGE",
          `Session ${sessionId} of agent ${scope.agentId} is larger than ${SNAPSHOT_MAX_BYTES / 1024 / 1024} MiB as NDJSON`,
        );
      }
      const { ndjson, sha256 } = writer.finish();
      return { scope, ndjson, sha256, eventCount, first, last, findingCount: findings.length, alertCount: alerts.length };
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
  const { scope, ndjson, sha256, eventCount, first, last, findingCount, alertCount } = frozen;

  return ctx.db.transaction(async (tx) => {
    // Two identical requests at once: the second waits here, then finds the first one's snapshot.
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`evidence_snapshot:${JSON.stringify([sessionId, scope.agentId])}`}))`);
    const existing = await findSnapshotByContent(tx, { sessionId, agentId: scope.agentId, ndjsonSha256: sha256 });
    if (existing) return { ...existing, existing: true };

    const snapshotId = randomUUID();
    const takenAt = new Date();
    const unsigned: UnsignedManifest = {
      format: MANIFEST_FORMAT,
      snapshot_id: snapshotId,
      session_id: sessionId,
      agent_id: scope.agentId,
      start_time: first,
      end_time: last,
      event_count: eventCount,
      finding_count: findingCount,
      alert_count: alertCount,
      ndjson_sha256: sha256,
      ndjson_bytes: ndjson.length,
      taken_by: takenBy,
      taken_at: takenAt.toISOString(),
      signature_algorithm: SIGNATURE_ALGORITHM,
      public_key_id: key.publicKeyId,
    };
    const manifest = signManifest(unsigned, key);

    await tx.insert(evidenceSnapshots).values({
      id: snapshotId,
      sessionId,
      agentId: scope.agentId,
      takenBy: actorId(ctx.actor),
      takenAt,
      eventCount,
      alertCount,
      ndjsonSha256: sha256,
      ndjson,
      manifest: manifestFile(manifest),
      manifestFields: manifest,
    });
    await recordAudit(tx, ctx, {
      action: "evidence.snapshot",
      targetType: "evidence_snapshot",
      targetId: snapshotId,
      after: {
        session_id: sessionId,
        agent_id: scope.agentId,
        event_count: eventCount,
        finding_count: findingCount,
        alert_count: alertCount,
        ndjson_sha256: sha256,
        ndjson_bytes: ndjson.length,
        public_key_id: key.publicKeyId,
      },
    });
    return { ...manifest, links: snapshotLinks(snapshotId), existing: false };
  });
}
