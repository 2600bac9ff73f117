import { authedRoute } from "@/lib/http/authed-route";
import { sseStream } from "@/lib/http/sse";
import { subscribeKillEvents } from "@/lib/killswitch";
import { appRedis } from "@/lib/redis";

export const dynamic = "force-dynamic";

/** Every kill-switch change as it happens, for open consoles (they refetch the state on each). */
export const GET = authedRoute("viewer", async ({ req }) =>
  sseStream(req.signal, async ({ send }) => {
    send({ action: "hello" });
    return subscribeKillEvents(appRedis(), (message) => send({ changed: true, message }));
  }),
);
