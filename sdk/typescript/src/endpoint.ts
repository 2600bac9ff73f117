export const USER_AGENT = "agentsoc-sdk-typescript/0.1.0";

/** The console URL with an API path appended, keeping any path prefix the console is served under. */
export function endpoint(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, "")}${path}`;
}

export function agentPath(agentId: string, rest: string): string {
  return `/api/v1/agents/${encodeURIComponent(agentId)}/${rest}`;
}

/** The console's error message from a JSON error body (`{"error": {"code", "message"}}`), else the text itself, shortened. */
export function consoleMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    if (parsed.error && typeof parsed.error.message === "string") {
      return typeof parsed.error.code === "string" ? `${parsed.error.code}: ${parsed.error.message}` : parsed.error.message;
    }
  } catch {
    // not JSON
  }
  return body.length > 500 ? `${body.slice(0, 500)}…` : body;
}

export function describeFailure(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause;
  const code = cause && typeof cause === "object" && "code" in cause ? String(cause.code) : "code" in err ? String(err.code) : "";
  const causeMessage = cause instanceof Error ? cause.message : "";
  if (err.name === "TimeoutError" || err.name === "AbortError") return `timed out (${err.message})`;
  return [err.message, code, causeMessage && causeMessage !== err.message ? causeMessage : ""].filter(Boolean).join(": ");
}
