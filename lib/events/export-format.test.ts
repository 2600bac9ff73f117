import { describe, expect, it } from "vitest";
import type { ListedEvent } from "@/lib/ingest/views";
import { csvCell, csvHeader, EVENT_CSV_COLUMNS, eventCsvRow, eventNdjsonLine } from "./export-format";

const event: ListedEvent = {
  event_id: "5f0c2f0e-8a43-4f53-9a2b-3c1d2e4f5a6b",
  timestamp: 1_796_000_000.25,
  time: "2026-11-30T01:33:20.250Z",
  agent_id: "support-agent-v1",
  session_id: "sess_1",
  action_type: "tool_call",
  action_name: "web_fetch",
  input_summary: '=HYPERLINK("http://evil.test","click")',
  output_summary: 'line one\nline two, with "quotes"',
  duration_ms: 12.5,
  token_count: null,
  cost_usd: 0.002,
  tool_name: "web_fetch",
  tool_args_hash: null,
  error: "@SUM(1+1)",
  security_flags: ["+cmd"],
  metadata: { url: "-2+3" },
  action_sequence: 4,
  session_elapsed_s: null,
  session_total_cost_usd: null,
  redactions: { email: 1 },
  received_at: "2026-11-30T01:33:21.000Z",
  alerts: [{ alert_id: 7, type: "prompt_injection", severity: "critical", detail: "Indirect prompt injection" }],
};

describe("csvCell", () => {
  it("prefixes every cell a spreadsheet would run as a formula", () => {
    for (const lead of ["=", "+", "-", "@", "\t", "\r"]) expect(csvCell(`${lead}1+1`).replace(/^"/, "")).toMatch(/^'/);
    expect(csvCell("=1+1")).toBe("'=1+1");
    expect(csvCell("a=1")).toBe("a=1");
    expect(csvCell(" =1")).toBe(" =1");
  });

  it("quotes commas, quotes and line breaks, and leaves the rest alone", () => {
    expect(csvCell('say "hi", then\nleave')).toBe('"say ""hi"", then\nleave"');
    expect(csvCell("\r=cmd")).toBe('"\'\r=cmd"');
    expect(csvCell(null)).toBe("");
    expect(csvCell(0.5)).toBe("0.5");
    expect(csvCell("漢字 🙂 <b>")).toBe("漢字 🙂 <b>");
  });
});

describe("eventCsvRow and eventNdjsonLine", () => {
  it("write one row per event in the header's columns, every hostile cell neutralised", () => {
    expect(csvHeader()).toBe(`${EVENT_CSV_COLUMNS.join(",")}\r\n`);
    const row = eventCsvRow(event);
    expect(row.endsWith("\r\n")).toBe(true);
    expect(row).toContain(`'=HYPERLINK(""http://evil.test"",""click"")`);
    expect(row).toContain("'@SUM(1+1)");
    expect(row).toContain("'+cmd");
    expect(row).toContain("critical prompt_injection: Indirect prompt injection");
    expect(row).toContain('"line one\nline two, with ""quotes"""');
    expect(row).toContain("email=1");
    // No cell of the row starts with a formula character once quoting is taken off.
    const cells = row.slice(0, -2).match(/("([^"]|"")*"|[^,]*)(,|$)/g) ?? [];
    for (const cell of cells) expect(cell.replace(/^"/, "")).not.toMatch(/^[=+\-@\t\r]/);
  });

  it("writes NDJSON as the API's own shape, one line per event", () => {
    const line = eventNdjsonLine(event);
    expect(line.endsWith("\n")).toBe(true);
    expect(line.slice(0, -1)).not.toContain("\n");
    expect(JSON.parse(line)).toEqual(event);
  });
});
