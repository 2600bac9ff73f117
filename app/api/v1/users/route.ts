import { listUsers } from "@/db/queries/auth";
import { respond } from "@/lib/api/operation";
import { usersApi } from "@/lib/api/operations";
import { createUser } from "@/lib/auth";
import { authedRoute, readJson } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

export const GET = authedRoute(usersApi.list, async ({ ctx }) => respond(usersApi.list, 200, { users: await listUsers(ctx.db) }));

/** `{"email", "role", "password"?}`; without a password the answer holds a one-time password, shown once. */
export const POST = authedRoute(usersApi.create, async ({ req, ctx }) => respond(usersApi.create, 201, await createUser({ ctx, input: await readJson(req) })));
