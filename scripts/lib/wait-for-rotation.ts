import type { Db } from "@/db/client";
import { getRotationRun } from "@/db/queries/rotations";
import { AppError } from "@/lib/errors";
import type { RotationRunView } from "@/lib/rotation/views";

const POLL_MS = 1_000;
/** Longer than a failing credential's whole back-off (about 10 minutes). */
const GIVE_UP_MS = 20 * 60_000;

/** Follows a run that the console's worker performs, printing each credential's state when it changes. */
export async function waitForRotation(db: Db, id: string, print: (line: string) => void): Promise<RotationRunView> {
  const seen = new Map<string, string>();
  const deadline = Date.now() + GIVE_UP_MS;
  for (;;) {
    const run = await getRotationRun(db, id);
    if (!run) throw new AppError("NOT_FOUND", `No rotation ${id}`);
    for (const item of run.items) {
      const line = `${item.credential_name} (${item.kind}): ${item.state} at ${item.step}${item.last_error ? ` — ${item.last_error}` : ""}`;
      if (seen.get(item.id) !== line) print(line);
      seen.set(item.id, line);
    }
    if (run.status !== "running") return run;
    if (Date.now() > deadline)
      throw new AppError("UNAVAILABLE", `Rotation ${id} is still running after ${GIVE_UP_MS / 60_000} minutes: is the console running?`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
