import { type ReferenceContent, type ReferenceOperation, refName } from "@/lib/api/reference";
import { Paragraphs, RichText } from "./rich-text";
import { SchemaView } from "./schema-view";

const ACCESS_LABEL: Record<string, string> = { "ingest-key": "ingest key", public: "public" };

export function AccessBadge({ access }: { access: string }) {
  return <span className={`badge access access-${access}`}>{ACCESS_LABEL[access] ?? `${access}+`}</span>;
}

export function MethodBadge({ method }: { method: string }) {
  return <span className={`badge method method-${method.toLowerCase()}`}>{method}</span>;
}

function Contents({ contents }: { contents: ReferenceContent[] }) {
  return (
    <>
      {contents.map((c) => (
        <div key={c.mediaType} className="api-content">
          <div className="muted mono api-media">{c.mediaType}</div>
          <SchemaView schema={c.schema} />
        </div>
      ))}
    </>
  );
}

/** One operation: its line in the list, and, opened, what it reads and what it answers. */
export function OperationCard({ op }: { op: ReferenceOperation }) {
  const successes = op.responses.filter((r) => r.status.startsWith("2"));
  const errors = op.responses.filter((r) => !r.status.startsWith("2"));
  const errorBodies = [...new Set(errors.flatMap((r) => r.content.map((c) => refName(c.schema) ?? c.mediaType)))];
  return (
    <details className="panel api-op" id={op.id}>
      <summary>
        <MethodBadge method={op.method} />
        <span className="api-path mono">{op.path}</span>
        <span className="api-summary">{op.summary}</span>
        <AccessBadge access={op.access} />
      </summary>
      <div className="api-body">
        <Paragraphs text={op.description} className="api-description" />
        {op.parameters.length > 0 && (
          <section aria-label="Parameters">
            <h4>Parameters</h4>
            <ul className="schema-fields">
              {op.parameters.map((p) => (
                <li key={`${p.in}-${p.name}`}>
                  <span className="schema-name mono">{p.name}</span>
                  <span className="muted schema-optional">in {p.in}</span>
                  {p.required ? <span className="schema-required">required</span> : <span className="muted schema-optional">optional</span>}
                  <SchemaView schema={p.description ? { ...p.schema, description: p.description } : p.schema} depth={3} />
                </li>
              ))}
            </ul>
          </section>
        )}
        {op.requestBody.length > 0 && (
          <section aria-label="Request body">
            <h4>Request body</h4>
            <Contents contents={op.requestBody} />
          </section>
        )}
        <section aria-label="Responses">
          <h4>Responses</h4>
          {successes.map((r) => (
            <div key={r.status} className="api-response">
              <p>
                <span className="badge status-ok">{r.status}</span> <RichText text={r.description} />
              </p>
              <Contents contents={r.content} />
            </div>
          ))}
          <table className="api-errors">
            <caption className="muted">
              Errors, answered with{" "}
              {errorBodies.map((name, i) => (
                <span key={name}>
                  {i > 0 && " or "}
                  {name.includes("/") ? <span className="mono">{name}</span> : <a href={`#schema-${name}`}>{name}</a>}
                </span>
              ))}
            </caption>
            <tbody>
              {errors.map((r) => (
                <tr key={r.status}>
                  <td className="num">{r.status}</td>
                  <td>
                    <RichText text={r.description} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
    </details>
  );
}
