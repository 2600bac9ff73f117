import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { checkIngestHeaders, decodeBody, parseIngestBody } from "./parse-body";

const limits = { maxBytes: 1024, maxEvents: 3 };

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    return err instanceof AppError ? err.code : "NOT_APP_ERROR";
  }
}

describe("checkIngestHeaders", () => {
  it("accepts JSON and NDJSON with parameters, gzip or no encoding", () => {
    expect(codeOf(() => checkIngestHeaders("application/json; charset=utf-8", null))).toBeNull();
    expect(codeOf(() => checkIngestHeaders("application/x-ndjson", "gzip"))).toBeNull();
  });

  it("refuses other media types and encodings with 415", () => {
    expect(codeOf(() => checkIngestHeaders("text/plain", null))).toBe("UNSUPPORTED_MEDIA_TYPE");
    expect(codeOf(() => checkIngestHeaders(null, null))).toBe("UNSUPPORTED_MEDIA_TYPE");
    expect(codeOf(() => checkIngestHeaders("application/json", "br"))).toBe("UNSUPPORTED_MEDIA_TYPE");
  });
});

describe("decodeBody", () => {
  it("inflates gzip and refuses output past the byte limit", () => {
    expect(decodeBody(gzipSync("[1]"), "gzip", limits)).toBe("[1]");
    expect(codeOf(() => decodeBody(gzipSync(" ".repeat(2048)), "gzip", limits))).toBe("PAYLOAD_TOO_LARGE");
    expect(codeOf(() => decodeBody(Buffer.from("not gzip"), "gzip", limits))).toBe("VALIDATION");
  });
});

describe("parseIngestBody", () => {
  it("reads arrays and {events} objects", () => {
    expect(parseIngestBody('[{"a":1}]', "application/json", limits)).toEqual([{ index: 0, value: { a: 1 } }]);
    expect(parseIngestBody('{"events":[1,2]}', "application/json", limits)).toHaveLength(2);
  });

  it("keeps NDJSON lines around a broken one and names its line", () => {
    const records = parseIngestBody('{"a":1}\n\n{broken\n{"b":2}\n', "application/x-ndjson", limits);
    expect(records.map((r) => r.index)).toEqual([0, 1, 2]);
    expect(records[1]).toMatchObject({ parseError: expect.stringContaining("line 3") });
  });

  it("refuses bodies that are not a list, are empty, or hold too many events", () => {
    expect(codeOf(() => parseIngestBody('{"x":1}', "application/json", limits))).toBe("VALIDATION");
    expect(codeOf(() => parseIngestBody("[", "application/json", limits))).toBe("VALIDATION");
    expect(codeOf(() => parseIngestBody("[]", "application/json", limits))).toBe("VALIDATION");
    expect(codeOf(() => parseIngestBody("\n\n", "application/x-ndjson", limits))).toBe("VALIDATION");
    expect(codeOf(() => parseIngestBody("[1,2,3,4]", "application/json", limits))).toBe("PAYLOAD_TOO_LARGE");
  });
});
