import { z } from "zod";
import { agentEventSchema } from "@/lib/ingest/schemas";
import { PERMISSIONS } from "@/lib/policy/policy";
import { isoTime, nullableTime } from "@/lib/schema-kit";
import { unstorableReason } from "@/lib/storable-text";

/** Five minutes, as the guide's AgentTokenManager issues them. */
export const DEFAULT_TTL_SECONDS = 300;
/** The longest a token may live: a kill's revocation reaches tools that follow the list; this bounds the rest. */
export const MAX_TTL_SECONDS = 3600;
export const TOKEN_ISSUER = "agentsoc";
export const TOKEN_AUDIENCE = "agentsoc-tools";

const toolName = z
  .string()
  .min(1, "tools: a tool name must not be empty")
  .max(200, "tools: a tool name has at most 200 characters")
  .superRefine((text, ctx) => {
    const why = unstorableReason(text);
    if (why) ctx.addIssue({ code: "custom", message: `tools: ${why}` });
    else if (/[\u0000-\u001f\u007f]/.test(text)) ctx.addIssue({ code: "custom", message: "tools: a tool name contains a control character" });
  });

/** Body of POST /api/v1/agents/{agentId}/tool-tokens. */
export const issueToolTokenBody = z
  .object({
    tools: z.array(toolName).min(1, "tools: name at least one tool").max(50, "tools: at most 50 per token"),
    permissions: z
      .array(z.enum(PERMISSIONS))
      .min(1, "permissions: name at least one permission")
      .max(PERMISSIONS.length)
      .meta({ description: "Among the policy's actions: read, write, delete, execute, admin" }),
    ttl_seconds: z
      .number()
      .int()
      .min(10, "ttl_seconds: at least 10")
      .max(MAX_TTL_SECONDS, `ttl_seconds: at most ${MAX_TTL_SECONDS}`)
      .default(DEFAULT_TTL_SECONDS),
    alg: z
      .enum(["EdDSA", "HS256"])
      .default("EdDSA")
      .meta({ description: "EdDSA (verified offline with /.well-known/jwks.json) or the guide's HS256 with the shared SOC_TOOL_TOKEN_HS256_SECRET" }),
    session_id: agentEventSchema.shape.session_id
      .optional()
      .meta({ description: "The session the token is for: its issue is recorded in that session's timeline" }),
  })
  .strict();
export type IssueToolTokenInput = z.output<typeof issueToolTokenBody>;

export const issuedToolTokenSchema = z.object({
  token: z.string().meta({ description: "The JWT; shown this once, never stored" }),
  jti: z.uuid(),
  alg: z.enum(["EdDSA", "HS256"]),
  kid: z.string().nullable(),
  exp: z.number().int().meta({ description: "Expiry, epoch seconds" }),
  expires_at: isoTime,
  tools: z.array(z.string()),
  permissions: z.array(z.string()),
  tool_permissions: z.record(z.string(), z.array(z.string())),
  policy_version: z.number().int(),
});
export type IssuedToolToken = z.infer<typeof issuedToolTokenSchema>;

export const toolTokenViewSchema = z.object({
  jti: z.uuid(),
  agent_id: z.string(),
  session_id: z.string().nullable(),
  tools: z.array(z.string()),
  permissions: z.array(z.string()),
  tool_permissions: z.record(z.string(), z.array(z.string())),
  alg: z.string(),
  kid: z.string().nullable(),
  policy_version: z.number().int(),
  issued_at: isoTime,
  expires_at: isoTime,
  state: z.enum(["live", "expired", "revoked"]),
  revoked_at: nullableTime,
  revoked_by: z.string().nullable(),
  revoke_reason: z.string().nullable(),
});
export type ToolTokenView = z.infer<typeof toolTokenViewSchema>;

export const agentToolTokensSchema = z.object({
  agent_id: z.string(),
  live: z.number().int().meta({ description: "Tokens neither expired nor revoked" }),
  last_expires_at: nullableTime.meta({ description: "When the last live token expires; null when none is live" }),
  tokens: z.array(toolTokenViewSchema).meta({ description: "Live tokens, then the most recent others (at most 100)" }),
});
export type AgentToolTokens = z.infer<typeof agentToolTokensSchema>;

export const revocationListSchema = z.object({
  revoked: z.array(z.object({ jti: z.uuid(), exp: z.number().int() })).meta({ description: "Revoked tokens that have not expired yet" }),
  as_of: isoTime,
});
export type RevocationList = z.infer<typeof revocationListSchema>;

const jwkSchema = z.object({
  kty: z.literal("OKP"),
  crv: z.literal("Ed25519"),
  x: z.string(),
  kid: z.string(),
  alg: z.literal("EdDSA"),
  use: z.literal("sig"),
});
export const jwksSchema = z.object({ keys: z.array(jwkSchema) });
export type Jwk = z.infer<typeof jwkSchema>;

export const signingKeysSchema = z.object({
  current: z.object({ generation: z.number().int(), kid: z.string() }),
  published: z.array(z.object({ generation: z.number().int(), kid: z.string(), retired_at: nullableTime })),
});

/** Body of POST /api/v1/tool-tokens/signing-keys/rotate. */
export const rotateSigningKeyBody = z.object({ reason: z.string().trim().min(1, "reason: say why the key is rotated").max(2000) });
