import type { Metadata } from "next";
import { ApiReference } from "@/components/api-reference/api-reference";
import { openApiDocument } from "@/lib/api/document";
import { type JsonSchema, referenceTags } from "@/lib/api/reference";
import { requireUser } from "../require-user";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "API reference" };

/** The published OpenAPI document, rendered: any signed-in person may read it. */
export default async function ApiReferencePage() {
  await requireUser();
  const document = openApiDocument();
  const schemas = Object.entries(document.components?.schemas ?? {}).sort(([a], [b]) => a.localeCompare(b)) as [string, JsonSchema][];
  const security = Object.entries(document.components?.securitySchemes ?? {}).map(([name, scheme]) => ({
    name,
    description: "description" in scheme && typeof scheme.description === "string" ? scheme.description : "",
  }));
  return (
    <>
      <h1>API reference</h1>
      <p className="subtitle">
        Every route of the HTTP API, with the role it needs, what it reads and what it answers. The same document, OpenAPI 3.1, is at{" "}
        <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>; it is generated from the schemas the routes validate with.
      </p>
      <ApiReference tags={referenceTags(document)} schemas={schemas} security={security} />
    </>
  );
}
