import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { type CredentialRow, credentialViews } from "@/db/queries/credentials";
import { agentExists } from "@/db/queries/ingest-keys";
import { credentials, rotationItems } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import { actorId, type Ctx } from "@/lib/context";
import type { CreatedCredential, CredentialView } from "@/lib/credentials/views";
import { assertEgressAllowed } from "@/lib/egress";
import { AppError, errorCode } from "@/lib/errors";
import { displayConfig } from "./describe";
import { randomSecret } from "./providers/random-secret";
import { createCredentialInput, credentialIdSchema, parseCredentialConfig, retireCredentialInput, updateCredentialInput } from "./schemas";
import { sealCredentialSecret, webhookSigningKey } from "./secrets";

const UNIQUE_VIOLATION = "23505";
const TARGET = "credential";

/** What the audit log keeps of a credential: everything but secrets, which it never sees. */
const audited = (r: CredentialRow) => ({
  agent_id: r.agentId,
  name: r.name,
  kind: r.kind,
  config: displayConfig(r.kind, r.config),
  secret_known: r.secretSealed !== null,
});

/** The agent's own ingest key is always in its inventory: registration adds it, in the caller's transaction. */
export async function addIngestKeyCredential(tx: Tx, agentId: string, createdBy: string): Promise<void> {
  await tx.insert(credentials).values({ agentId, name: "ingest key", kind: "ingest_key", config: {}, createdBy }).onConflictDoNothing();
}

/** A rotation's last step: the secret the credential now has, sealed, so the next rotation can prove it refused. */
export async function storeRotatedSecret(tx: Tx, credentialId: string, secretSealed: string | null): Promise<void> {
  await tx.update(credentials).set({ secretSealed, updatedAt: sql`now()` }).where(eq(credentials.id, credentialId));
}

/**
 * Adds a credential to an agent's inventory (admin). An HMAC signing secret is issued here and
 * shown once; for a PostgreSQL role or Redis user the secret in use may be given, so that the first
 * rotation can prove it dead. Secrets are stored sealed and never returned again.
 */
export async function createCredential({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<CreatedCredential> {
  authorize(ctx, "admin", "manage credentials");
  const body = parseOrThrow(createCredentialInput, input ?? {});
  const config = parseCredentialConfig(body.kind, body.config);
  if (body.kind === "webhook" && typeof config.url === "string") await assertEgressAllowed(config.url, "config.url");
  if (body.kind === "ingest_key") {
    throw new AppError("CONFLICT", `Agent ${body.agent_id}'s ingest key is already in its inventory (every agent has one)`, {
      details: { errors: [{ path: "kind", message: "each agent has exactly one ingest_key credential, added at registration" }] },
    });
  }
  if (body.current_secret !== undefined && body.kind !== "postgres_role" && body.kind !== "redis_acl_user") {
    throw new AppError("VALIDATION", `current_secret: only for postgres_role and redis_acl_user credentials`, {
      details: { errors: [{ path: "current_secret", message: `not accepted for ${body.kind}` }] },
    });
  }
  if (!(await agentExists(ctx.db, body.agent_id))) {
    throw new AppError("NOT_FOUND", `No agent ${body.agent_id} is registered`, { details: { errors: [{ path: "agent_id", message: "unknown agent" }] } });
  }
  const issued = body.kind === "hmac_secret" ? randomSecret() : undefined;
  const secret = issued ?? body.current_secret;
  try {
    return await ctx.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(credentials)
        .values({
          agentId: body.agent_id,
          name: body.name,
          kind: body.kind,
          config,
          secretSealed: secret ? sealCredentialSecret(secret) : null,
          createdBy: actorId(ctx.actor),
        })
        .returning();
      if (!row) throw new Error("credential insert returned no row");
      await recordAudit(tx, ctx, { action: "credential.create", targetType: TARGET, targetId: row.id, after: audited(row) });
      const [view] = await credentialViews(tx, [row]);
      if (!view) throw new Error("credential view missing");
      return {
        credential: view,
        ...(issued ? { secret: issued } : {}),
        ...(body.kind === "webhook" ? { signing_key: webhookSigningKey(row.id).toString("hex") } : {}),
      };
    });
  } catch (err) {
    if (errorCode(err) === UNIQUE_VIOLATION) {
      throw new AppError("CONFLICT", `Agent ${body.agent_id} already has a credential named "${body.name}"`, {
        details: { errors: [{ path: "name", message: "already used by this agent" }] },
      });
    }
    throw err;
  }
}

async function lockCredential(tx: Tx, id: string): Promise<CredentialRow> {
  const [row] = await tx
    .select()
    .from(credentials)
    .where(and(eq(credentials.id, id), isNull(credentials.retiredAt)))
    .for("update");
  if (!row) throw new AppError("NOT_FOUND", `No credential ${id}`);
  const [live] = await tx
    .select({ runId: rotationItems.runId })
    .from(rotationItems)
    .where(and(eq(rotationItems.credentialId, id), inArray(rotationItems.state, ["pending", "retrying"])));
  if (live)
    throw new AppError("CONFLICT", `Credential "${row.name}" is being rotated (run ${live.runId}); change it when the run ends`, {
      details: { rotation_id: live.runId },
    });
  return row;
}

/** Renames a credential, changes its config, or records the secret in use (admin). */
export async function updateCredential({ ctx, input }: { ctx: Ctx; input: { id: unknown; body: unknown } }): Promise<CredentialView> {
  authorize(ctx, "admin", "manage credentials");
  const id = parseOrThrow(credentialIdSchema, input.id);
  const body = parseOrThrow(updateCredentialInput, input.body ?? {});
  // Only a webhook's config has a url (the other kinds' schemas refuse one); checked before the row is locked, as it resolves a name.
  if (typeof body.config?.url === "string") await assertEgressAllowed(body.config.url, "config.url");
  try {
    return await ctx.db.transaction(async (tx) => {
      const row = await lockCredential(tx, id);
      const config = body.config === undefined ? row.config : parseCredentialConfig(row.kind, body.config);
      if (body.current_secret !== undefined && row.kind !== "postgres_role" && row.kind !== "redis_acl_user") {
        throw new AppError("VALIDATION", `current_secret: only for postgres_role and redis_acl_user credentials`, {
          details: { errors: [{ path: "current_secret", message: `not accepted for ${row.kind}` }] },
        });
      }
      if (row.kind === "ingest_key" && body.config !== undefined && Object.keys(config).length > 0) {
        throw new AppError("VALIDATION", "config: an ingest key has no settings");
      }
      const [updated] = await tx
        .update(credentials)
        .set({
          name: body.name ?? row.name,
          config,
          ...(body.current_secret === undefined ? {} : { secretSealed: sealCredentialSecret(body.current_secret) }),
          updatedAt: sql`now()`,
        })
        .where(eq(credentials.id, id))
        .returning();
      if (!updated) throw new Error("credential update returned no row");
      await recordAudit(tx, ctx, {
        action: "credential.update",
        targetType: TARGET,
        targetId: id,
        before: audited(row),
        after: { ...audited(updated), ...(body.current_secret === undefined ? {} : { current_secret: "replaced" }) },
      });
      const [view] = await credentialViews(tx, [updated]);
      if (!view) throw new Error("credential view missing");
      return view;
    });
  } catch (err) {
    if (errorCode(err) === UNIQUE_VIOLATION)
      throw new AppError("CONFLICT", `The agent already has a credential named "${body.name}"`, {
        details: { errors: [{ path: "name", message: "already used by this agent" }] },
      });
    throw err;
  }
}

/** Takes a credential out of the inventory (admin); its rotation history stays. */
export async function retireCredential({ ctx, input }: { ctx: Ctx; input: { id: unknown; body: unknown } }): Promise<{ id: string; retired: true }> {
  authorize(ctx, "admin", "manage credentials");
  const id = parseOrThrow(credentialIdSchema, input.id);
  const { reason } = parseOrThrow(retireCredentialInput, input.body ?? {});
  return ctx.db.transaction(async (tx) => {
    const row = await lockCredential(tx, id);
    if (row.kind === "ingest_key") throw new AppError("CONFLICT", `An agent's ingest key stays in its inventory; revoke or rotate it instead`);
    await tx.update(credentials).set({ retiredAt: sql`now()`, secretSealed: null, updatedAt: sql`now()` }).where(eq(credentials.id, id));
    await recordAudit(tx, ctx, { action: "credential.retire", targetType: TARGET, targetId: id, reason, before: audited(row), after: { retired: true } });
    return { id, retired: true as const };
  });
}
