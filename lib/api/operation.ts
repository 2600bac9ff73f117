import type { z } from "zod";
import type { Role } from "@/lib/auth/roles";
import { json } from "@/lib/http/respond";

/** Who may call an operation: people and API tokens from a role up, agents with their ingest key, or anyone. */
export type Access = Role | "ingest-key" | "public";
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface ResponseSpec {
  description: string;
  /** The JSON body (application/json). */
  schema?: z.ZodType;
  /** Bodies of other media types, by media type. */
  content?: Record<string, z.ZodType>;
  /** Response headers worth knowing, by name: what each says. */
  headers?: Record<string, string>;
}

export interface RequestBodySpec {
  /** By media type: the schema the route validates the body with. */
  content: Record<string, z.ZodType>;
  description?: string;
  /** An empty body counts as `{}` for most routes; false says so. */
  required?: boolean;
}

/**
 * One route and method of the HTTP API as the route handler serves it: who may call it, what it
 * reads (the very schemas it validates with) and what it answers. The route takes its role from
 * here and answers through `respond`, so the published document cannot drift from it.
 */
export interface ApiOperation<A extends Access = Access, R extends Record<number, ResponseSpec> = Record<number, ResponseSpec>> {
  method: HttpMethod;
  /** As OpenAPI writes it: /api/v1/agents/{agentId}. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  access: A;
  /** Routes about the signed-in person: a browser session may call them, an API token may not. */
  sessionOnly?: boolean;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: RequestBodySpec;
  responses: R;
  /** Error statuses beyond those every operation of its kind may answer, each with when it happens. */
  errors?: Partial<Record<ErrorStatus, string>>;
  /** The error body by media type, where it is not the shared JSON Error (the OTLP door answers as OTLP/HTTP asks). */
  errorContent?: Record<string, z.ZodType>;
}

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 500 | 503;

export function operation<A extends Access, R extends Record<number, ResponseSpec>>(op: ApiOperation<A, R>): ApiOperation<A, R> {
  return op;
}

type JsonBody<S> = S extends { schema: z.ZodType } ? z.input<S["schema"]> : never;

/** Answers with one of the operation's documented JSON responses; the body must have that response's shape. */
export function respond<R extends Record<number, ResponseSpec>, S extends keyof R & number>(
  _op: { responses: R },
  status: S,
  body: JsonBody<R[S]>,
  headers: Record<string, string> = {},
): Response {
  return json(body, status, headers);
}

/** A JSON request body. */
export function jsonBody(schema: z.ZodType, description?: string): RequestBodySpec {
  return { content: { "application/json": schema }, ...(description ? { description } : {}) };
}
