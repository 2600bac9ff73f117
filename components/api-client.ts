/** The console's own calls to its JSON API: one place that turns an error body into a sentence. */
export async function callApi<T>(method: string, url: string, body?: unknown): Promise<{ ok: true; data: T } | { ok: false; error: string }> {
  try {
    const res = await fetch(url, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = (await res.json().catch(() => null)) as (T & { error?: { message?: string } }) | null;
    if (res.ok && data) return { ok: true, data };
    return { ok: false, error: data?.error?.message ?? `The console answered ${res.status}` };
  } catch {
    return { ok: false, error: "The console did not answer; nothing was changed" };
  }
}
