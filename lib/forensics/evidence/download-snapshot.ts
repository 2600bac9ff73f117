import { readSnapshotManifest, readSnapshotNdjson } from "@/db/queries/evidence";
import { recordAudit } from "@/lib/audit";
import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import type { Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { snapshotIdSchema } from "./schemas";

export type SnapshotFile = "ndjson" | "manifest";

export interface SnapshotDownload {
  filename: string;
  contentType: string;
  body: Buffer;
}

/** A file name safe in a Content-Disposition header and on any file system. */
export function snapshotFilename(sessionId: string, snapshotId: string, file: SnapshotFile): string {
  const session =
    sessionId
      .replace(/[^A-Za-z0-9._-]+/g, "_")
      .replace(/^[._]+/, "")
      .slice(0, 100) || "session";
  return `${session}-${snapshotId}.${file === "ndjson" ? "ndjson" : "manifest.json"}`;
}

/** One of a snapshot's two files (analyst+). Every download is audited: the chain of custody names who took a copy. */
export async function downloadSnapshot({ ctx, input }: { ctx: Ctx; input: { snapshotId: unknown; file: SnapshotFile } }): Promise<SnapshotDownload> {
  authorize(ctx, "analyst", "download evidence snapshots");
  const snapshotId = parseOrThrow(snapshotIdSchema, input.snapshotId);
  return ctx.db.transaction(async (tx) => {
    const row = input.file === "ndjson" ? await readSnapshotNdjson(tx, snapshotId) : await readSnapshotManifest(tx, snapshotId);
    if (!row) throw new AppError("NOT_FOUND", `Evidence snapshot ${snapshotId} does not exist`);
    const body = "ndjson" in row ? row.ndjson : Buffer.from(row.manifest, "utf8");
    await recordAudit(tx, ctx, {
      action: "evidence.download",
      targetType: "evidence_snapshot",
      targetId: snapshotId,
      after: { file: input.file, session_id: row.sessionId, agent_id: row.agentId, ndjson_sha256: row.ndjsonSha256, bytes: body.length },
    });
    return {
      filename: snapshotFilename(row.sessionId, snapshotId, input.file),
      contentType: input.file === "ndjson" ? "application/x-ndjson; charset=utf-8" : "application/json; charset=utf-8",
      body,
    };
  });
}

/** Headers for serving a snapshot file as a download; the name is already safe to quote. */
export function attachmentHeaders(download: SnapshotDownload): Record<string, string> {
  return {
    "content-type": download.contentType,
    "content-length": String(download.body.length),
    "content-disposition": `attachment; filename="${download.filename}"`,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  };
}
