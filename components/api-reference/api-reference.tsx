import type { JsonSchema, ReferenceTag } from "@/lib/api/reference";
import { OpenLinkedDetails } from "./open-linked-details";
import { OperationCard } from "./operation-card";
import { RichText } from "./rich-text";
import { SchemaView } from "./schema-view";

export interface SecurityScheme {
  name: string;
  description: string;
}

/** The whole API as the document describes it: an index by tag, every operation, every named schema. */
export function ApiReference({ tags, schemas, security }: { tags: ReferenceTag[]; schemas: [string, JsonSchema][]; security: SecurityScheme[] }) {
  return (
    <div className="api-reference">
      <OpenLinkedDetails />
      <section className="panel api-intro" aria-label="How to call the API">
        <h2>Credentials</h2>
        <dl>
          {security.map((s) => (
            <div key={s.name}>
              <dt className="mono">{s.name}</dt>
              <dd>
                <RichText text={s.description} />
              </dd>
            </div>
          ))}
        </dl>
      </section>
      <nav className="panel api-index" aria-label="Operations by area">
        <ul>
          {tags.map((tag) => (
            <li key={tag.slug}>
              <a href={`#tag-${tag.slug}`}>{tag.name}</a> <span className="muted">{tag.operations.length}</span>
            </li>
          ))}
          <li>
            <a href="#schemas">Schemas</a> <span className="muted">{schemas.length}</span>
          </li>
        </ul>
      </nav>
      {tags.map((tag) => (
        <section key={tag.slug} id={`tag-${tag.slug}`} aria-labelledby={`tag-${tag.slug}-title`} className="api-tag">
          <h2 id={`tag-${tag.slug}-title`}>{tag.name}</h2>
          {tag.operations.map((op) => (
            <OperationCard key={op.id} op={op} />
          ))}
        </section>
      ))}
      <section id="schemas" aria-labelledby="schemas-title" className="api-tag">
        <h2 id="schemas-title">Schemas</h2>
        {schemas.map(([name, schema]) => (
          <details key={name} id={`schema-${name}`} className="panel api-op">
            <summary>
              <span className="api-path mono">{name}</span>
            </summary>
            <div className="api-body">
              <SchemaView schema={schema} />
            </div>
          </details>
        ))}
      </section>
    </div>
  );
}
