import { killSwitchApi } from "@/lib/api/operations";
import { stillAuthorized } from "@/lib/auth";
import { actorId } from "@/lib/context";
import { authedRoute, credentialsOf } from "@/lib/http/authed-route";
import { sseStream } from "@/lib/http/sse";
import { takeConsoleStreamSlot, watchKillSwitchChanges } from "@/lib/killswitch";
import { appRedis } from "@/lib/redis";

export const dynamic = "force-dynamic";

/**
 * Every kill-switch change as it happens, for open consoles (they refetch the state on each). The
 * caller is checked again before each change and every 10 s: a revoked token, an ended session or a
 * role too low ends the stream. At most CONSOLE_STREAMS_PER_IDENTITY streams per person or token (429).
 */
export const GET = authedRoute(killSwitchApi.stream, async ({ req, ctx }) => {
  const release = takeConsoleStreamSlot(actorId(ctx.actor));
  const credentials = credentialsOf(req);
  return sseStream(req.signal, async ({ send, close }) => {
    send({ action: "hello" });
    const stop = watchKillSwitchChanges(appRedis(), {
      stillAllowed: () => stillAuthorized(ctx.db, credentials, ctx.actor, killSwitchApi.stream.access),
      onChange: (message) => send({ changed: true, message }),
      onRefused: (why) => {
        send({ error: why }, "revoked");
        close();
      },
    });
    return () => {
      stop();
      release();
    };
  });
});
