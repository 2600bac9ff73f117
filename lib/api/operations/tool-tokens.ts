import { z } from "zod";
import { agentIdSchema } from "@/lib/agents/schemas";
import { eventStreamSchema } from "@/lib/killswitch/schemas";
import {
  agentToolTokensSchema,
  issuedToolTokenSchema,
  issueToolTokenBody,
  jwksSchema,
  revocationListSchema,
  rotateSigningKeyBody,
  signingKeysSchema,
} from "@/lib/tool-tokens/schemas";
import { jsonBody, operation } from "../operation";

const agentParams = z.object({ agentId: agentIdSchema });

export const toolTokensApi = {
  issue: operation({
    method: "POST",
    path: "/api/v1/agents/{agentId}/tool-tokens",
    tag: "Tool tokens",
    summary: "Issue a short-lived tool token to the agent",
    description:
      "With the agent's ingest key. Only within the agent's security policy in effect (each tool in it, each tool carrying only the requested permissions its line allows), never to a killed agent or under a global kill. A JWT signed with EdDSA (verify with /.well-known/jwks.json) or the guide's HS256; the issue and every refusal are recorded as events of the agent.",
    access: "ingest-key",
    params: agentParams,
    body: jsonBody(issueToolTokenBody),
    responses: { 201: { description: "Issued; the token is shown this once", schema: issuedToolTokenSchema } },
    errors: { 403: "outside the agent's policy, no policy, or the agent is killed (the refusal is recorded)", 503: "SOC_SECRET is not set" },
  }),
  list: operation({
    method: "GET",
    path: "/api/v1/agents/{agentId}/tool-tokens",
    tag: "Tool tokens",
    summary: "The tool tokens an agent holds",
    description: "Live tokens first (what a kill would revoke), then its most recent expired and revoked ones. Never the tokens themselves.",
    access: "viewer",
    params: agentParams,
    responses: { 200: { description: "Its tokens", schema: agentToolTokensSchema } },
    errors: { 404: "no such agent" },
  }),
  jwks: operation({
    method: "GET",
    path: "/.well-known/jwks.json",
    tag: "Tool tokens",
    summary: "The public keys tool tokens are signed with (JWKS)",
    description: "Ed25519 keys (RFC 8037), named by their RFC 7638 thumbprint: the current one and any retired within the longest token lifetime.",
    access: "public",
    responses: { 200: { description: "The key set", schema: jwksSchema } },
    errors: { 503: "SOC_SECRET is not set" },
  }),
  revocations: operation({
    method: "GET",
    path: "/api/v1/tool-tokens/revocations",
    tag: "Tool tokens",
    summary: "Revoked tool tokens that have not expired",
    description: "What a tool must refuse although signature and expiry would accept it. Token ids only.",
    access: "public",
    responses: { 200: { description: "The list", schema: revocationListSchema } },
  }),
  revocationStream: operation({
    method: "GET",
    path: "/api/v1/tool-tokens/revocations/stream",
    tag: "Tool tokens",
    summary: "Revocations as server-sent events, for tools that follow them",
    description:
      'First a `revocations` event with the whole list (as GET …/revocations), then a `revoked` event (data: `{"revoked": [{"jti", "exp"}]}`) as soon as a kill revokes tokens.',
    access: "public",
    responses: { 200: { description: "The stream stays open until the client leaves", content: { "text/event-stream": eventStreamSchema } } },
    errors: { 429: "this address already holds as many streams as it may" },
  }),
  signingKeys: operation({
    method: "GET",
    path: "/api/v1/tool-tokens/signing-keys",
    tag: "Tool tokens",
    summary: "The signing key's generations",
    access: "admin",
    responses: { 200: { description: "The current generation and those still published", schema: signingKeysSchema } },
  }),
  rotateSigningKey: operation({
    method: "POST",
    path: "/api/v1/tool-tokens/signing-keys",
    tag: "Tool tokens",
    summary: "Rotate the signing key",
    description: "New tokens are signed with the next generation at once; the retired key stays in the JWKS until the tokens it signed have expired. Audited.",
    access: "admin",
    body: jsonBody(rotateSigningKeyBody),
    responses: { 201: { description: "Rotated", schema: z.object({ generation: z.number().int(), kid: z.string(), previous_kid: z.string() }) } },
  }),
};
