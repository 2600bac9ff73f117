import { appDb } from "@/db/client";
import { unexpiredRevocations } from "@/db/queries/tool-tokens";
import { handle } from "@/lib/http/respond";
import { sseStream } from "@/lib/http/sse";
import { CONSOLE_CHANNEL, subscribeKillEvents } from "@/lib/killswitch";
import { appRedis } from "@/lib/redis";
import { followRevocations, takeRevocationStreamSlot } from "@/lib/tool-tokens";

export const dynamic = "force-dynamic";

/** The revocation list now, then each revocation as a kill makes it (the kill switch's change feed wakes the feed). */
export async function GET(req: Request): Promise<Response> {
  return handle(req, async ({ sourceIp }) => {
    const db = appDb();
    const release = takeRevocationStreamSlot(sourceIp);
    const onKillSwitchChange = (wake: () => void) =>
      subscribeKillEvents(appRedis(), (_message, channel) => {
        if (channel === CONSOLE_CHANNEL) wake();
      });
    return sseStream(req.signal, async ({ send }) => {
      try {
        const stop = await followRevocations(db, onKillSwitchChange, (revoked) => send({ revoked }, "revoked"));
        send({ revoked: await unexpiredRevocations(db), as_of: new Date().toISOString() }, "revocations");
        return () => {
          stop();
          release();
        };
      } catch (err) {
        release();
        throw err;
      }
    });
  });
}
