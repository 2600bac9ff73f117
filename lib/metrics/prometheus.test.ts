import { describe, expect, it } from "vitest";
import { formatPrometheus } from "./prometheus";

describe("formatPrometheus", () => {
  it("writes HELP, TYPE and one line per sample", () => {
    const text = formatPrometheus([
      { name: "agent_tool_calls_total", help: "Tool calls.", type: "counter", samples: [{ labels: { agent_id: "a", tool_name: "kb_search" }, value: 3 }] },
    ]);
    expect(text).toBe(
      '# HELP agent_tool_calls_total Tool calls.\n# TYPE agent_tool_calls_total counter\nagent_tool_calls_total{agent_id="a",tool_name="kb_search"} 3\n',
    );
  });

  it("escapes backslashes, quotes and newlines in label values an agent chose", () => {
    const text = formatPrometheus([{ name: "m", help: "h", type: "gauge", samples: [{ labels: { session_id: 'a"b\\c\nd' }, value: 1.5 }] }]);
    expect(text).toContain('m{session_id="a\\"b\\\\c\\nd"} 1.5');
  });

  it("keeps a family with no samples declared, so rules see the metric exists", () => {
    expect(formatPrometheus([{ name: "m", help: "h", type: "counter", samples: [] }])).toBe("# HELP m h\n# TYPE m counter\n");
  });
});
