import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { fillPlaceholders } from "./fill-placeholders";

/**
 * Commands filled with an agent's hostile ids and run the way a responder runs them: pasted into a
 * shell. Each template prints what reaches it; a filled command must print the value exactly and
 * leave no MARK file behind. A template may be refused instead (shown unfilled, with the reason),
 * except the plain contexts at the top, which must be filled for every value without a problem of its own.
 */

const HOSTILE = [
  "sess-42",
  "s$(touch MARK)",
  "s`touch MARK`",
  "'; touch MARK; '",
  '"; touch MARK; "',
  "a${IFS}b",
  "$((1))",
  "a[$(touch MARK)]",
  "x\\",
  'a\\"; touch MARK; \\"',
  "\\$(touch MARK)",
  "$'\\x27'; touch MARK",
  "} ; touch MARK; {",
  ") ; touch MARK ; (",
  "EOF",
  "a b",
  "*",
  "x,y",
  "=ls",
  "%1",
  "#x",
  "!!",
  "--help",
  "a/../../b",
  // Code for the interpreters a template may hand a value to: python, awk and perl strings.
  "x'); import os; os.system('touch MARK'); print('",
  'x"; system("touch MARK"); print "',
  "x'; system('touch MARK'); print '",
];

/** Values refused wherever they go: options, backslashes (fish reads them inside single quotes) and ".." path segments. */
const refusedAnywhere = (value: string) => value.startsWith("-") || value.includes("\\") || /(^|\/)\.\.(\/|$)/.test(value);

const line = (...lines: string[]) => lines.map((l) => `${l}\n`).join("");

interface Case {
  template: string;
  /** What the command prints when the value arrives as one literal text; null: it must be refused. */
  prints: ((value: string) => string) | null;
  /** A plain context: refusing it (for a value without a problem of its own) is a failure too. */
  fills?: true;
  /** Also run it under dash, the plain POSIX shell. */
  posix?: true;
}

const v = (value: string) => line(value);

const CASES: Case[] = [
  // Plain contexts: top-level words and top-level quoted strings.
  { template: "printf '%s\\n' {session_id}", prints: v, fills: true, posix: true },
  { template: "printf '%s\\n' '{session_id}'", prints: v, fills: true, posix: true },
  { template: `printf '%s\\n' "{session_id}"`, prints: v, fills: true, posix: true },
  { template: `printf '%s\\n' "id={session_id}."`, prints: (x) => line(`id=${x}.`), fills: true, posix: true },
  { template: "printf '%s\\n' 'it is {session_id}'", prints: (x) => line(`it is ${x}`), fills: true, posix: true },
  { template: `printf '%s\\n' "it's {session_id}"`, prints: (x) => line(`it's ${x}`), fills: true, posix: true },
  { template: `printf '%s\\n' 'say "{session_id}"'`, prints: (x) => line(`say "${x}"`), fills: true, posix: true },
  { template: "printf '%s\\n' x{session_id}y", prints: (x) => line(`x${x}y`), fills: true, posix: true },
  { template: "printf '%s\\n' \\'{session_id}", prints: (x) => line(`'${x}`), fills: true, posix: true },
  { template: `printf '%s\\n' "a\\"b {session_id}"`, prints: (x) => line(`a"b ${x}`), fills: true, posix: true },
  {
    template: "printf '%s\\n' agent:killswitch:{agent_id} 'Security incident {session_id}'",
    prints: (x) => line(`agent:killswitch:${x}`, `Security incident ${x}`),
    fills: true,
    posix: true,
  },
  { template: `printf '%s\\n' "$(printf x)" {session_id}`, prints: (x) => line("x", x), fills: true, posix: true },
  { template: `printf '%s\\n' "$(printf '%s' ')')" "{session_id}"`, prints: (x) => line(")", x), fills: true, posix: true },
  { template: "printf '%s\\n' `printf x` {session_id}", prints: (x) => line("x", x), fills: true, posix: true },
  { template: "printf '%s\\n' ${HOME:+h} {session_id}", prints: (x) => line("h", x), fills: true, posix: true },
  { template: `X=pre; printf '%s\\n' "$X{session_id}"`, prints: (x) => line(`pre${x}`), fills: true, posix: true },
  { template: "printf '%s\\n' a; printf '%s\\n' {session_id}", prints: (x) => line("a", x), fills: true, posix: true },
  { template: "printf '%s\\n' a\nprintf '%s\\n' {session_id}", prints: (x) => line("a", x), fills: true, posix: true },
  { template: "printf '%s\\n' a \\\n  {session_id}", prints: (x) => line("a", x), fills: true, posix: true },
  { template: "printf '%s\\n' {session_id} | cat", prints: v, fills: true, posix: true },
  { template: "printf '%s\\n' {session_id} > out && cat out", prints: v, fills: true, posix: true },
  { template: "printf '%s\\n' {session_id} 2>/dev/null", prints: v, fills: true, posix: true },
  { template: "env printf '%s\\n' {session_id}", prints: v, fills: true, posix: true },
  { template: "command printf '%s\\n' {session_id}", prints: v, fills: true, posix: true },
  // Nested contexts: filled only if the value still arrives literally.
  { template: `printf '%s\\n' "$(printf '%s' {session_id})"`, prints: v, posix: true },
  { template: `printf '%s\\n' "$(printf '%s' "{session_id}")"`, prints: v, posix: true },
  { template: `printf '%s\\n' "$(printf '%s' '{session_id}')"`, prints: v, posix: true },
  { template: `printf '%s\\n' "$(printf '%s' "$(printf '%s' {session_id})")"`, prints: v, posix: true },
  { template: `printf '%s\\n' "$(case x in x) printf '%s' {session_id};; esac)"`, prints: v, posix: true },
  { template: "printf '%s\\n' \"`printf '%s' {session_id}`\"", prints: v, posix: true },
  { template: "printf '%s\\n' \"`printf '%s' '{session_id}'`\"", prints: v, posix: true },
  { template: `x=\${Y:-{session_id}}; printf '%s\\n' "$x"`, prints: v, posix: true },
  { template: `printf '%s\\n' "\${Y:-{session_id}}"`, prints: v, posix: true },
  { template: "printf '%s\\n' $(( {session_id} ))", prints: null },
  { template: "cat <<EOF\n{session_id}\nEOF", prints: v, posix: true },
  { template: "cat <<EOF\nid: '{session_id}'\nEOF", prints: (x) => line(`id: '${x}'`), posix: true },
  { template: "cat <<'EOF'\n{session_id}\nEOF", prints: v, posix: true },
  { template: `eval "printf '%s\\n' {session_id}"`, prints: v, posix: true },
  { template: `x={session_id}; eval "printf '%s\\n' $x"`, prints: v, posix: true },
  { template: `bash -c "printf '%s\\n' {session_id}"`, prints: v },
  { template: `sh -c 'printf "%s\\n" {session_id}'`, prints: v, posix: true },
  { template: "printf '%s\\n' {session_id} | sh", prints: null },
  { template: "printf '%s\\n' {session_id} | xargs printf '%s\\n'", prints: v, posix: true },
  { template: "[[ {session_id} == x ]]; printf '%s\\n' {session_id}", prints: v },
  { template: "[[ {session_id} -eq 0 ]] 2>/dev/null; printf '%s\\n' {session_id}", prints: v },
  { template: "let n={session_id} 2>/dev/null; printf '%s\\n' {session_id}", prints: v },
  { template: `x={session_id}; : "$(( x ))" 2>/dev/null; printf '%s\\n' "$x"`, prints: v },
  { template: `read -r x <<< {session_id}; printf '%s\\n' "$x"`, prints: v },
  { template: "printf -v x '%s' {session_id}; printf '%s\\n' \"$x\"", prints: v },
  { template: `x={session_id}; printf '%s\\n' "\${!x}" >/dev/null 2>&1; printf '%s\\n' "$x"`, prints: v },
  { template: "printf '%s\\n' {a,{session_id}}", prints: (x) => line("a", x) },
  { template: "printf '%s\\n' ${session_id}", prints: null },
  { template: "{session_id} 2>/dev/null; printf '%s\\n' done", prints: null },
  { template: "env {session_id} 2>/dev/null; printf '%s\\n' done", prints: null },
  { template: "printf '%s\\n' \\{session_id}", prints: null },
  { template: `printf '%s\\n' "\\{session_id}"`, prints: null },
  { template: "# check {session_id}\nprintf '%s\\n' done", prints: () => line("done"), posix: true },
  { template: "printf '%s\\n' done # it's {session_id}", prints: () => line("done"), posix: true },
  { template: "printf '%s\\n' $'{session_id}'", prints: v },
  { template: "cat <(printf '%s\\n' {session_id})", prints: v },
  { template: `perl -e 'print "{session_id}\\n"'`, prints: v },
  { template: `awk 'BEGIN { print "{session_id}" }'`, prints: v },
  { template: `sed -n 's/.*/{session_id}/p' <<< x`, prints: v },
  // A value kept in a variable, then read as code further on.
  { template: `for x in {session_id}; do printf '%s\\n' "$x"; done`, prints: null },
  { template: `SID={session_id}; python3 -c "print('looking up $SID')"`, prints: (x) => line(`looking up ${x}`), posix: true },
  { template: `for s in {session_id}; do python3 -c "print('looking up $s')"; done`, prints: (x) => line(`looking up ${x}`), posix: true },
  { template: `SID={session_id}; awk "BEGIN { print \\"looking up $SID\\" }"`, prints: (x) => line(`looking up ${x}`), posix: true },
  { template: `for s in {session_id}; do perl -e "print 'looking up $s', qq(\\n)"; done`, prints: (x) => line(`looking up ${x}`), posix: true },
  { template: `SID=; SID+={session_id}; python3 -c "print('looking up $SID')"`, prints: (x) => line(`looking up ${x}`) },
  { template: `export SID={session_id}; python3 -c "print('looking up $SID')"`, prints: (x) => line(`looking up ${x}`), posix: true },
  { template: `set -- {session_id}; python3 -c "print('looking up $1')"`, prints: (x) => line(`looking up ${x}`), posix: true },
  // A value kept elsewhere (a file, $_) that an interpreter's code takes in when it runs.
  { template: `printf '%s\\n' {session_id} > sid; python3 -c "print('looking up $(cat sid)')"`, prints: (x) => line(`looking up ${x}`), posix: true },
  { template: `printf '%s\\n' {session_id}; python3 -c "print('$_')"`, prints: (x) => line(x, x) },
  // An interpreter run by a program the console does not know as a wrapper.
  { template: `prlimit --core=0 python3 -c "print('{session_id}')"`, prints: v, posix: true },
  // Copies whose remote side hands its paths to a shell: rsync before 3.2.4 (or --old-args), scp -O, sftp.
  { template: "rsync --old-args host:/srv/agent-logs/{session_id}.log .", prints: () => "", posix: true },
  { template: "scp -O host:/var/log/{session_id}.log .", prints: null },
  { template: "sudo scp host:/var/log/{session_id}.log .", prints: null },
  { template: "env rsync host:/var/log/{session_id}.log .", prints: null },
  { template: "sftp host:/var/log/{session_id}.log", prints: null },
];

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** rsync's remote shell, standing in for ssh and sshd: like sshd, it hands the command it is given to a shell. */
const remoteShell = path.join(mkdtempSync(path.join(tmpdir(), "soc-rsh-")), "rsh");
dirs.push(path.dirname(remoteShell));
writeFileSync(remoteShell, '#!/bin/sh\nwhile [ $# -gt 0 ]; do case "$1" in -l) shift 2;; -*) shift;; *) shift; break;; esac; done\nexec sh -c "$*"\n');
chmodSync(remoteShell, 0o755);

function run(shell: string, command: string): { stdout: string; marked: boolean } {
  const dir = mkdtempSync(path.join(tmpdir(), "soc-fill-"));
  dirs.push(dir);
  const result = spawnSync(shell, ["-c", command], {
    cwd: dir,
    env: { ...process.env, HOME: dir, Y: "", X: "", RSYNC_RSH: remoteShell },
    encoding: "utf8",
    timeout: 10_000,
  });
  return { stdout: result.stdout, marked: existsSync(path.join(dir, "MARK")) };
}

function fill(template: string, value: string): string | null {
  try {
    return fillPlaceholders(
      template,
      { agent_id: value, session_id: value, incident_id: "INC-7", incident_start: new Date("2026-11-24T12:00:00Z") },
      { shell: true },
    );
  } catch (err) {
    if (err instanceof AppError && err.code === "VALIDATION") return null;
    throw err;
  }
}

describe("a filled command pasted into a shell", () => {
  it.each(CASES)("$template", ({ template, prints, fills, posix }) => {
    const problems: string[] = [];
    for (const value of HOSTILE) {
      const command = fill(template, value);
      if (command === null) {
        if (fills && !refusedAnywhere(value)) problems.push(`${JSON.stringify(value)}: refused in a plain context`);
        continue;
      }
      if (refusedAnywhere(value)) problems.push(`${JSON.stringify(value)}: filled, though no shell reads it safely`);
      if (prints === null) {
        problems.push(`${JSON.stringify(value)}: filled as ${JSON.stringify(command)}, where no value is safe`);
        continue;
      }
      for (const shell of posix ? ["bash", "dash"] : ["bash"]) {
        const { stdout, marked } = run(shell, command);
        if (marked) problems.push(`${JSON.stringify(value)}: ${shell} ran the injected command in ${JSON.stringify(command)}`);
        else if (stdout !== prints(value)) problems.push(`${JSON.stringify(value)}: ${shell} printed ${JSON.stringify(stdout)} for ${JSON.stringify(command)}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
