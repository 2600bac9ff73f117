import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { codeBlocks, DOC_PAGES, documentationFiles, headingAnchor, headingAnchors, pageBlocks, relativeLinks } from "./doc-commands";

const ROOT = path.resolve(__dirname, "..", "..");
const files = documentationFiles(ROOT);

describe("the documentation", () => {
  it("links only to files and headings that exist", () => {
    const broken = files.flatMap((file) =>
      relativeLinks(readFileSync(path.join(ROOT, file), "utf8")).flatMap(({ line, target }) => {
        const [pathPart = "", anchor] = target.split("#");
        const resolved = pathPart ? path.resolve(ROOT, path.dirname(file), decodeURIComponent(pathPart)) : path.join(ROOT, file);
        if (!existsSync(resolved)) return [`${file}:${line} → ${target}: no such file`];
        if (anchor && statSync(resolved).isFile() && resolved.endsWith(".md") && !headingAnchors(readFileSync(resolved, "utf8")).has(anchor)) {
          return [`${file}:${line} → ${target}: no such heading`];
        }
        return [];
      }),
    );
    expect(broken).toEqual([]);
  });

  it("names the language of every code block, so no shell example hides from the docs test", () => {
    const untagged = files.flatMap((file) =>
      pageBlocks(ROOT, file)
        .filter((b) => b.language === "")
        .map((b) => `${file}:${b.line}`),
    );
    expect(untagged).toEqual([]);
  });

  it("runs the shell examples of every page that has them (e2e/docs/doc-commands.spec.ts)", () => {
    const withShell = files.filter((file) => pageBlocks(ROOT, file).some((b) => b.language === "sh"));
    expect(withShell.filter((file) => !DOC_PAGES.includes(file))).toEqual([]);
    expect(DOC_PAGES.filter((file) => !files.includes(file))).toEqual([]);
  });

  it("says why, for each shell example the docs test does not run", () => {
    const notRun = files.flatMap((file) => pageBlocks(ROOT, file).filter((b) => b.language === "sh" && b.notRun !== null));
    for (const block of notRun) expect(block.notRun?.length, `${block.file}:${block.line}`).toBeGreaterThan(20);
  });
});

describe("codeBlocks", () => {
  it("reads fences, their language and the reason a block is not run", () => {
    const text = [
      "# T",
      "```sh",
      "echo one",
      "```",
      "<!-- not run by the docs test: needs the Python package index -->",
      "```sh",
      "pip install x",
      "```",
      "```",
      "plain",
      "```",
    ].join("\n");
    expect(codeBlocks("t.md", text)).toEqual([
      { file: "t.md", line: 2, language: "sh", code: "echo one", notRun: null },
      { file: "t.md", line: 6, language: "sh", code: "pip install x", notRun: "needs the Python package index" },
      { file: "t.md", line: 9, language: "", code: "plain", notRun: null },
    ]);
  });

  it("refuses a fence that never closes", () => {
    expect(() => codeBlocks("t.md", "```sh\necho")).toThrow("t.md:1");
  });

  it("makes GitHub's anchors", () => {
    expect(headingAnchor("Contracts other people build against (change them only on purpose)")).toBe(
      "contracts-other-people-build-against-change-them-only-on-purpose",
    );
    expect(headingAnchor("`GET /api/v1/events` (viewer)")).toBe("get-apiv1events-viewer");
  });
});
