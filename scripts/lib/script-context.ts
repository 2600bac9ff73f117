import { randomUUID } from "node:crypto";
import { userInfo } from "node:os";
import type { Db } from "@/db/client";
import type { Ctx } from "@/lib/context";

/** The actor for changes made from a shell: the operating-system user, as the audit log's "who". */
export function cliContext(db: Db): Ctx {
  let user = "unknown";
  try {
    user = userInfo().username;
  } catch {
    // Containers may run as a uid with no passwd entry.
  }
  return { db, actor: { type: "cli", id: user }, requestId: `cli-${randomUUID()}`, sourceIp: null };
}
