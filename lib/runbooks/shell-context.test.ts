import { describe, expect, it } from "vitest";
import { isPlaceholder } from "./fill-placeholders";
import { parseRunbook } from "./parse-runbook";
import { placeholderContexts } from "./shell-context";
import { SHIPPED_RUNBOOKS } from "./shipped";

/** Each placeholder's context, in order: where it is filled and how, or why not. */
function contexts(command: string) {
  return [...placeholderContexts(command, isPlaceholder).entries()]
    .sort(([a], [b]) => a - b)
    .map(([, c]) => (c.fill ? `${c.quoting}${c.mustQuote ? " quoted" : ""}` : c.reason));
}

/** The reasons a command's placeholders are refused for, each once, without the placeholders' names. */
const everywhere = (command: string) => [...new Set(contexts(command).map((r) => r.replace(/^\{[a-z_]+\} /, "")))];

describe("placeholderContexts", () => {
  it("fills plain words and the command's own '…' and \"…\" strings", () => {
    expect(contexts(`snap --session-id {session_id} --out=/x/{incident_id}/ 'in {agent_id}' "at {incident_start}"`)).toEqual([
      "none",
      "none",
      "single",
      "double",
    ]);
    expect(contexts(`echo "$(date)" \`date\` \${HOME:-/root} $(( 1 + 2 )) {session_id} > /x/{incident_id}`)).toEqual(["none", "none"]);
    expect(contexts("find /x -exec grep -l {session_id} {} \\; | sort")).toEqual(["none"]);
    expect(contexts("jq --arg sid {session_id} '.[] | select(.id == $sid)' f; awk -v sid={session_id} '$1 == sid' f")).toEqual(["none", "none"]);
  });

  it("quotes a value right after $NAME or ~, where a bare one would join the name", () => {
    expect(contexts(`echo "$X{session_id}" $1{session_id} ~{session_id}`)).toEqual(["double quoted", "none quoted", "none quoted"]);
  });

  it("refuses placeholders the shell would read again, each with why", () => {
    expect(contexts(`echo "$(echo {session_id})" "\`echo {session_id}\`" \${Y:-{session_id}} \${session_id} $'{session_id}'`)).toEqual([
      "{session_id} sits inside $( … ), where a shell reads the value again as code",
      "{session_id} sits inside ` … `, where a shell reads the value again as code",
      "{session_id} sits inside ${ … }, where a shell expands the value again",
      "{session_id} sits in ${…} syntax, which a shell reads as a variable of its own",
      "{session_id} sits inside $' … ', where backslashes in the value are escapes",
    ]);
    expect(contexts("cat <(grep {session_id} f) \\{agent_id} x{a,{incident_id}}")).toEqual([
      "{session_id} sits inside <( … ), a command of its own",
      "{agent_id} follows a backslash, which would escape the quoting around its value",
      "{incident_id} sits in a word with { or [, where a shell would expand the value as a pattern",
    ]);
  });

  it("refuses a placeholder that would name the program to run", () => {
    expect(contexts("{session_id} --help; sudo -u root {agent_id}; timeout 5 {incident_id}; find . -exec {incident_start} \\;")).toEqual([
      "{session_id} would be the program the shell runs",
      "{agent_id} may be the program sudo runs",
      "{incident_id} may be the program timeout runs",
      "{incident_start} may be the program -exec runs",
    ]);
    expect(contexts("$TOOL {session_id}")).toEqual(["{session_id} goes to a program chosen only when the command runs ($…), which may read it as code"]);
  });

  it("refuses placeholders in programs' own code", () => {
    expect(contexts(`python3 -c "print('{session_id}')"`)).toEqual(["{session_id} follows python's option for code to run"]);
    expect(contexts(`perl -ne 'print if /{session_id}/' log`)).toEqual(["{session_id} follows perl's option for code to run"]);
    expect(contexts(`awk '/{session_id}/' log`)).toEqual([
      "{session_id} goes to awk, which reads its arguments as a program (pass it with jq --arg or awk -v)",
    ]);
    expect(contexts(`redis-cli EVAL "return '{session_id}'" 0`)).toEqual(["{session_id} goes to a Redis script command, which runs Lua"]);
  });

  it("refuses every placeholder of a command that reads text again as code", () => {
    expect(everywhere(`echo {session_id}; eval "echo $x"`)).toEqual(["goes into a command that hands text to eval, which reads it as code"]);
    expect(everywhere("kubectl exec pod -- sh -c 'grep {session_id} log'")).toEqual(["goes into a command that hands text to sh, which reads it as code"]);
    expect(everywhere("echo {session_id} | ssh host grep {agent_id}")).toEqual(["goes into a command that hands text to ssh, which reads it as code"]);
    expect(everywhere(`psql -c "select 1 where '{session_id}' = 'x'"`)).toEqual(["goes into a command that hands text to psql, which reads it as code"]);
    expect(everywhere("echo {session_id}; echo $(( x + 1 ))")).toEqual([
      "goes into a command that evaluates arithmetic on names or expansions, which runs commands hidden in a value",
    ]);
    expect(everywhere("[[ {session_id} -eq 1 ]]")).toEqual(["goes into a command that runs [[, which reads text as code or as a variable name"]);
    expect(everywhere("read -r x <<< {session_id}")).toEqual([
      "goes into a command that runs read, which keeps text in a shell variable, where a later part of the command may read it again as code",
    ]);
    expect(everywhere("printf -v x %s {session_id}")).toEqual(["goes into a command that uses -v, which reads a value as a variable name"]);
    expect(everywhere('echo {session_id}; echo "${!x}"')).toEqual([
      "goes into a command that uses ${ … } substrings, subscripts or indirection, which evaluate a value as arithmetic",
    ]);
    expect(everywhere("echo {session_id} | python3")).toEqual(["goes into a command that runs python, which reads its program from its input"]);
  });

  it("refuses a placeholder whose value a variable would keep, where a later part could read it again as code", () => {
    const stored = (name: string) =>
      `{${name}} would be kept in a variable, which a later part of the command or a program may read again as code; write the placeholder where the value is used instead`;
    expect(contexts(`SID={session_id}; grep "$SID" log`)).toEqual([stored("session_id")]);
    expect(contexts("SID+={session_id}; PAGER={agent_id} git log; env -i SID={incident_id} printenv SID")).toEqual([
      stored("session_id"),
      stored("agent_id"),
      stored("incident_id"),
    ]);
    expect(contexts(`for s in a {session_id}; do echo "$s"; done; select s in {agent_id}; do break; done; set -- {incident_id}`)).toEqual([
      stored("session_id"),
      stored("agent_id"),
      stored("incident_id"),
    ]);
    // The variable's later readers are refused whole, with their own reason.
    const keeps = (name: string) =>
      `goes into a command that runs ${name}, which keeps text in a shell variable, where a later part of the command may read it again as code`;
    for (const name of ["export", "declare", "local", "readonly", "typeset"])
      expect(everywhere(`${name} SID={session_id}; echo {agent_id}`)).toEqual([keeps(name)]);
    expect(everywhere("grep {session_id} log | mapfile -t lines")).toEqual([keeps("mapfile")]);
    expect(everywhere("getopts ab opt {session_id}")).toEqual([keeps("getopts")]);
    expect(everywhere("a=({session_id}); echo {agent_id}")).toEqual(["comes after a `(` inside a word"]);
  });

  it("refuses a whole command whose interpreter code takes in $… when it runs, where a value kept in a file or in $_ could arrive", () => {
    const builds = (name: string) =>
      `goes into a command that builds ${name}'s code from $… or \`…\` when it runs, which may bring in a value filled elsewhere in the command`;
    expect(everywhere(`grep {session_id} log > hits; python3 -c "print('$(cat hits)')"`)).toEqual([builds("python")]);
    expect(everywhere(`echo {session_id}; awk "/$_/" log`)).toEqual([builds("awk")]);
    expect(everywhere('echo {session_id}; perl -ne "print if /`cat f`/" log')).toEqual([builds("perl")]);
    expect(everywhere(`echo {session_id}; redis-cli EVAL "return '$_'" 0`)).toEqual([builds("redis-cli")]);
    // Constant code, and data the shell expands for a program that reads no code, stay fillable.
    expect(contexts(`grep {session_id} "$HOME/log" | python3 -c 'import sys; print(sys.stdin.read())'`)).toEqual(["none"]);
  });

  it("refuses remote copies, whose remote side may read a path again as shell code, however they are run", () => {
    const copies = (name: string) => `goes into a command that copies with ${name}, whose remote side may read a path again as shell code`;
    expect(everywhere("scp -O host:/var/log/{session_id}.log .")).toEqual([copies("scp")]);
    expect(everywhere("sudo scp host:/var/log/{session_id}.log /tmp/{agent_id}.log")).toEqual([copies("scp")]);
    expect(everywhere("env rsync -a host:/srv/{session_id}/ .")).toEqual([copies("rsync")]);
    expect(everywhere("echo get /var/log/{session_id}.log | /usr/bin/sftp -b - host")).toEqual([copies("sftp")]);
  });

  it("refuses the other ways a command hands a value to code", () => {
    const cases: [string, string][] = [
      ["alias l='grep {session_id}'", "goes into a command that runs alias, which reads text as code or as a variable name"],
      [`trap "echo {session_id}" EXIT`, "goes into a command that runs trap, which reads text as code or as a variable name"],
      [
        "PROMPT_COMMAND='echo {session_id}'",
        "would be kept in a variable, which a later part of the command or a program may read again as code; write the placeholder where the value is used instead",
      ],
      ["grep -l {session_id} * | xargs -I{} cp {} /tmp", "goes into a command that runs xargs, which reads text as code or as a variable name"],
      ["find /var/log -name '*.log' -exec sh -c 'grep {session_id} \"$1\"' _ {} \\;", "goes into a command that hands text to sh, which reads it as code"],
      ["parallel grep {session_id} ::: *.log", "goes into a command that runs parallel, which reads text as code or as a variable name"],
      [`env -S "grep {session_id}" log`, "may be the program env runs"],
      ["ssh host grep {session_id} /var/log/agent.log", "goes into a command that hands text to ssh, which reads it as code"],
      ["docker exec agent sh -c 'grep {session_id} log'", "goes into a command that hands text to sh, which reads it as code"],
      ["kubectl exec pod -- bash -c 'grep {session_id} log'", "goes into a command that hands text to bash, which reads it as code"],
      ["su -c 'grep {session_id} log' agent", "goes into a command that hands text to su, which reads it as code"],
      ["sudo -s grep x /var/log/{session_id}.log", "goes into a command that runs sudo -s, which hands the command to a shell"],
      ["sudo -i -u root grep x /var/log/{session_id}.log", "goes into a command that runs sudo -i, which hands the command to a shell"],
      ["make -C /opt/ir collect SESSION={session_id}", "goes into a command that hands text to make, which reads it as code"],
      ["ansible agents -m shell -a 'grep {session_id} log'", "goes into a command that hands text to ansible, which reads it as code"],
      // An interpreter started by another program still reads its code options, its program and Lua.
      [`docker exec agent python3 -c "print('{session_id}')"`, "follows python's option for code to run"],
      ["kubectl exec pod -- awk '/{session_id}/' log", "goes to awk, which reads its arguments as a program (pass it with jq --arg or awk -v)"],
      [`docker exec redis redis-cli EVAL "return '{session_id}'" 0`, "goes to a Redis script command, which runs Lua"],
    ];
    for (const [command, reason] of cases) expect({ command, reasons: everywhere(command) }).toEqual({ command, reasons: [reason] });
    // Arguments a wrapper passes on as they are stay fillable.
    expect(contexts("kubectl exec pod -- grep {session_id} /var/log/agent.log; docker exec agent cat /srv/{agent_id}.json")).toEqual(["none", "none"]);
  });

  it("refuses from where the scan cannot follow a shell: here-documents, comments, case, unclosed quotes", () => {
    expect(contexts("echo {agent_id}\ncat <<EOF\n{session_id}\nEOF")).toEqual([
      "none",
      "{session_id} comes after a here-document (<<), whose text a shell expands",
    ]);
    expect(contexts("echo {agent_id} # it's\necho {session_id}")).toEqual(["none", "{session_id} comes after a # comment, which zsh reads as words"]);
    expect(contexts("echo {agent_id}; case x in x) echo {session_id};; esac")).toEqual([
      "none",
      "{session_id} comes after `case`, whose patterns the console does not read",
    ]);
    expect(contexts(`echo "{agent_id}`)).toEqual([`{agent_id} comes after a " that is never closed`]);
    expect(contexts(`echo "\${x:-'}'}" {session_id}`)).toEqual([`{session_id} comes after a ' inside "\${ … }", which shells read differently`]);
  });

  it("fills every placeholder of the shipped runbooks' commands", () => {
    const commands = Object.values(SHIPPED_RUNBOOKS).flatMap((yaml) => parseRunbook(yaml).phases.flatMap((p) => p.steps.map((s) => s.command ?? s.tool ?? "")));
    expect(commands.filter((c) => c.includes("{"))).not.toHaveLength(0);
    for (const command of commands) expect(contexts(command).every((c) => c === "none" || c === "single" || c === "double")).toBe(true);
  });
});
