import { listUsers } from "@/db/queries/auth";
import { createUser } from "@/lib/auth";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

export const GET = authedRoute("admin", async ({ ctx }) => json({ users: await listUsers(ctx.db) }));

/** `{"email", "role", "password"?}`; without a password the answer holds a one-time password, shown once. */
export const POST = authedRoute("admin", async ({ req, ctx }) => json(await createUser({ ctx, input: await readJson(req) }), 201));
