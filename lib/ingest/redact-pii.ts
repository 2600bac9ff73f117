export const PII_TYPES = [
  "private_key",
  "jwt",
  "aws_key",
  "api_key",
  "password",
  "email",
  "credit_card",
  "ssn",
  "ip_address",
  "phone",
] as const;
export type PiiType = (typeof PII_TYPES)[number];
export type RedactionCounts = Partial<Record<PiiType, number>>;

const TAG = {
  private_key: "[PRIVATE_KEY_REDACTED]",
  jwt: "[JWT_REDACTED]",
  aws_key: "[AWS_KEY_REDACTED]",
  api_key: "[API_KEY_REDACTED]",
  password: "[PASSWORD_REDACTED]",
  email: "[EMAIL_REDACTED]",
  credit_card: "[CREDIT_CARD_REDACTED]",
  ssn: "[SSN_REDACTED]",
  ip_address: "[IP_ADDRESS_REDACTED]",
  phone: "[PHONE_REDACTED]",
} as const satisfies Record<PiiType, string>;

const TAG_VALUES: ReadonlySet<string> = new Set(Object.values(TAG));

// The shortest thing any rule can match is "pwd=x".
const MIN_FINDING_LENGTH = 5;

// Key/value values must not start with a tag, or a second pass would re-redact (and re-count) it.
const NOT_TAG = String.raw`(?!\[(?:${PII_TYPES.map((t) => t.toUpperCase()).join("|")})_REDACTED\])`;
// Optional closing quote of a quoted key (plain or JSON-escaped), then ":" or "=".
const KV_SEP = String.raw`(?:\\?["'])?[ \t]{0,3}[:=][ \t]{0,3}`;
// Quoted values may contain spaces and are cut at the closing quote (kept); bare values end at whitespace or a delimiter.
const KV_VALUE = String.raw`(?:(\\?")${NOT_TAG}[^"\\\r\n]{1,4096}|(')${NOT_TAG}[^'\r\n]{1,4096}|${NOT_TAG}[^\s"'\\,;&]{1,4096})`;

const PEM_BEGIN_RE = /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----/g;
const PEM_END_RE = /-----END (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----/g;

// Lookbehinds make every token-shaped rule start only at the beginning of a token run, keeping scans linear.
const JWT_RE = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{2,4096}\.eyJ[A-Za-z0-9_-]{2,16384}(?:\.[A-Za-z0-9_-]{1,4096})?/g;

const AWS_KEY_ID_RE = /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g;
const AWS_SECRET_RE = new RegExp(
  String.raw`(aws[_-]?secret[_-]?access[_-]?key${KV_SEP}(?:\\?["'])?)[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])`,
  "gi",
);
const AWS_HINT_RE = /AKIA|ASIA|ABIA|ACCA|secret.?access/i;

const API_TOKEN_RE =
  /(?<![A-Za-z0-9_-])(?:(?:sk[-_]|pk_|rk_)[A-Za-z0-9_-]{16,1024}|AIza[A-Za-z0-9_-]{35})|(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})|(?<![A-Za-z0-9-])xox[abprs]-[A-Za-z0-9-]{10,255}|(?<![A-Za-z0-9])([Bb]earer[ \t]{1,4})[A-Za-z0-9._~+/=-]{16,4096}/g;
const API_TOKEN_HINT_RE = /sk[-_]|[pr]k_|gh[pousr]_|github_pat_|xox[abprs]-|AIza|[Bb]earer/;
// No lookbehind on purpose: "refresh_token=", "X-Api-Key:" and "accessToken=" are caught via their suffix, with the prefix kept.
const API_KV_RE = new RegExp(String.raw`((?:api[_-]?key|secret|token)${KV_SEP})${KV_VALUE}`, "gi");
const API_KV_HINT_RE = /api[_-]?key|secret|token/i;

const PASSWORD_KV_RE = new RegExp(String.raw`((?:password|passwd|pwd)${KV_SEP})${KV_VALUE}`, "gi");
const PASSWORD_HINT_RE = /passw|pwd/i;

const EMAIL_RE = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}/g;

// A candidate is a run of digit groups joined by single spaces/dashes with at least 13 digits; Luhn is checked per window.
const CARD_RE = /(?<![A-Za-z0-9_.])(?=\d(?:[ -]?\d){12})\d{1,19}(?:[ -]\d{1,19}){0,18}/g;

const SSN_RE = /(?<!\d)(?<!\d-)(?!000|666|9)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?!\d)(?!-\d)/g;
const SSN_KEYWORD_RE =
  /(?<![A-Za-z])((?:ssn|social[ _-]?security(?:[ _-]?(?:number|num|no))?)[^\d\r\n]{0,12})\d{3}[ -]?\d{2}[ -]?\d{4}(?!\d)/gi;
const SSN_KEYWORD_HINT_RE = /ssn|social/i;

const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IP_RE = new RegExp(String.raw`(?<!\d)(?<!\d\.)(?:${OCTET}\.){3}${OCTET}(?!\d)(?!\.\d)`, "g");

// A bare run of 10 digits is deliberately not a phone: without "+" or separators it is usually an id or an epoch timestamp.
const PHONE_RE =
  /(?<![\w+])(?:\+\d(?:[ -]?\d){7,14}(?!\d)|(?:\+?1[ .-]?)?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}(?!\d))/g;

const DIGIT_RE = /\d/;

function bump(counts: RedactionCounts, type: PiiType): void {
  counts[type] = (counts[type] ?? 0) + 1;
}

function replaceAll(text: string, re: RegExp, type: PiiType, counts: RedactionCounts): string {
  return text.replace(re, () => {
    bump(counts, type);
    return TAG[type];
  });
}

/** Replaces only the value of a key/value match; the key, separator and opening quote stay. */
function replaceValues(text: string, re: RegExp, type: PiiType, counts: RedactionCounts): string {
  return text.replace(re, (_match: string, keyAndSep: string, doubleQuote?: string, singleQuote?: string) => {
    bump(counts, type);
    return keyAndSep + (doubleQuote ?? singleQuote ?? "") + TAG[type];
  });
}

function redactPem(text: string, counts: RedactionCounts): string {
  let out = "";
  let copiedUpTo = 0;
  let found = false;
  PEM_BEGIN_RE.lastIndex = 0;
  for (let begin = PEM_BEGIN_RE.exec(text); begin !== null; begin = PEM_BEGIN_RE.exec(text)) {
    found = true;
    bump(counts, "private_key");
    out += text.slice(copiedUpTo, begin.index) + TAG.private_key;
    PEM_END_RE.lastIndex = PEM_BEGIN_RE.lastIndex;
    // Summaries are often truncated mid-key: without an END marker everything after BEGIN is key material.
    if (PEM_END_RE.exec(text) === null) {
      copiedUpTo = text.length;
      break;
    }
    copiedUpTo = PEM_END_RE.lastIndex;
    PEM_BEGIN_RE.lastIndex = copiedUpTo;
  }
  PEM_BEGIN_RE.lastIndex = 0;
  PEM_END_RE.lastIndex = 0;
  return found ? out + text.slice(copiedUpTo) : text;
}

function isDigitCode(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Luhn over the digits of text[start, end), skipping separators; also requires a major-network first digit (2–6). */
function isCardNumber(text: string, start: number, end: number): boolean {
  const first = text.charCodeAt(start);
  // Card networks start with 2–6; this keeps Luhn-passing epoch-ms timestamps and zero runs from being tagged.
  if (first < 50 || first > 54) return false;
  let sum = 0;
  let doubled = false;
  for (let i = end - 1; i >= start; i--) {
    const code = text.charCodeAt(i);
    if (!isDigitCode(code)) continue;
    let digit = code - 48;
    if (doubled) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    doubled = !doubled;
  }
  return sum % 10 === 0;
}

/** Finds Luhn-valid windows of whole digit groups inside one candidate run, so "order 12 4111 1111 1111 1111" still works. */
function redactCardRun(run: string, runEnd: number, whole: string, counts: RedactionCounts): string {
  const groupStarts: number[] = [];
  const groupEnds: number[] = [];
  for (let i = 0; i < run.length; i++) {
    const start = i;
    while (i < run.length && isDigitCode(run.charCodeAt(i))) i++;
    groupStarts.push(start);
    groupEnds.push(i);
  }
  let groupCount = groupStarts.length;
  const next = whole.charCodeAt(runEnd);
  // A last group glued to more digits or letters (long id, hex hash) cannot end a card.
  if (next === 95 || isDigitCode(next) || (next >= 65 && next <= 90) || (next >= 97 && next <= 122)) groupCount--;

  let out = "";
  let copiedUpTo = 0;
  let g = 0;
  while (g < groupCount) {
    const windowStart = groupStarts[g] ?? 0;
    const firstLength = (groupEnds[g] ?? 0) - windowStart;
    const separator = run.charCodeAt(groupEnds[g] ?? 0);
    let digits = 0;
    let lastGroup = -1;
    for (let e = g; e < groupCount; e++) {
      const groupStart = groupStarts[e] ?? 0;
      const groupEnd = groupEnds[e] ?? 0;
      const length = groupEnd - groupStart;
      // Printed cards group as 4-4-4-4(-3), 4-6-5 or 4-6-4 with one kind of separator; anything else is other numbers side by side.
      if (e > g && (firstLength !== 4 || length < 3 || length > 6 || run.charCodeAt(groupStart - 1) !== separator)) break;
      digits += length;
      if (digits > 19) break;
      if (digits >= 13 && isCardNumber(run, windowStart, groupEnd)) lastGroup = e;
    }
    if (lastGroup < 0) {
      g++;
      continue;
    }
    bump(counts, "credit_card");
    out += run.slice(copiedUpTo, windowStart) + TAG.credit_card;
    copiedUpTo = groupEnds[lastGroup] ?? run.length;
    g = lastGroup + 1;
  }
  return copiedUpTo === 0 ? run : out + run.slice(copiedUpTo);
}

export function redactText(text: string, counts: RedactionCounts): string {
  if (text.length < MIN_FINDING_LENGTH) return text;
  let out = text;

  if (out.includes("-----BEGIN ")) out = redactPem(out, counts);
  if (out.includes("eyJ")) out = replaceAll(out, JWT_RE, "jwt", counts);
  if (AWS_HINT_RE.test(out)) {
    out = replaceAll(out, AWS_KEY_ID_RE, "aws_key", counts);
    out = out.replace(AWS_SECRET_RE, (_match: string, keyAndSep: string) => {
      bump(counts, "aws_key");
      return keyAndSep + TAG.aws_key;
    });
  }
  if (API_TOKEN_HINT_RE.test(out)) {
    out = out.replace(API_TOKEN_RE, (_match: string, bearer?: string) => {
      bump(counts, "api_key");
      return (bearer ?? "") + TAG.api_key;
    });
  }
  if (API_KV_HINT_RE.test(out)) out = replaceValues(out, API_KV_RE, "api_key", counts);
  if (PASSWORD_HINT_RE.test(out)) out = replaceValues(out, PASSWORD_KV_RE, "password", counts);
  if (out.includes("@")) out = replaceAll(out, EMAIL_RE, "email", counts);

  if (!DIGIT_RE.test(out)) return out;
  out = out.replace(CARD_RE, (run: string, offset: number, whole: string) =>
    redactCardRun(run, offset + run.length, whole, counts),
  );
  if (out.includes("-")) out = replaceAll(out, SSN_RE, "ssn", counts);
  if (SSN_KEYWORD_HINT_RE.test(out)) {
    out = out.replace(SSN_KEYWORD_RE, (_match: string, keyword: string) => {
      bump(counts, "ssn");
      return keyword + TAG.ssn;
    });
  }
  if (out.includes(".")) out = replaceAll(out, IP_RE, "ip_address", counts);
  out = replaceAll(out, PHONE_RE, "phone", counts);
  return out;
}

type SecretKeyKind = "password" | "api_key";

const SECRET_KEYS: ReadonlyMap<string, SecretKeyKind> = new Map<string, SecretKeyKind>([
  ["password", "password"],
  ["passwd", "password"],
  ["pwd", "password"],
  ...[
    "secret",
    "clientsecret",
    "token",
    "accesstoken",
    "refreshtoken",
    "authtoken",
    "apikey",
    "xapikey",
    "authorization",
    "privatekey",
    "credentials",
    "sessioncookie",
    "cookie",
  ].map((key): [string, SecretKeyKind] => [key, "api_key"]),
]);

// Metadata keys repeat across events, so normalising each distinct key once keeps redactJson cheap.
const keyKindCache = new Map<string, SecretKeyKind | null>();
const KEY_CACHE_LIMIT = 2048;
const LONGEST_SECRET_KEY = 24;

function secretKeyKind(key: string): SecretKeyKind | null {
  if (key.length < 3 || key.length > LONGEST_SECRET_KEY) return null;
  const cached = keyKindCache.get(key);
  if (cached !== undefined) return cached;
  const kind = SECRET_KEYS.get(key.toLowerCase().replace(/[-_]/g, "")) ?? null;
  if (keyKindCache.size >= KEY_CACHE_LIMIT) keyKindCache.clear();
  keyKindCache.set(key, kind);
  return kind;
}

function redactSecretValue(value: string | number, kind: SecretKeyKind, counts: RedactionCounts): string | number {
  // Empty values hide nothing, and an existing tag means this value was already counted.
  if (value === "" || (typeof value === "string" && TAG_VALUES.has(value))) return value;
  bump(counts, kind);
  return TAG[kind];
}

export function redactJson(value: unknown, counts: RedactionCounts): unknown {
  if (typeof value === "string") return redactText(value, counts);
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    const items: readonly unknown[] = value;
    return items.map((item) => redactJson(item, counts));
  }
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    const item = source[key];
    const kind = secretKeyKind(key);
    const redacted =
      kind !== null && (typeof item === "string" || typeof item === "number")
        ? redactSecretValue(item, kind, counts)
        : redactJson(item, counts);
    // Plain assignment to "__proto__" would swap the copy's prototype instead of copying the key.
    if (key === "__proto__") {
      Object.defineProperty(out, key, { value: redacted, enumerable: true, writable: true, configurable: true });
    } else {
      out[key] = redacted;
    }
  }
  return out;
}
