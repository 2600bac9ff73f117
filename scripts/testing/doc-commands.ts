import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * The docs' shell examples as the docs test runs them (e2e/docs/doc-commands.spec.ts): every
 * ```sh block of the pages below, in this order, each page in a shell that starts from the
 * variables the pages before it exported (a reader follows the README, then getting started, then
 * the API page's tokens). A block that cannot run here says why on the line before its fence:
 * `<!-- not run by the docs test: <reason> -->`.
 */
export const DOC_PAGES = [
  "README.md",
  "docs/getting-started.md",
  "docs/api.md",
  "docs/ingest.md",
  "docs/kill-switches.md",
  "docs/detection.md",
  "docs/policies.md",
  "docs/tool-tokens.md",
  "docs/forensics.md",
  "docs/incidents-and-runbooks.md",
  "docs/credential-rotation.md",
  "docs/notifications.md",
  "docs/otlp.md",
  "docs/sdk-python.md",
  "docs/sdk-typescript.md",
  "docs/cli.md",
  "docs/security.md",
  "docs/testing.md",
];

/** The address the examples are written for; the test points them at its own console. */
export const DOCS_CONSOLE_URL = "http://127.0.0.1:3000";

const NOT_RUN = /^<!-- not run by the docs test: (.+) -->$/;

export interface CodeBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  language: string;
  code: string;
  /** Why the docs test does not run it, when it does not. */
  notRun: string | null;
}

export function codeBlocks(file: string, text: string): CodeBlock[] {
  const lines = text.split("\n");
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i] ?? "");
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith("```"));
    if (end < 0) throw new Error(`${file}:${i + 1}: a code fence that never closes`);
    const before = (lines[i - 1] ?? "").trim();
    blocks.push({ file, line: i + 1, language: open[1] ?? "", code: lines.slice(i + 1, end).join("\n"), notRun: NOT_RUN.exec(before)?.[1] ?? null });
    i = end;
  }
  return blocks;
}

/** The markdown files of the repository's documentation: README, ARCHITECTURE and docs/**. */
export function documentationFiles(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) return walk(rel);
      return entry.name.endsWith(".md") ? [rel] : [];
    });
  return ["README.md", "ARCHITECTURE.md", ...walk("docs")];
}

export function pageBlocks(root: string, file: string): CodeBlock[] {
  return codeBlocks(file, readFileSync(path.join(root, file), "utf8"));
}

/** The shell script the docs test runs for one page: its runnable sh blocks, each announced so a failure names its line. */
export function pageScript(blocks: CodeBlock[], consoleUrl: string): string {
  return blocks
    .filter((b) => b.language === "sh" && b.notRun === null)
    .map((b) => `echo "--- ${b.file}:${b.line}" >&2\n${b.code.split(DOCS_CONSOLE_URL).join(consoleUrl)}\n`)
    .join("\n");
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

export function headingAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  let inFence = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("```")) inFence = !inFence;
    const heading = !inFence && /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) anchors.add(headingAnchor(heading[1] ?? ""));
  }
  return anchors;
}

/** Relative links of a markdown text (outside code), with their line. */
export function relativeLinks(text: string): { line: number; target: string }[] {
  const links: { line: number; target: string }[] = [];
  let inFence = false;
  text.split("\n").forEach((line, i) => {
    if (line.startsWith("```")) inFence = !inFence;
    if (inFence) return;
    // Markdown links and images, and the HTML <img src> that sizes a picture.
    for (const m of line.matchAll(/\]\(([^)\s]+)\)|<img [^>]*src="([^"]+)"/g)) {
      const target = m[1] ?? m[2] ?? "";
      if (!/^[a-z]+:/i.test(target)) links.push({ line: i + 1, target });
    }
  });
  return links;
}
