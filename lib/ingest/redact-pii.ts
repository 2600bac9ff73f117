export const PII_TYPES = ["private_key", "jwt", "aws_key", "api_key", "password", "email", "credit_card", "ssn", "ip_address", "phone"] as const;
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

const PEM_BEGIN_RE = /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----/g;
const PEM_END_RE = /-----END (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----/g;

// Lookbehinds make token-shaped rules start only at the beginning of a token run, keeping scans linear.
const JWT_RE = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{2,4096}\.eyJ[A-Za-z0-9_-]{2,16384}(?:\.[A-Za-z0-9_-]{1,4096})?/g;

const AWS_KEY_ID_RE = /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g;

const API_TOKEN_RE =
  /(?<![A-Za-z0-9_-])(?:(?:sk[-_]|pk_|rk_)[A-Za-z0-9_-]{16,1024}|AIza[A-Za-z0-9_-]{35})|(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})|(?<![A-Za-z0-9-])xox[abprs]-[A-Za-z0-9-]{10,255}|(?<![A-Za-z0-9])([Bb]earer[ \t]{1,4})[A-Za-z0-9._~+/=-]{16,4096}/g;

// "Authorization: <scheme> <credentials>" in any casing, and Basic credentials on their own (base64 with a digit, "+", "/" or "=").
const AUTH_HEADER_RE =
  /(?<![A-Za-z0-9])(authorization["']?[ \t]{0,3}[:=][ \t]{0,3}["']?(?:(?:basic|bearer|digest|token|negotiate)[ \t]{1,4})?)(?!\[|(?:basic|bearer|digest|token|negotiate)[ \t])[^\s"',;]{1,4096}/gi;
const BASIC_CREDENTIALS_RE = /(?<![A-Za-z0-9])([Bb]asic[ \t]{1,4})(?=[A-Za-z0-9+/]{0,4096}[0-9+/=])[A-Za-z0-9+/]{8,4096}={0,2}(?![A-Za-z0-9+/=])/g;

/*
 * One pass for every key/value rule (AWS secret, API key/token/secret, password). It matches the ":"/"=" first and
 * only then looks back for the key: a leading lookbehind would be evaluated at every position and is ~20x slower.
 * No word boundary before the key on purpose: "refresh_token=", "X-Api-Key:" and "dbPassword=" are caught through
 * their suffix, and the whole key is kept. Quoted values may contain spaces and stop at the closing quote (kept);
 * bare values stop at whitespace or a delimiter.
 */
const KV_RE = new RegExp(
  String.raw`([:=])(?<=(secret[_-]?access[_-]?key|api[_-]?key|secret|token|passw(?:or)?d|pwd)(?:\\?["'])?[ \t]{0,3}[:=])` +
    String.raw`([ \t]{0,3})(?:(\\?")${NOT_TAG}[^"\\\r\n]{1,4096}|(')${NOT_TAG}[^'\r\n]{1,4096}|${NOT_TAG}[^\s"'\\,;&]{1,4096})`,
  "gi",
);

const EMAIL_LOCAL_MAX = 64;
const EMAIL_DOMAIN_RE = /[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}/y;

/*
 * Card candidates start with two 4-digit groups (or 8+ contiguous digits) and have 13+ digits; which groups form a card
 * is decided by redactCardRun. The unrolled \d\d\d\d prefix lets V8 skip ahead quickly, unlike \d{4} or a lookbehind.
 */
const CARD_RE = /\d\d\d\d[ -]?\d\d\d\d(?=(?:[ -]?\d){5})\d{0,15}(?:[ -]\d{1,15}){0,5}/g;

const SSN_RE = /(?<!\d)(?<!\d-)(?!000|666|9)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?!\d)(?!-\d)/g;
const NINE_DIGITS_RE = /\d\d\d[ -]?\d\d[ -]?\d\d\d\d/;
const SSN_KEYWORD_RE = /(?<![A-Za-z])((?:ssn|social[ _-]?security(?:[ _-]?(?:number|num|no))?)[^\d\r\n]{0,12})\d{3}[ -]?\d{2}[ -]?\d{4}(?!\d)/gi;

const OCTET = String.raw`(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)`;
const IP_RE = new RegExp(String.raw`(?<!\d)(?<!\d\.)(?:${OCTET}\.){3}${OCTET}(?!\d)(?!\.\d)`, "g");

// A bare run of 10 digits is deliberately not a phone: without "+" or separators it is usually an id or an epoch timestamp.
const PHONE_RE = /(?<![\w+])(?:\+\d(?:[ -]?\d){7,14}(?!\d)|(?:\+?1[ .-]?)?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}(?!\d))/g;
// Every North American form ends in "ddd-dddd" (any separator); international ones need a "+".
const NANP_TAIL_RE = /\d\d\d[ .-]\d\d\d\d/;

const DIGIT_RE = /\d/;

/** Non-global twin of a rule, used as a pre-check: no lastIndex state and no callback allocation when nothing matches. */
function probeOf(re: RegExp): RegExp {
  return new RegExp(re.source, re.flags.replace("g", ""));
}
const API_TOKEN_PROBE = probeOf(API_TOKEN_RE);
const BASIC_CREDENTIALS_PROBE = probeOf(BASIC_CREDENTIALS_RE);
const KV_PROBE = probeOf(KV_RE);
const CARD_PROBE = probeOf(CARD_RE);
const SSN_PROBE = probeOf(SSN_RE);
const IP_PROBE = probeOf(IP_RE);
const PHONE_PROBE = probeOf(PHONE_RE);

function bump(counts: RedactionCounts, type: PiiType): void {
  counts[type] = (counts[type] ?? 0) + 1;
}

function replaceTagged(text: string, re: RegExp, type: PiiType, counts: RedactionCounts): string {
  return text.replace(re, () => {
    bump(counts, type);
    return TAG[type];
  });
}

function replaceKeepingPrefix(text: string, re: RegExp, type: PiiType, counts: RedactionCounts): string {
  return text.replace(re, (_match: string, prefix: string) => {
    bump(counts, type);
    return prefix + TAG[type];
  });
}

function kvType(key: string): PiiType {
  const first = key.charCodeAt(0) | 0x20;
  if (first === 0x70 /* p */) return "password";
  if (first === 0x73 /* s */ && key.length > 6) return "aws_key";
  return "api_key";
}

function redactKeyValues(text: string, counts: RedactionCounts): string {
  return text.replace(KV_RE, (_match: string, separator: string, key: string, spaces: string, doubleQuote?: string, singleQuote?: string) => {
    const type = kvType(key);
    bump(counts, type);
    return separator + spaces + (doubleQuote ?? singleQuote ?? "") + TAG[type];
  });
}

function isEmailLocalCode(code: number): boolean {
  return (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    (code >= 48 && code <= 57) ||
    code === 46 /* . */ ||
    code === 95 /* _ */ ||
    code === 37 /* % */ ||
    code === 43 /* + */ ||
    code === 45 /* - */
  );
}

/** Anchors on each "@" instead of trying a local part at every position: linear, and cheap on long "aaaa…" runs. */
function redactEmails(text: string, counts: RedactionCounts): string {
  let out = "";
  let copiedUpTo = 0;
  for (let at = text.indexOf("@"); at !== -1; at = text.indexOf("@", at + 1)) {
    let start = at;
    while (start > copiedUpTo && at - start < EMAIL_LOCAL_MAX && isEmailLocalCode(text.charCodeAt(start - 1))) start--;
    if (start === at) continue;
    EMAIL_DOMAIN_RE.lastIndex = at + 1;
    if (!EMAIL_DOMAIN_RE.test(text)) continue;
    bump(counts, "email");
    out += text.slice(copiedUpTo, start) + TAG.email;
    copiedUpTo = EMAIL_DOMAIN_RE.lastIndex;
    at = copiedUpTo - 1;
  }
  return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo);
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

function isWordCode(code: number): boolean {
  return isDigitCode(code) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

/** Finds Luhn-valid windows of whole digit groups inside one candidate, so "order 12 4111 1111 1111 1111" still works. */
function redactCardRun(run: string, offset: number, whole: string, counts: RedactionCounts): string {
  const groupStarts: number[] = [];
  const groupEnds: number[] = [];
  for (let i = 0; i < run.length; i++) {
    const start = i;
    while (i < run.length && isDigitCode(run.charCodeAt(i))) i++;
    groupStarts.push(start);
    groupEnds.push(i);
  }
  // A group glued to letters, more digits or a decimal point (ids, hashes, amounts) cannot be part of a card.
  const previous = whole.charCodeAt(offset - 1);
  let g = isWordCode(previous) || previous === 46 ? 1 : 0;
  const groupCount = groupStarts.length - (isWordCode(whole.charCodeAt(offset + run.length)) ? 1 : 0);

  let out = "";
  let copiedUpTo = 0;
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

/** Returns the text with every finding replaced by a typed tag like [SSN_REDACTED]; adds what it found to counts. */
export function redactText(text: string, counts: RedactionCounts): string {
  if (text.length < MIN_FINDING_LENGTH) return text;
  let out = text;

  // Most strings are clean: substring checks and non-global test() probes are much cheaper than replace() with a callback.
  if (out.includes("-----BEGIN ")) out = redactPem(out, counts);
  if (out.includes("eyJ")) out = replaceTagged(out, JWT_RE, "jwt", counts);
  if (out.includes("AKIA") || out.includes("ASIA") || out.includes("ABIA") || out.includes("ACCA")) {
    out = replaceTagged(out, AWS_KEY_ID_RE, "aws_key", counts);
  }
  if (/authorization/i.test(out)) out = replaceKeepingPrefix(out, AUTH_HEADER_RE, "api_key", counts);
  if (BASIC_CREDENTIALS_PROBE.test(out)) out = replaceKeepingPrefix(out, BASIC_CREDENTIALS_RE, "api_key", counts);
  if (API_TOKEN_PROBE.test(out)) {
    out = out.replace(API_TOKEN_RE, (_match: string, bearer?: string) => {
      bump(counts, "api_key");
      return (bearer ?? "") + TAG.api_key;
    });
  }
  if ((out.includes(":") || out.includes("=")) && KV_PROBE.test(out)) out = redactKeyValues(out, counts);
  if (out.includes("@")) out = redactEmails(out, counts);

  if (!DIGIT_RE.test(out)) return out;
  // SSNs before cards: a card window may start on an SSN's last group ("123-45-6789 4111 …") and leave "123-45-" behind.
  if (out.includes("-") && SSN_PROBE.test(out)) out = replaceTagged(out, SSN_RE, "ssn", counts);
  if (NINE_DIGITS_RE.test(out)) {
    out = out.replace(SSN_KEYWORD_RE, (_match: string, keyword: string) => {
      bump(counts, "ssn");
      return keyword + TAG.ssn;
    });
  }
  if (CARD_PROBE.test(out)) {
    out = out.replace(CARD_RE, (run: string, offset: number, whole: string) => redactCardRun(run, offset, whole, counts));
  }
  if (out.includes(".") && IP_PROBE.test(out)) out = replaceTagged(out, IP_RE, "ip_address", counts);
  if ((out.includes("+") || NANP_TAIL_RE.test(out)) && PHONE_PROBE.test(out)) {
    out = replaceTagged(out, PHONE_RE, "phone", counts);
  }
  return out;
}

type SecretKeyKind = "password" | "api_key";

// Matched against the key lower-cased without "-" and "_", at its end: "db_password", "session_token",
// "aws_secret_access_key" and "X-Api-Key" are secrets; "tokenizer" and "token_count" are not.
const PASSWORD_KEY_RE = /(?:password|passwd|passphrase|pwd)$/;
const SECRET_KEY_RE = /(?:secret|token|apikey|authorization|cookie|credentials?|privatekey|accesskey|sessionid)$/;

// Metadata keys repeat across events, so normalising each distinct key once keeps redactJson cheap.
const keyKindCache = new Map<string, SecretKeyKind | null>();
const KEY_CACHE_LIMIT = 2048;
const LONGEST_SECRET_KEY = 64;

function secretKeyKind(key: string): SecretKeyKind | null {
  if (key.length < 3 || key.length > LONGEST_SECRET_KEY) return null;
  const cached = keyKindCache.get(key);
  if (cached !== undefined) return cached;
  const normalised = key.toLowerCase().replace(/[-_]/g, "");
  const kind = PASSWORD_KEY_RE.test(normalised) ? "password" : SECRET_KEY_RE.test(normalised) ? "api_key" : null;
  if (keyKindCache.size >= KEY_CACHE_LIMIT) keyKindCache.clear();
  keyKindCache.set(key, kind);
  return kind;
}

/** Under a secret-named key the whole value goes, whatever its shape: a list or object of secrets is still secrets. */
function redactSecretValue(value: unknown, kind: SecretKeyKind, counts: RedactionCounts): unknown {
  // Empty values hide nothing, and an existing tag means this value was already counted.
  if (value === "" || value === null || typeof value === "boolean" || (typeof value === "string" && TAG_VALUES.has(value))) {
    return value;
  }
  bump(counts, kind);
  return TAG[kind];
}

// Metadata repeats the same short keys and values event after event (attribute names, service,
// host, model): one found clean is remembered and not scanned again.
const cleanShortTexts = new Set<string>();
const CLEAN_CACHE_LIMIT = 4096;
const SHORT_TEXT = 128;

function redactMetadataText(text: string, counts: RedactionCounts): string {
  if (text.length > SHORT_TEXT) return redactText(text, counts);
  if (cleanShortTexts.has(text)) return text;
  const found: RedactionCounts = {};
  const out = redactText(text, found);
  const types = Object.keys(found) as PiiType[];
  if (types.length === 0) {
    if (cleanShortTexts.size >= CLEAN_CACHE_LIMIT) cleanShortTexts.clear();
    cleanShortTexts.add(text);
  }
  for (const type of types) counts[type] = (counts[type] ?? 0) + (found[type] ?? 0);
  return out;
}

/**
 * Names for an object's keys once each is redacted: a key is redacted once, and keys that redact alike stay apart as
 * "name#2", "name#3", …. Keys the redaction leaves unchanged keep their names, so a key sent as "[EMAIL_REDACTED]" is
 * never renamed by a redacted one. A counter per redacted name keeps this linear however many keys collide.
 */
export function redactKeys(keys: readonly string[], redact: (key: string) => string): string[] {
  const redacted = keys.map(redact);
  if (redacted.every((name, i) => name === keys[i])) return redacted;
  const taken = new Set(keys.filter((key, i) => redacted[i] === key));
  const nextSuffix = new Map<string, number>();
  return redacted.map((name, i) => {
    if (name === keys[i]) return name;
    let unique = name;
    let n = nextSuffix.get(name) ?? 2;
    // Each probe that fails lands on a distinct taken name, so the probes add up to at most the number of keys.
    while (taken.has(unique)) unique = `${name}#${n++}`;
    nextSuffix.set(name, n);
    taken.add(unique);
    return unique;
  });
}

/**
 * Deep copy of a JSON value with every string redacted by redactText; a string or number under a secret-named key
 * (password, token, api_key, authorization, cookie, … — case-, "-" and "_"-insensitive) is replaced whole and counted.
 */
export function redactJson(value: unknown, counts: RedactionCounts): unknown {
  if (typeof value === "string") return redactMetadataText(value, counts);
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    const items: readonly unknown[] = value;
    return items.map((item) => redactJson(item, counts));
  }
  const source = value as Record<string, unknown>;
  const rawKeys = Object.keys(source);
  // Keys carry PII too (maps keyed by e-mail or IP).
  const keys = redactKeys(rawKeys, (key) => redactMetadataText(key, counts));
  const out: Record<string, unknown> = {};
  rawKeys.forEach((rawKey, i) => {
    const item = source[rawKey];
    const kind = secretKeyKind(rawKey);
    const redacted = kind !== null ? redactSecretValue(item, kind, counts) : redactJson(item, counts);
    const key = keys[i] ?? rawKey;
    // Plain assignment to "__proto__" would swap the copy's prototype instead of copying the key.
    if (key === "__proto__") {
      Object.defineProperty(out, key, { value: redacted, enumerable: true, writable: true, configurable: true });
    } else {
      out[key] = redacted;
    }
  });
  return out;
}
