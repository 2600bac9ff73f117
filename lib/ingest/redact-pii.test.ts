import { describe, expect, it } from "vitest";
import { PII_TYPES, type RedactionCounts, redactJson, redactKeys, redactText } from "./redact-pii";

function redact(text: string): { out: string; counts: RedactionCounts } {
  const counts: RedactionCounts = {};
  return { out: redactText(text, counts), counts };
}

describe("exports", () => {
  it("lists the PII types in application order", () => {
    expect(PII_TYPES).toEqual(["private_key", "jwt", "aws_key", "api_key", "password", "email", "credit_card", "ssn", "ip_address", "phone"]);
  });
});

// Each input here is caught by one rule and no other, so that removing any single rule (or one
// provider's token format) fails a test: an input two rules catch proves neither of them.
describe("each rule on input that only it catches", () => {
  it.each([
    [
      "PEM private key",
      "key:\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----",
      "key:\n[PRIVATE_KEY_REDACTED]",
      { private_key: 1 },
    ],
    ["JWT", "session eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl ok", "session [JWT_REDACTED] ok", { jwt: 1 }],
    ["AWS access key id", "using AKIAIOSFODNN7EXAMPLE for s3", "using [AWS_KEY_REDACTED] for s3", { aws_key: 1 }],
    ["AWS secret after its key name", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG", "aws_secret_access_key = [AWS_KEY_REDACTED]", { aws_key: 1 }],
    ["Authorization header without a scheme", "Authorization: opaque-credential-42", "Authorization: [API_KEY_REDACTED]", { api_key: 1 }],
    ["Basic credentials outside a header", "sent Basic YWxhZGRpbjpvcGVuc2VzYW1l upstream", "sent Basic [API_KEY_REDACTED] upstream", { api_key: 1 }],
    ["Bearer token outside a header", "forwarded Bearer abcDEF1234567890ghiJKL upstream", "forwarded Bearer [API_KEY_REDACTED] upstream", { api_key: 1 }],
    ["OpenAI/Anthropic/Stripe secret key (sk-, sk_)", "uses sk-proj-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c today", "uses [API_KEY_REDACTED] today", { api_key: 1 }],
    ["Stripe publishable key (pk_)", "uses pk_test_TYooMQauvdEDq54NiTphI7jx today", "uses [API_KEY_REDACTED] today", { api_key: 1 }],
    ["Stripe restricted key (rk_)", "uses rk_live_abcdefghijklmnop1234 today", "uses [API_KEY_REDACTED] today", { api_key: 1 }],
    ["Google API key (AIza)", "uses AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe today", "uses [API_KEY_REDACTED] today", { api_key: 1 }],
    ["GitHub token (ghp_, gho_, ghu_, ghs_, ghr_)", "uses ghu_1234567890abcdefghijklmnopqrstuvwxyz today", "uses [API_KEY_REDACTED] today", { api_key: 1 }],
    ["GitHub fine-grained token (github_pat_)", "uses github_pat_11ABCDEFG0123456789_abcdefghijklmnop today", "uses [API_KEY_REDACTED] today", { api_key: 1 }],
    ["Slack token (xox?-)", "uses xoxb-2048-1024-AbCdEfGhIjKlMnOp today", "uses [API_KEY_REDACTED] today", { api_key: 1 }],
    ["API key after its key name", "api_key=abc123def456", "api_key=[API_KEY_REDACTED]", { api_key: 1 }],
    ["secret after its key name", "client_secret: shhh-42", "client_secret: [API_KEY_REDACTED]", { api_key: 1 }],
    ["token after its key name", "refresh_token=r1.abc", "refresh_token=[API_KEY_REDACTED]", { api_key: 1 }],
    ["password after its key name", "password=hunter2", "password=[PASSWORD_REDACTED]", { password: 1 }],
    ["pwd after its key name", "db_pwd=hunter2", "db_pwd=[PASSWORD_REDACTED]", { password: 1 }],
    ["e-mail address", "contact jane.doe@example.com today", "contact [EMAIL_REDACTED] today", { email: 1 }],
    ["payment card passing Luhn", "charged card 4111 1111 1111 1111 today", "charged card [CREDIT_CARD_REDACTED] today", { credit_card: 1 }],
    ["dashed SSN without a keyword", "on file 123-45-6789.", "on file [SSN_REDACTED].", { ssn: 1 }],
    ["undashed SSN after a keyword", "SSN: 123456789", "SSN: [SSN_REDACTED]", { ssn: 1 }],
    ["IPv4 address", "from 192.168.1.10 today", "from [IP_ADDRESS_REDACTED] today", { ip_address: 1 }],
    ["international phone number", "call +44 20 7946 0958 now", "call [PHONE_REDACTED] now", { phone: 1 }],
    ["North American phone number", "call (415) 555-0100 now", "call [PHONE_REDACTED] now", { phone: 1 }],
  ] as const)("%s", (_rule, input, expected, counts) => {
    expect(redact(input)).toEqual({ out: expected, counts });
  });

  it.each([
    ["a value under a password-named key", { passphrase: "open sesame" }, { passphrase: "[PASSWORD_REDACTED]" }, { password: 1 }],
    ["a value under a secret-named key", { session_cookie: "abc def" }, { session_cookie: "[API_KEY_REDACTED]" }, { api_key: 1 }],
    ["PII in a key", { "jane@example.com": "seen" }, { "[EMAIL_REDACTED]": "seen" }, { email: 1 }],
  ] as const)("JSON: %s", (_rule, input, expected, expectedCounts) => {
    const counts: RedactionCounts = {};
    expect(redactJson(input, counts)).toEqual(expected);
    expect(counts).toEqual(expectedCounts);
  });
});

describe("private keys", () => {
  const body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\nVJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZH";

  it("redacts a complete PEM block and keeps the surrounding text", () => {
    const { out, counts } = redact(`key follows:\n-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\ndone`);
    expect(out).toBe("key follows:\n[PRIVATE_KEY_REDACTED]\ndone");
    expect(counts).toEqual({ private_key: 1 });
  });

  it.each(["RSA ", "EC ", "OPENSSH ", "ENCRYPTED "])("redacts the %sPRIVATE KEY variant", (kind) => {
    const { out } = redact(`a -----BEGIN ${kind}PRIVATE KEY-----\n${body}\n-----END ${kind}PRIVATE KEY----- b`);
    expect(out).toBe("a [PRIVATE_KEY_REDACTED] b");
  });

  it("redacts to the end of the string when a truncated summary lost the END marker", () => {
    const { out, counts } = redact(`Read id_rsa: -----BEGIN RSA PRIVATE KEY-----\n${body.slice(0, 40)}`);
    expect(out).toBe("Read id_rsa: [PRIVATE_KEY_REDACTED]");
    expect(out).not.toContain("MIIEvQ");
    expect(counts).toEqual({ private_key: 1 });
  });

  it("redacts two keys separately", () => {
    const key = `-----BEGIN EC PRIVATE KEY-----\n${body}\n-----END EC PRIVATE KEY-----`;
    const { out, counts } = redact(`${key} and ${key}`);
    expect(out).toBe("[PRIVATE_KEY_REDACTED] and [PRIVATE_KEY_REDACTED]");
    expect(counts).toEqual({ private_key: 2 });
  });

  it("leaves public keys and certificates alone", () => {
    const text = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----";
    expect(redact(text).out).toBe(text);
  });
});

describe("JWTs", () => {
  const header = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";
  const payload = "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0";
  const signature = "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

  it("redacts a full header.payload.signature token", () => {
    const { out, counts } = redact(`session ${header}.${payload}.${signature} ok`);
    expect(out).toBe("session [JWT_REDACTED] ok");
    expect(counts).toEqual({ jwt: 1 });
  });

  it("redacts a token without its signature (truncated)", () => {
    expect(redact(`token was ${header}.${payload}`).out).toBe("token was [JWT_REDACTED]");
    expect(redact(`token was ${header}.${payload.slice(0, 12)}`).out).toBe("token was [JWT_REDACTED]");
  });

  it("keeps the Bearer scheme in front of a redacted JWT", () => {
    expect(redact(`Authorization: Bearer ${header}.${payload}.${signature}`).out).toBe("Authorization: Bearer [JWT_REDACTED]");
  });

  it("does not treat a lone base64 JSON header as a JWT", () => {
    const text = `header only: ${header}`;
    expect(redact(text).out).toBe(text);
  });
});

describe("AWS keys", () => {
  it.each(["AKIAIOSFODNN7EXAMPLE", "ASIAY34FZKBOKMUTVV7A", "ABIA1234567890ABCDEF", "ACCA1234567890ABCDEF"])("redacts access key id %s", (id) => {
    const { out, counts } = redact(`using ${id} for s3`);
    expect(out).toBe("using [AWS_KEY_REDACTED] for s3");
    expect(counts).toEqual({ aws_key: 1 });
  });

  it("redacts the secret of an aws_secret_access_key pair and keeps the key", () => {
    const { out, counts } = redact("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\nregion=us-east-1");
    expect(out).toBe("aws_secret_access_key = [AWS_KEY_REDACTED]\nregion=us-east-1");
    expect(counts).toEqual({ aws_key: 1 });
  });

  it("redacts an upper-case env style secret", () => {
    expect(redact("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").out).toBe("AWS_SECRET_ACCESS_KEY=[AWS_KEY_REDACTED]");
  });

  it("ignores ids of the wrong length or inside longer words", () => {
    for (const text of ["AKIAIOSFODNN7EXAMPL", "XAKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE1"]) {
      expect(redact(text).out).toBe(text);
    }
  });
});

describe("API keys", () => {
  it.each([
    "sk-abcdefghijklmnop1234567890",
    "sk_live_51HqLyjWDarjtT1zdp7dcXYZ",
    "sk-proj-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c",
    "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUv",
    "pk_test_TYooMQauvdEDq54NiTphI7jx",
    "rk_live_abcdefghijklmnop1234",
    "ghp_1234567890abcdefghijklmnopqrstuvwxyz",
    "gho_1234567890abcdefghijklmnopqrstuvwxyz",
    "ghs_1234567890abcdefghijklmnopqrstuvwxyz",
    "xoxb-2048-1024-AbCdEfGhIjKlMnOp",
    "xoxp-123456789012-abcdef",
    "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe",
  ])("redacts %s", (key) => {
    const { out, counts } = redact(`config uses ${key} today`);
    expect(out).toBe("config uses [API_KEY_REDACTED] today");
    expect(counts).toEqual({ api_key: 1 });
  });

  it("redacts a Bearer token and keeps the scheme", () => {
    expect(redact("Authorization: Bearer abcDEF1234567890ghiJKL").out).toBe("Authorization: Bearer [API_KEY_REDACTED]");
  });

  it.each([
    ["api_key=abc123def456", "api_key=[API_KEY_REDACTED]"],
    ["apikey: zyx987", "apikey: [API_KEY_REDACTED]"],
    ["x-api-key: 0f9e8d7c6b5a", "x-api-key: [API_KEY_REDACTED]"],
    ["X-Api-Key:0f9e8d7c6b5a", "X-Api-Key:[API_KEY_REDACTED]"],
    ["access_token=ya29.a0AfH6SMBx", "access_token=[API_KEY_REDACTED]"],
    ["auth_token = 'quoted value'", "auth_token = '[API_KEY_REDACTED]'"],
    ["client_secret=shhh&grant_type=client_credentials", "client_secret=[API_KEY_REDACTED]&grant_type=client_credentials"],
    ["secret=topsecret", "secret=[API_KEY_REDACTED]"],
    ["token=abc", "token=[API_KEY_REDACTED]"],
    ['{"api_key": "live key 42"}', '{"api_key": "[API_KEY_REDACTED]"}'],
    ["refresh_token=r1.abc", "refresh_token=[API_KEY_REDACTED]"],
  ])("keeps the key and replaces only the value in %s", (input, expected) => {
    const { out, counts } = redact(input);
    expect(out).toBe(expected);
    expect(counts).toEqual({ api_key: 1 });
  });

  it("counts a known-format key behind a key name once", () => {
    const { out, counts } = redact("api_key=sk-abcdefghijklmnop1234567890");
    expect(out).toBe("api_key=[API_KEY_REDACTED]");
    expect(counts).toEqual({ api_key: 1 });
  });

  it("leaves short or embedded look-alikes alone", () => {
    for (const text of [
      "we used sk-learn for the model",
      "risk-assessment-framework-for-agents",
      "task_scheduler_for_background_jobs",
      "max_tokens: 512 and tokens=100",
      "Bearer short",
    ]) {
      expect(redact(text).out).toBe(text);
    }
  });
});

describe("passwords", () => {
  it.each([
    ["password=hunter2", "password=[PASSWORD_REDACTED]"],
    ["passwd: s3cr3t!", "passwd: [PASSWORD_REDACTED]"],
    ["pwd=abc123", "pwd=[PASSWORD_REDACTED]"],
    ["PASSWORD = Tr0ub4dor&3", "PASSWORD = [PASSWORD_REDACTED]&3"],
    ['{"password": "correct horse battery staple"}', '{"password": "[PASSWORD_REDACTED]"}'],
    ['{"password":"x"}', '{"password":"[PASSWORD_REDACTED]"}'],
    ['{\\"password\\": \\"esc4ped\\"}', '{\\"password\\": \\"[PASSWORD_REDACTED]\\"}'],
    ["db_password=pa55 user=admin", "db_password=[PASSWORD_REDACTED] user=admin"],
  ])("redacts %s keeping the key", (input, expected) => {
    const { out, counts } = redact(input);
    expect(out).toBe(expected);
    expect(counts).toEqual({ password: 1 });
  });

  it("leaves prose about passwords alone", () => {
    const text = "The user reset their password yesterday; passwords must be rotated.";
    expect(redact(text).out).toBe(text);
  });
});

describe("e-mail addresses", () => {
  it.each(["john.doe@example.com", "first+tag@sub.example.co.uk", "a_b-c%d@mail-server.io", "X@EXAMPLE.ORG"])("redacts %s", (email) => {
    const { out, counts } = redact(`contact <${email}>, thanks`);
    expect(out).toBe("contact <[EMAIL_REDACTED]>, thanks");
    expect(counts).toEqual({ email: 1 });
  });

  it("redacts several addresses in one string", () => {
    const { out, counts } = redact("cc: a@b.io; bcc: c.d@e.fr");
    expect(out).toBe("cc: [EMAIL_REDACTED]; bcc: [EMAIL_REDACTED]");
    expect(counts).toEqual({ email: 2 });
  });

  it("leaves @mentions, decorators and host-less addresses alone", () => {
    for (const text of ["ping @alice about it", "use @Injectable() here", "user@localhost", "npm i @types/node"]) {
      expect(redact(text).out).toBe(text);
    }
  });
});

describe("payment cards", () => {
  it.each([
    ["4111 1111 1111 1111", "spaces"],
    ["4111-1111-1111-1111", "dashes"],
    ["4111111111111111", "no separators"],
    ["5555 5555 5555 4444", "Mastercard"],
    ["3782 822463 10005", "Amex 4-6-5"],
    ["378282246310005", "Amex contiguous"],
    ["6011000990139424", "Discover"],
  ])("redacts %s (%s)", (card) => {
    const { out, counts } = redact(`charged card ${card} today`);
    expect(out).toBe("charged card [CREDIT_CARD_REDACTED] today");
    expect(counts).toEqual({ credit_card: 1 });
  });

  it("finds a card right after an unrelated number", () => {
    expect(redact("order 12 4111 1111 1111 1111 shipped").out).toBe("order 12 [CREDIT_CARD_REDACTED] shipped");
    expect(redact("invoice 2024 4111 1111 1111 1111 paid").out).toBe("invoice 2024 [CREDIT_CARD_REDACTED] paid");
  });

  it("does not tag a Luhn-failing 16-digit number as a card", () => {
    for (const text of ["ref 4111111111111112 ok", "ref 4111 1111 1111 1112 ok", "ref 4111-1111-1111-1113 ok"]) {
      const { out, counts } = redact(text);
      expect(out).toBe(text);
      expect(counts.credit_card).toBeUndefined();
    }
  });

  it("does not tag Luhn-passing epoch-millisecond timestamps, zero runs or digits inside hashes", () => {
    // 1718000000006 and 0000 0000 0000 0000 both pass Luhn; no card network starts with 1 or 0.
    for (const text of ["ts=1718000000006", "0000 0000 0000 0000", "sha 4111111111111111abcdef", "v1.4111111111111111"]) {
      expect(redact(text).counts.credit_card).toBeUndefined();
    }
  });
});

describe("SSNs", () => {
  // No "SSN" keyword in the text: the keyword rule would catch the dashed form on its own.
  it("redacts the dashed form without a keyword", () => {
    const { out, counts } = redact("on file 123-45-6789.");
    expect(out).toBe("on file [SSN_REDACTED].");
    expect(counts).toEqual({ ssn: 1 });
  });

  it.each([
    ["SSN: 123456789", "SSN: [SSN_REDACTED]"],
    ["ssn 123 45 6789", "ssn [SSN_REDACTED]"],
    ["social security number 078051120", "social security number [SSN_REDACTED]"],
    ["Social Security: 219 09 9999", "Social Security: [SSN_REDACTED]"],
  ])("redacts the undashed form after a keyword: %s", (input, expected) => {
    const { out, counts } = redact(input);
    expect(out).toBe(expected);
    expect(counts).toEqual({ ssn: 1 });
  });

  it.each(["000-12-3456", "666-12-3456", "900-12-3456", "123-00-4567", "123-45-0000"])("does not redact the invalid number %s", (text) => {
    expect(redact(`id ${text}`).counts.ssn).toBeUndefined();
  });

  it("redacts an SSN and a card side by side whole, leaving none of either's digits", () => {
    expect(redact("lookup 123-45-6789 4111 1111 1111 1111").out).toBe("lookup [SSN_REDACTED] [CREDIT_CARD_REDACTED]");
    expect(redact("ssn 123 45 6789 4111 1111 1111 1111").out).toBe("ssn [SSN_REDACTED] [CREDIT_CARD_REDACTED]");
  });

  it("does not treat 9 bare digits without a keyword as an SSN", () => {
    expect(redact("order 123456789 shipped").out).toBe("order 123456789 shipped");
  });
});

describe("IP addresses", () => {
  it.each([
    ["from 192.168.1.10 today", "from [IP_ADDRESS_REDACTED] today"],
    ["dns 8.8.8.8.", "dns [IP_ADDRESS_REDACTED]."],
    ["connect 10.0.0.1:8080", "connect [IP_ADDRESS_REDACTED]:8080"],
    ["max 255.255.255.255", "max [IP_ADDRESS_REDACTED]"],
  ])("redacts %s", (input, expected) => {
    const { out, counts } = redact(input);
    expect(out).toBe(expected);
    expect(counts).toEqual({ ip_address: 1 });
  });

  it("leaves out-of-range octets, versions and longer dotted numbers alone", () => {
    for (const text of ["host 999.1.1.1 down", "1.2.3.256", "release v2.3.1", "oid 1.3.6.1.4.1", "pi is 3.14159"]) {
      expect(redact(text).out).toBe(text);
    }
  });
});

describe("phone numbers", () => {
  it.each([
    "415-555-0100",
    "(415) 555-0100",
    "415.555.0100",
    "415 555 0100",
    "+1 415 555 0100",
    "+1-415-555-0100",
    "1-415-555-0100",
    "+1 (415) 555-0100",
    "+44 20 7946 0958",
    "+4930123456",
  ])("redacts %s", (phone) => {
    const { out, counts } = redact(`call ${phone} now`);
    expect(out).toBe("call [PHONE_REDACTED] now");
    expect(counts).toEqual({ phone: 1 });
  });

  it("does not treat a bare 10-digit id or epoch timestamp as a phone", () => {
    for (const text of ["user 4155550100 logged in", "created_at=1718000000", "+1234567 too short"]) {
      expect(redact(text).out).toBe(text);
    }
  });
});

describe("clean text and stability", () => {
  it("leaves ordinary prose, versions, dates and small numbers unchanged", () => {
    const text = "Fetched 3 documents in 2.5 s with reranker v2.3.1 on 2024-06-10 at 14:05; returned 42 results (score 0.87).";
    const { out, counts } = redact(text);
    expect(out).toBe(text);
    expect(counts).toEqual({});
  });

  it("returns short and empty strings unchanged", () => {
    expect(redact("").out).toBe("");
    expect(redact("a@b").out).toBe("a@b");
  });

  it("is idempotent: tags survive a second pass and are not counted again", () => {
    const text =
      "mail a.b@example.com, card 4111 1111 1111 1111, ssn 123-45-6789, ip 10.1.2.3, phone (415) 555-0100, " +
      'password=hunter2, api_key="k1", token: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0, key AKIAIOSFODNN7EXAMPLE, ' +
      "sk-abcdefghijklmnop1234 -----BEGIN PRIVATE KEY-----\nMIIE";
    const first = redact(text);
    const second = redact(first.out);
    expect(second.out).toBe(first.out);
    expect(second.counts).toEqual({});
    for (const type of PII_TYPES) {
      expect(redact(`[${type.toUpperCase()}_REDACTED]`).out).toBe(`[${type.toUpperCase()}_REDACTED]`);
    }
  });

  it("counts every finding of a mixed text", () => {
    const counts: RedactionCounts = { email: 2 };
    const out = redactText(
      "Emails a@x.io and b@y.io; call +1 415 555 0100 or 415-555-0199; card 5555-5555-5555-4444; " +
        "SSN 123-45-6789; host 172.16.0.5; password: pw1; ghp_1234567890abcdefghijklmnopqrstuvwxyz",
      counts,
    );
    expect(counts).toEqual({ email: 4, phone: 2, credit_card: 1, ssn: 1, ip_address: 1, password: 1, api_key: 1 });
    expect(out).toBe(
      "Emails [EMAIL_REDACTED] and [EMAIL_REDACTED]; call [PHONE_REDACTED] or [PHONE_REDACTED]; card [CREDIT_CARD_REDACTED]; " +
        "SSN [SSN_REDACTED]; host [IP_ADDRESS_REDACTED]; password: [PASSWORD_REDACTED]; [API_KEY_REDACTED]",
    );
  });
});

describe("redactJson", () => {
  it("redacts strings at any depth and keeps numbers, booleans and null", () => {
    const input = {
      user: { contact: ["ok", ["deep john@example.com", 42, true, null]], age: 31 },
      flags: [false, null, 3.5],
      note: "call 415-555-0100",
    };
    const counts: RedactionCounts = {};
    expect(redactJson(input, counts)).toEqual({
      user: { contact: ["ok", ["deep [EMAIL_REDACTED]", 42, true, null]], age: 31 },
      flags: [false, null, 3.5],
      note: "call [PHONE_REDACTED]",
    });
    expect(counts).toEqual({ email: 1, phone: 1 });
  });

  it("replaces values of secret-named keys whole, keeping the keys", () => {
    const counts: RedactionCounts = {};
    const out = redactJson(
      {
        Password: "hunter2",
        pwd: 1234,
        "client-secret": "abc",
        Access_Token: "opaque",
        "X-API-KEY": "k",
        authorization: "Basic dXNlcjpwYXNz",
        session_cookie: "sid=1",
        credentials: "u:p",
        private_key: "not pem",
        nested: [{ cookie: "a=b", refresh_token: 99 }],
        tokenizer: "bpe",
      },
      counts,
    );
    expect(out).toEqual({
      Password: "[PASSWORD_REDACTED]",
      pwd: "[PASSWORD_REDACTED]",
      "client-secret": "[API_KEY_REDACTED]",
      Access_Token: "[API_KEY_REDACTED]",
      "X-API-KEY": "[API_KEY_REDACTED]",
      authorization: "[API_KEY_REDACTED]",
      session_cookie: "[API_KEY_REDACTED]",
      credentials: "[API_KEY_REDACTED]",
      private_key: "[API_KEY_REDACTED]",
      nested: [{ cookie: "[API_KEY_REDACTED]", refresh_token: "[API_KEY_REDACTED]" }],
      tokenizer: "bpe",
    });
    expect(counts).toEqual({ password: 2, api_key: 9 });
  });

  it("replaces whole objects under secret-named keys and keeps their booleans", () => {
    const out = redactJson({ credentials: { user: "bob", password: "pw" }, token: true }, {});
    expect(out).toEqual({ credentials: "[API_KEY_REDACTED]", token: true });
  });

  it("does not mutate its input", () => {
    const input = { a: ["x@y.io", { password: "p" }], b: { c: "10.0.0.1" } };
    const before = structuredClone(input);
    const out = redactJson(Object.freeze(input), {});
    expect(input).toEqual(before);
    expect(out).not.toBe(input);
    expect(out).toEqual({ a: ["[EMAIL_REDACTED]", { password: "[PASSWORD_REDACTED]" }], b: { c: "[IP_ADDRESS_REDACTED]" } });
  });

  it("copies a __proto__ key as data instead of changing the prototype", () => {
    const out = redactJson(JSON.parse('{"__proto__": {"email": "a@b.io"}}'), {});
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, "__proto__")?.value).toEqual({ email: "[EMAIL_REDACTED]" });
  });

  it("counts every finding in keys and values that repeat from event to event, and leaves repeated clean ones as they are", () => {
    const event = { host: "web-7", contact: "jane@example.com", "jane@example.com": "web-7", region: "eu-west-1" };
    for (let i = 0; i < 3; i++) {
      const counts: RedactionCounts = {};
      expect(redactJson(event, counts)).toEqual({ host: "web-7", contact: "[EMAIL_REDACTED]", "[EMAIL_REDACTED]": "web-7", region: "eu-west-1" });
      expect(counts).toEqual({ email: 2 });
    }
  });

  it("returns primitives as they are or redacted", () => {
    expect(redactJson(7, {})).toBe(7);
    expect(redactJson(null, {})).toBeNull();
    expect(redactJson("ip 8.8.4.4", {})).toBe("ip [IP_ADDRESS_REDACTED]");
  });
});

describe("linear time on adversarial input", () => {
  const adversarial: Record<string, string> = {
    "long local part then @": `${"a".repeat(65536)}@`,
    "many @": "a@".repeat(32768),
    "dotted domain without TLD": `a@${"a.".repeat(32768)}`,
    "domain label run without dot": `a@${"a".repeat(65536)}!`,
    "spaced digits": "1 ".repeat(30000),
    "dashed digits": "1-".repeat(30000),
    "long digit run": "4".repeat(65536),
    "card-like groups": "4111 ".repeat(13107),
    "unterminated PEM": `-----BEGIN PRIVATE KEY-----${"A".repeat(65536)}`,
    "JWT header without dot": `eyJ${"A".repeat(65536)}`,
    "JWT-ish segments": "eyJa.".repeat(13107),
    "token prefix run": `sk-${"a".repeat(65536)}`,
    "key names without values": "token=".repeat(10922),
    "unterminated quoted value": `password="${"a".repeat(65536)}`,
    "separators only": ":=".repeat(32768),
    "SSN keyword run": "SSN ".repeat(16384),
    "dotted numbers": "1.".repeat(32768),
    "plus digits": `+${"1 ".repeat(32768)}`,
    "mixed punctuation": "a1@-.:= +_".repeat(6553),
  };

  it.each(Object.entries(adversarial))("redacts %s (64 KiB) in well under a second", (_name, text) => {
    expect(text.length).toBeGreaterThanOrEqual(60000);
    const started = performance.now();
    redactText(text, {});
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe("authorization credentials and metadata keys", () => {
  it("redacts Authorization headers of any scheme and Basic credentials, keeping the scheme", () => {
    const counts: RedactionCounts = {};
    expect(redactText("Authorization: Basic dXNlcjpwYXNz", counts)).toBe("Authorization: Basic [API_KEY_REDACTED]");
    expect(redactText("authorization=Digest username42", counts)).toBe("authorization=Digest [API_KEY_REDACTED]");
    expect(redactText("sent Basic YWxhZGRpbjpvcGVuc2VzYW1l upstream", counts)).toBe("sent Basic [API_KEY_REDACTED] upstream");
    expect(counts).toEqual({ api_key: 3 });
  });

  it("leaves prose about basic things alone and stays stable on a second pass", () => {
    expect(redactText("basic information about the plan", {})).toBe("basic information about the plan");
    const once = redactText("Authorization: Bearer abcdefghijklmnopqrstuvwx", {});
    const counts: RedactionCounts = {};
    expect(redactText(once, counts)).toBe(once);
    expect(counts).toEqual({});
  });

  it("matches secret-named keys by their ending and replaces any value shape under them", () => {
    const counts: RedactionCounts = {};
    const out = redactJson(
      {
        db_password: ["hunter3"],
        session_token: { value: "abc" },
        aws_secret_access_key: "wJalrXUtnFEMI",
        "X-Api-Key": 12345,
        passphrase: "open sesame",
        tokenizer: "bpe",
        token_count: 42,
        max_tokens: 1000,
      },
      counts,
    );
    expect(out).toEqual({
      db_password: "[PASSWORD_REDACTED]",
      session_token: "[API_KEY_REDACTED]",
      aws_secret_access_key: "[API_KEY_REDACTED]",
      "X-Api-Key": "[API_KEY_REDACTED]",
      passphrase: "[PASSWORD_REDACTED]",
      tokenizer: "bpe",
      token_count: 42,
      max_tokens: 1000,
    });
    expect(counts).toEqual({ password: 2, api_key: 3 });
  });

  it("redacts PII in metadata keys and keeps keys that redact alike apart", () => {
    const counts: RedactionCounts = {};
    const out = redactJson({ "jane@example.com": 1, "bob@example.com": 2, "203.0.113.7": "x" }, counts);
    expect(out).toEqual({ "[EMAIL_REDACTED]": 1, "[EMAIL_REDACTED]#2": 2, "[IP_ADDRESS_REDACTED]": "x" });
    expect(counts).toEqual({ email: 2, ip_address: 1 });
  });

  it("keeps a key sent as a tag under its own name and gives redacted keys names no other key holds", () => {
    const counts: RedactionCounts = {};
    const out = redactJson({ "a@b.io": 1, "[EMAIL_REDACTED]": 2, "c@d.io": 3, "[EMAIL_REDACTED]#2": 4, "e@f.io": 5 }, counts);
    expect(out).toEqual({ "[EMAIL_REDACTED]#3": 1, "[EMAIL_REDACTED]": 2, "[EMAIL_REDACTED]#4": 3, "[EMAIL_REDACTED]#2": 4, "[EMAIL_REDACTED]#5": 5 });
    expect(counts).toEqual({ email: 3 });
  });
});

describe("metadata keys that redact alike (issue 14: 2,414 such keys took 2.2 s and blocked the console)", () => {
  const collidingKeys = Array.from({ length: 2414 }, (_, i) => `${i}@b.co`);

  it("redacts each key once, however many collide", () => {
    let calls = 0;
    const names = redactKeys(collidingKeys, (key) => {
      calls++;
      return redactText(key, {});
    });
    expect(calls).toBe(collidingKeys.length);
    expect(new Set(names).size).toBe(collidingKeys.length);
    expect(names.slice(0, 3)).toEqual(["[EMAIL_REDACTED]", "[EMAIL_REDACTED]#2", "[EMAIL_REDACTED]#3"]);
  });

  it("redacts the 32 KiB event of 2,414 such keys in well under a second, losing none", () => {
    const metadata = Object.fromEntries(collidingKeys.map((key, i) => [key, i]));
    const counts: RedactionCounts = {};
    const started = performance.now();
    const out = redactJson(metadata, counts) as Record<string, number>;
    expect(performance.now() - started).toBeLessThan(500);
    expect(Object.keys(out)).toHaveLength(collidingKeys.length);
    expect(out["[EMAIL_REDACTED]#2414"]).toBe(2413);
    expect(counts).toEqual({ email: collidingKeys.length });
  });
});
