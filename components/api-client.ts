/** The field each of the server's `errors` names (`config.port`), with its message: what a form marks. */
export type FieldErrors = Record<string, string>;

function fieldErrors(errors: unknown): FieldErrors {
  const fields: FieldErrors = {};
  for (const e of Array.isArray(errors) ? errors : []) {
    if (typeof e === "object" && e !== null && "path" in e && "message" in e && typeof e.path === "string" && typeof e.message === "string") {
      fields[e.path] ??= e.message;
    }
  }
  return fields;
}

/** zod's issues in the same shape: what a form checked in the browser marks before it sends anything. */
export function zodFieldErrors(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) fields[issue.path.map(String).join(".") || "form"] ??= issue.message;
  return fields;
}

/** The console's own calls to its JSON API: one place that turns an error body into a sentence (and the fields it names). */
export async function callApi<T>(
  method: string,
  url: string,
  body?: unknown,
): Promise<{ ok: true; data: T } | { ok: false; error: string; code: string | null; fields: FieldErrors }> {
  try {
    const res = await fetch(url, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = (await res.json().catch(() => null)) as (T & { error?: { code?: string; message?: string; errors?: unknown } }) | null;
    if (res.ok && data) return { ok: true, data };
    return {
      ok: false,
      error: data?.error?.message ?? `The console answered ${res.status}`,
      code: data?.error?.code ?? null,
      fields: fieldErrors(data?.error?.errors),
    };
  } catch {
    return { ok: false, error: "The console did not answer; nothing was changed", code: null, fields: {} };
  }
}
