import { constraints, fieldsOf, innerSchemas, type JsonSchema, refName, typeLabel } from "@/lib/api/reference";
import { RichText } from "./rich-text";

/** How deep nested objects are opened in place; deeper ones, and named schemas, are links. */
const MAX_DEPTH = 4;

function TypeName({ schema }: { schema: JsonSchema }) {
  const ref = refName(schema);
  if (ref) return <a href={`#schema-${ref}`}>{ref}</a>;
  const label = typeLabel(schema);
  const items = typeof schema.items === "object" && schema.items !== null ? refName(schema.items as JsonSchema) : null;
  if (items && label === `array of ${items}`) {
    return (
      <>
        array of <a href={`#schema-${items}`}>{items}</a>
      </>
    );
  }
  return <>{label}</>;
}

function Facts({ schema }: { schema: JsonSchema }) {
  const limits = constraints(schema);
  const description = typeof schema.description === "string" ? schema.description : null;
  if (!description && limits.length === 0) return null;
  return (
    <span className="schema-facts">
      {description && <RichText text={description} />}
      {limits.length > 0 && <span className="muted"> {limits.join(", ")}</span>}
    </span>
  );
}

/** A JSON Schema as a readable tree: each field with its type, whether it is required, its limits and description. */
export function SchemaView({ schema, depth = 0 }: { schema: JsonSchema; depth?: number }) {
  const fields = refName(schema) ? null : fieldsOf(schema);
  const inner = innerSchemas(schema);
  if (!fields && inner.length === 0) {
    return (
      <div className="schema-line">
        <span className="schema-type">
          <TypeName schema={schema} />
        </span>{" "}
        <Facts schema={schema} />
      </div>
    );
  }
  if (!fields) {
    return (
      <div>
        <div className="schema-line">
          <span className="schema-type">
            <TypeName schema={schema} />
          </span>{" "}
          <Facts schema={schema} />
        </div>
        {depth < MAX_DEPTH && (
          <div className="schema-nested">
            {inner.map((s) => (
              <SchemaView key={JSON.stringify(s)} schema={s} depth={depth + 1} />
            ))}
          </div>
        )}
      </div>
    );
  }
  return (
    <div>
      {typeof schema.description === "string" && (
        <p className="schema-description">
          <RichText text={schema.description} />
        </p>
      )}
      <ul className="schema-fields">
        {fields.map((field) => {
          const open = depth < MAX_DEPTH && (fieldsOf(field.schema) !== null || innerSchemas(field.schema).length > 0) && !refName(field.schema);
          return (
            <li key={field.name}>
              <span className="schema-name mono">{field.name}</span>
              {field.required ? <span className="schema-required">required</span> : <span className="muted schema-optional">optional</span>}
              <span className="schema-type">
                <TypeName schema={field.schema} />
              </span>{" "}
              <Facts schema={field.schema} />
              {open && (
                <div className="schema-nested">
                  {fieldsOf(field.schema) ? (
                    <SchemaView schema={{ ...field.schema, description: undefined }} depth={depth + 1} />
                  ) : (
                    innerSchemas(field.schema).map((s) => <SchemaView key={JSON.stringify(s)} schema={s} depth={depth + 1} />)
                  )}
                </div>
              )}
            </li>
          );
        })}
      </ul>
      {schema.additionalProperties !== false && fields.length > 0 && <p className="muted schema-more">Other fields are ignored.</p>}
    </div>
  );
}
