import { describe, expect, it } from "vitest";
import { readStepOutput } from "./step-output";

describe("readStepOutput", () => {
  it("keeps only the console's own download paths as snapshot links", () => {
    const view = readStepOutput("snapshot", {
      snapshots: [{ session_id: "s", agent_id: "a", snapshot_id: 7, links: { ndjson: "https://evil.example/x", manifest: "/api/v1/snapshots/7/manifest" } }],
    });
    expect(view).toEqual({
      type: "snapshots",
      snapshots: [{ session_id: "s", agent_id: "a", snapshot_id: "7", event_count: null, links: { ndjson: null, manifest: "/api/v1/snapshots/7/manifest" } }],
    });
  });

  it("reads the first kill steps' bare agent ids, and a rotation that already happened", () => {
    expect(readStepOutput("kill_agent", { killed: ["a-1"] })).toEqual({ type: "killed", killed: [{ agent_id: "a-1", reason: null, killed_at: null }] });
    expect(readStepOutput("rotate_credentials", { already_rotated: [{ credential_id: "c", name: "n", agent_id: "a", rotation_id: "r" }] })).toEqual({
      type: "already_rotated",
      already_rotated: [{ credential_id: "c", name: "n", agent_id: "a", rotation_id: "r" }],
    });
  });

  it("calls nothing produced null, and anything else it cannot read unrecognised, with the JSON", () => {
    expect(readStepOutput("snapshot", {})).toBeNull();
    expect(readStepOutput("snapshot", null)).toBeNull();
    expect(readStepOutput(null, { note: "typed in by hand" })).toEqual({ type: "unrecognised", raw: '{\n  "note": "typed in by hand"\n}' });
    expect(readStepOutput("build_timeline", [1, 2])).toEqual({ type: "unrecognised", raw: "[\n  1,\n  2\n]" });
    expect(readStepOutput("trace_communications", { peers: [{ agent_id: 3 }] })).toMatchObject({ type: "unrecognised" });
  });
});
