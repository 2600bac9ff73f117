// biome-ignore lint/suspicious/noMisleadingCharacterClass: each invisible code point is removed on its own, variation selectors and joiners included
const INVISIBLE = /[\u00ad\u034f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufe00-\ufe0f\ufeff]/g;
const WHITESPACE_RUN = /[\s\u0085]+/g;

/**
 * The form the console's detectors scan (NFKC, invisible characters removed, lower case, runs of
 * whitespace as one space), so a zero-width space or full-width letters cannot hide a canary.
 */
export function normalizeForScan(text: string): string {
  return text.replace(INVISIBLE, "").normalize("NFKC").toLowerCase().replace(WHITESPACE_RUN, " ");
}

export interface Canary {
  token: string;
  /** Where it was planted, named in the security event (never the token itself). */
  label: string;
}

export type OutputFinding = { kind: "canary"; label: string } | { kind: "forbidden_pattern"; pattern: string };

/** Any canary marker in the guide's format, registered here or not (the console flags those too). */
const ANY_CANARY = /canary-[a-z0-9_-]{6,64}/;

/** Canary tokens and forbidden patterns that must never leave the agent. Strings match as the console matches them; RegExps as written. */
export class OutputGuard {
  private readonly canaries = new Map<string, string>();
  private readonly patterns: { text: string; match: (normalized: string, raw: string) => boolean }[] = [];

  addCanary(canary: Canary): void {
    const token = normalizeForScan(canary.token).trim();
    if (token) this.canaries.set(token, canary.label);
  }

  addForbidden(pattern: string | RegExp): void {
    if (typeof pattern === "string") {
      const normal = normalizeForScan(pattern).trim();
      if (normal) this.patterns.push({ text: pattern, match: (normalized) => normalized.includes(normal) });
      return;
    }
    const re = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ""));
    this.patterns.push({ text: String(pattern), match: (normalized, raw) => re.test(raw) || re.test(normalized) });
  }

  find(text: string): OutputFinding | null {
    const normalized = normalizeForScan(text);
    for (const [token, label] of this.canaries) if (normalized.includes(token)) return { kind: "canary", label };
    if (ANY_CANARY.test(normalized)) return { kind: "canary", label: "unregistered marker" };
    for (const pattern of this.patterns) if (pattern.match(normalized, text)) return { kind: "forbidden_pattern", pattern: pattern.text };
    return null;
  }
}
