import { respond } from "@/lib/api/operation";
import { authApi } from "@/lib/api/operations";
import { listOwnSessions } from "@/lib/auth";
import { authedRoute } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

export const GET = authedRoute(authApi.listSessions, async ({ ctx }) => respond(authApi.listSessions, 200, { sessions: await listOwnSessions({ ctx }) }));
