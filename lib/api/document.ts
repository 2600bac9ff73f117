import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
  type ZodOpenApiResponsesObject,
} from "zod-openapi";
import { errorBodySchema } from "@/lib/errors";
import type { ApiOperation, ErrorStatus } from "./operation";
import { API_OPERATIONS } from "./operations";

export type OpenApiDocument = ReturnType<typeof createDocument> & { paths: NonNullable<ReturnType<typeof createDocument>["paths"]> };

export const API_TITLE = "AgentSOC HTTP API";
export const API_VERSION = "1";

const ERROR_MEANING: Record<ErrorStatus, string> = {
  400: "VALIDATION: a path parameter, query parameter or body field was refused; `error.errors` names each and says why",
  401: "UNAUTHENTICATED: no valid credential (missing, unknown, revoked or expired)",
  403: "FORBIDDEN: the caller's role is below the operation's, or a browser session's request did not come from the console's own pages",
  404: "NOT_FOUND: nothing with that id",
  409: "CONFLICT: the record is not in a state that allows this",
  413: "PAYLOAD_TOO_LARGE: the body is larger than the operation accepts",
  415: "UNSUPPORTED_MEDIA_TYPE: the body's Content-Type or Content-Encoding is not one the operation reads",
  429: "RATE_LIMITED: too many requests; Retry-After says when to try again",
  500: "INTERNAL: an unexpected error; the message never echoes it, quote the request id",
  503: "UNAVAILABLE: storage is unreachable or a query hit its time limit; nothing from the request was stored. Retry (Retry-After when known)",
};

/** The error statuses an operation may answer: those of its kind, and those it names. */
export function errorStatuses(op: ApiOperation): Partial<Record<ErrorStatus, string>> {
  const found: Partial<Record<ErrorStatus, string>> = { 400: ERROR_MEANING[400] };
  if (op.access !== "public") {
    found[401] = ERROR_MEANING[401];
    found[403] = ERROR_MEANING[403];
  }
  if (op.body) found[413] = ERROR_MEANING[413];
  for (const [status, why] of Object.entries(op.errors ?? {})) {
    const code = Number(status) as ErrorStatus;
    found[code] = `${ERROR_MEANING[code].split(":")[0]}: ${why}`;
  }
  found[500] = ERROR_MEANING[500];
  found[503] = ERROR_MEANING[503];
  return found;
}

function securityOf(op: ApiOperation): Record<string, string[]>[] {
  if (op.access === "public") return [];
  if (op.access === "ingest-key") return [{ ingestKey: [] }];
  return op.sessionOnly ? [{ session: [] }] : [{ apiToken: [] }, { session: [] }];
}

function accessText(op: ApiOperation): string {
  if (op.access === "public") return "Open to anyone.";
  if (op.access === "ingest-key") return "Agents: an ingest key as `Authorization: Bearer <ingest key>`.";
  const who = op.sessionOnly ? "a browser session (an API token may not)" : "an API token or a browser session";
  return `Minimum role: **${op.access}**, with ${who}.`;
}

function operationObject(op: ApiOperation): ZodOpenApiOperationObject {
  const responses: Record<string, ZodOpenApiResponseObject> = {};
  for (const [status, spec] of Object.entries(op.responses)) {
    const content = { ...(spec.schema ? { "application/json": { schema: spec.schema } } : {}) };
    for (const [type, schema] of Object.entries(spec.content ?? {})) Object.assign(content, { [type]: { schema } });
    responses[status] = {
      description: spec.description,
      ...(Object.keys(content).length > 0 ? { content } : {}),
      ...(spec.headers
        ? { headers: Object.fromEntries(Object.entries(spec.headers).map(([name, description]) => [name, { description, schema: { type: "string" } }])) }
        : {}),
    };
  }
  for (const [status, description] of Object.entries(errorStatuses(op))) {
    const content = op.errorContent ?? { "application/json": errorBodySchema };
    responses[status] = { description, content: Object.fromEntries(Object.entries(content).map(([type, schema]) => [type, { schema }])) };
  }
  return {
    operationId: `${op.method.toLowerCase()}${op.path
      .replace(/^\/api\/v1/, "")
      .replace(/[{}]/g, "")
      .split(/[/-]/)
      .map((w) => (w ? w[0]?.toUpperCase() + w.slice(1) : ""))
      .join("")}`,
    tags: [op.tag],
    summary: op.summary,
    description: [op.description, accessText(op)].filter(Boolean).join("\n\n"),
    security: securityOf(op),
    "x-agentsoc-access": op.access,
    ...(op.access !== "public" && op.access !== "ingest-key" ? { "x-agentsoc-min-role": op.access } : {}),
    ...(op.params || op.query ? { requestParams: { ...(op.params ? { path: op.params } : {}), ...(op.query ? { query: op.query } : {}) } } : {}),
    ...(op.body
      ? {
          requestBody: {
            description: op.body.description,
            required: op.body.required ?? true,
            content: Object.fromEntries(Object.entries(op.body.content).map(([type, schema]) => [type, { schema }])),
          },
        }
      : {}),
    responses: responses as ZodOpenApiResponsesObject,
  };
}

/** The whole HTTP API as an OpenAPI 3.1 document, built from the operations the routes serve. */
export function buildOpenApiDocument(operations: readonly ApiOperation[] = API_OPERATIONS): OpenApiDocument {
  const paths: ZodOpenApiPathsObject = {};
  for (const op of operations) {
    const item = paths[op.path] ?? {};
    paths[op.path] = item;
    const method = op.method.toLowerCase() as "get" | "post" | "put" | "patch" | "delete";
    if (item[method]) throw new Error(`${op.method} ${op.path} is described twice`);
    item[method] = operationObject(op);
  }
  const document = createDocument(
    {
      openapi: "3.1.0",
      info: {
        title: API_TITLE,
        version: API_VERSION,
        description:
          "Every route of the console's HTTP API: the agents' doors (native ingest, OpenTelemetry traces, kill-switch status) and the console's `/api/v1` for people and automation. Generated from the zod schemas the routes validate with.",
      },
      tags: [...new Set(operations.map((o) => o.tag))].map((name) => ({ name })),
      paths,
      components: {
        securitySchemes: {
          apiToken: {
            type: "http",
            scheme: "bearer",
            bearerFormat: "soc_at_…",
            description: "An API token (`npm run soc -- token add`, or the API tokens page), with a role",
          },
          session: {
            type: "apiKey",
            in: "cookie",
            name: "soc_session",
            description:
              "The console's browser session (POST /api/v1/auth/sign-in); requests that change something must come from the console's own pages (Origin)",
          },
          ingestKey: {
            type: "http",
            scheme: "bearer",
            bearerFormat: "soc_ik_…",
            description: "An agent's ingest key: it speaks for its agent, and for the further agents an admin lets it",
          },
        },
      },
    },
    {
      override: ({ jsonSchema, zodSchema }) => {
        // Dates leave the API as JSON text.
        if (zodSchema._zod.def.type === "date") {
          jsonSchema.type = "string";
          jsonSchema.format = "date-time";
        }
      },
    },
  );
  return { ...document, paths: document.paths ?? {} };
}

let built: OpenApiDocument | null = null;

/** Built once per process: the document depends on nothing but the code. */
export function openApiDocument(): OpenApiDocument {
  built ??= buildOpenApiDocument();
  return built;
}
