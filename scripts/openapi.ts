import { buildOpenApiDocument } from "@/lib/api/document";

/** Prints the HTTP API's OpenAPI 3.1 document, the one GET /api/v1/openapi.json serves, for tools that generate clients. */
process.stdout.write(`${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
