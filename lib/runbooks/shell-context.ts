/**
 * Where each placeholder of a runbook command sits, as a shell reads the command once a responder
 * pastes it. An agent chooses its session id (and, compromised, whatever else it sends), so a value
 * is filled only where quoting provably keeps it one literal piece of one argument: a plain word or a
 * plain '…' or "…" string of the command itself. Inside $( … ), ` … `, ${ … } or a here-document,
 * after a comment, as the program to run, and anywhere in a command that reads text again as code
 * (eval, sh -c, ssh, scp, arithmetic, awk, psql…) a placeholder is refused with the reason. A value is
 * never kept in a variable (NAME=…, for, set --, read…), and a command whose interpreter code is built
 * from $… when it runs is refused whole, so no value kept elsewhere (a file, $_) can become code.
 * Whatever the scanner does not understand, it refuses from there on.
 */

export type Quoting = "none" | "single" | "double";

export type PlaceholderContext =
  | { fill: true; quoting: Quoting /** Right after `$NAME`: a bare value would become part of the name. */; mustQuote: boolean }
  | { fill: false; reason: string };

const PLACEHOLDER_AT = /\{([A-Za-z_][A-Za-z0-9_]*)\}/y;

// Programs that read text as shell code or SQL (or hand it to a shell elsewhere), wherever they appear;
// make hands its variables and targets to the shells of its recipes.
const CODE_READERS = new Set([
  "eval",
  "sh",
  "bash",
  "zsh",
  "dash",
  "ksh",
  "mksh",
  "pdksh",
  "ash",
  "yash",
  "fish",
  "csh",
  "tcsh",
  "busybox",
  "ssh",
  "rsh",
  "su",
  "sg",
  "runuser",
  "pdsh",
  "pssh",
  "parallel-ssh",
  "clush",
  "ansible",
  "ansible-playbook",
  "make",
  "gmake",
  "psql",
  "mysql",
  "mariadb",
  "sqlite3",
  "duckdb",
  "mongo",
  "mongosh",
  "cqlsh",
  "clickhouse-client",
]);
// Copies whose remote side may hand its paths to a shell (scp -O and OpenSSH before 9.0, rsync before 3.2.4, sftp's globbing).
const REMOTE_COPIES = new Set(["scp", "sftp", "rsync", "rcp"]);
// Commands that, when run, read their arguments as code or as variable names (which bash evaluates as arithmetic).
const CODE_COMMANDS = new Set([
  "source",
  ".",
  "xargs",
  "parallel",
  "watch",
  "tmux",
  "screen",
  "script",
  "expect",
  "at",
  "batch",
  "trap",
  "alias",
  "let",
  "unset",
  "compgen",
  "complete",
  "enable",
  "fc",
  "bind",
  "coproc",
  "[[",
]);
// Commands that keep text in shell variables, from their arguments or their input.
const VARIABLE_COMMANDS = new Set(["declare", "typeset", "local", "readonly", "export", "read", "mapfile", "readarray", "getopts"]);
// Commands whose arguments become shell variables ($x, $1).
const STORES_ARGUMENTS = new Set(["for", "select", "set"]);
const STORED =
  "would be kept in a variable, which a later part of the command or a program may read again as code; write the placeholder where the value is used instead";
// Programs whose first arguments are a program of their own.
const SCRIPT_READERS = new Set(["awk", "gawk", "mawk", "nawk", "sed", "gsed", "jq", "gojq", "yq"]);
// The options after which a program's next argument (or the rest of the option) is code it runs.
// Maps, not objects: a word such as `constructor` must not find Object's own properties.
const CODE_OPTIONS = new Map<string, RegExp>(
  Object.entries({
    python: /^-[A-Za-z]*c/,
    perl: /^-[A-Za-z]*[eE]/,
    ruby: /^-[A-Za-z]*e/,
    node: /^(-[A-Za-z]*[ep]|--eval|--print)/,
    bun: /^(-[A-Za-z]*e|--eval|--print)/,
    deno: /^(eval$|-[A-Za-z]*e)/,
    php: /^-[A-Za-z]*[rR]/,
    lua: /^-[A-Za-z]*e/,
    Rscript: /^-[A-Za-z]*e/,
    osascript: /^-[A-Za-z]*e/,
    pwsh: /^-(c|command|encodedcommand|ec)\b/i,
    powershell: /^-(c|command|encodedcommand|ec)\b/i,
    git: /^(-c|--config-env)/,
    flock: /^(-[A-Za-z]*c|--command)/,
    env: /^(-[A-Za-z]*S|--split-string)/,
    tar: /^(-[A-Za-z]*I|--use-compress-program|--to-command|--checkpoint-action|--info-script|--new-volume-script)/,
  }),
);
// Interpreters that, given no script, read their program from their input (a pipe, a here-string).
const INPUT_READERS = new Set(["python", "perl", "ruby", "node", "php", "lua", "tclsh", "osascript", "pwsh", "powershell", "dc", "ed", "ex"]);
// Commands that run the program named by their next word that is not an option, after this many arguments of their own.
const RUNNERS = new Map<string, number>(
  Object.entries({
    sudo: 0,
    doas: 0,
    env: 0,
    exec: 0,
    command: 0,
    builtin: 0,
    nohup: 0,
    nice: 0,
    ionice: 0,
    time: 0,
    setsid: 0,
    stdbuf: 0,
    strace: 0,
    ltrace: 0,
    unbuffer: 0,
    caffeinate: 0,
    pkexec: 0,
    chpst: 0,
    timeout: 1,
    chroot: 1,
    taskset: 1,
    chrt: 1,
    flock: 1,
  }),
);
// find's actions that run the program named next.
const FIND_ACTIONS = new Set(["-exec", "-execdir", "-ok", "-okdir"]);
const REDIS_SCRIPT = /^(eval|eval_ro|evalsha|evalsha_ro|fcall|fcall_ro|function|script)$/i;
const PATTERN = "sits in a word with { or [, where a shell would expand the value as a pattern";
// Reserved words after which a command's program still follows.
const KEEP_PROGRAM_POSITION = new Set(["if", "then", "else", "elif", "do", "while", "until", "!", "{", "time"]);

/** A program's name for the lists above: `/usr/bin/python3.12` is `python`. */
function programName(word: string): string {
  const base = word.slice(word.lastIndexOf("/") + 1);
  const versioned = /^(python|pypy|perl|ruby|node|php|lua|luajit)[0-9.]*$/.exec(base)?.[1];
  if (versioned === "pypy") return "python";
  if (versioned === "luajit") return "lua";
  return versioned ?? base;
}

interface Candidate {
  index: number;
  quoting: Quoting;
  mustQuote: boolean;
}

interface Word {
  start: number;
  raw: string;
  /** The word after quote removal, or null when an expansion or a placeholder makes it unknown. */
  literal: string | null;
  candidates: Candidate[];
  /** An unquoted `{` or `[`: a value in this word would take part in brace expansion or a pattern. */
  pattern: boolean;
  /** Where the last bare `$NAME`, `$1` or `$@` in it ends. */
  expansionEnd: number;
  /** Holds an expansion ($…, ` … `, <( … )) whose text is known only when the command runs. */
  expands: boolean;
}

interface SimpleCommand {
  words: Word[];
  /** Redirection targets: files the shell opens, and here-strings. */
  targets: Word[];
}

function expands(word: Word): void {
  word.literal = null;
  word.expands = true;
}

/** The scan cannot go on: `obstacle` is what it met at `at`. */
class Stop {
  constructor(
    readonly at: number,
    readonly obstacle: string,
  ) {}
}

class Scanner {
  readonly contexts = new Map<number, PlaceholderContext>();
  commandProblem: string | null = null;

  constructor(
    private readonly src: string,
    private readonly isPlaceholder: (name: string) => boolean,
  ) {}

  run(): void {
    try {
      this.list(0, this.src.length, false, null);
    } catch (err) {
      if (!(err instanceof Stop)) throw err;
      for (let i = 0; i < this.src.length; i++) {
        const length = this.placeholderAt(i)?.length;
        if (!length) continue;
        if (i >= err.at) this.contexts.delete(i);
        this.refuse(i, i >= err.at ? `comes after ${err.obstacle}` : `is in a command with ${err.obstacle}`);
        i += length - 1;
      }
    }
  }

  private placeholderAt(i: number): { name: string; length: number } | null {
    PLACEHOLDER_AT.lastIndex = i;
    const match = PLACEHOLDER_AT.exec(this.src);
    const name = match?.[1];
    return match && name && this.isPlaceholder(name) ? { name, length: match[0].length } : null;
  }

  /** The first reason found for a placeholder stands; `clause` follows its name. */
  private refuse(index: number, clause: string): void {
    const p = this.placeholderAt(index);
    if (p && !this.contexts.has(index)) this.contexts.set(index, { fill: false, reason: `{${p.name}} ${clause}` });
  }

  private refuseCommand(problem: string): void {
    this.commandProblem ??= problem;
  }

  /** A placeholder where the scan stands: refused inside a nested construct, else a candidate of its word. */
  private placeholder(i: number, word: Word, quoting: Quoting, nested: string | null): number {
    const p = this.placeholderAt(i);
    if (!p) return i;
    if (nested) this.refuse(i, nested);
    else word.candidates.push({ index: i, quoting, mustQuote: word.expansionEnd === i || (quoting === "none" && this.src.charAt(i - 1) === "~") });
    word.literal = null;
    return i + p.length;
  }

  /**
   * Commands from `pos` up to `limit`, or (`closes`) up to the `)` that ends them, whose position
   * is returned. `nested` says why placeholders in them are refused (null at the top).
   */
  private list(pos: number, limit: number, closes: boolean, nested: string | null): number {
    const src = this.src;
    let command: SimpleCommand = { words: [], targets: [] };
    let word: Word | null = null;
    let redirect = false;
    let depth = 0;
    const newWord = (at: number): Word => ({ start: at, raw: "", literal: "", candidates: [], pattern: false, expansionEnd: -1, expands: false });
    const endWord = (at: number) => {
      if (!word) return;
      word.raw = src.slice(word.start, at);
      // `case` patterns end in an unmatched `)`, which the scan reads as the end of $( … ).
      if (word.raw === "case") throw new Stop(word.start, "`case`, whose patterns the console does not read");
      (redirect ? command.targets : command.words).push(word);
      redirect = false;
      word = null;
    };
    const endCommand = (at: number) => {
      endWord(at);
      if (redirect) throw new Stop(at, "a redirection without a target");
      this.command(command);
      command = { words: [], targets: [] };
    };

    while (pos < limit) {
      const c = src.charAt(pos);
      if (c === ")" && depth === 0 && closes) {
        endCommand(pos);
        return pos + 1;
      }
      if (c === " " || c === "\t") {
        endWord(pos);
        pos++;
      } else if (c === "\n") {
        endCommand(pos);
        pos++;
      } else if (c === "#" && !word) {
        endCommand(pos);
        throw new Stop(pos, "a # comment, which zsh reads as words");
      } else if (c === ";" || c === "|" || (c === "&" && src.charAt(pos + 1) !== ">")) {
        endCommand(pos);
        pos++;
        while (/[;&|]/.test(src.charAt(pos))) pos++;
      } else if (c === "(") {
        if (word) throw new Stop(pos, "a `(` inside a word");
        if (src.charAt(pos + 1) === "(") {
          this.refuseCommand("evaluates arithmetic (( … )), which runs commands hidden in a value");
          throw new Stop(pos, "(( … ))");
        }
        endCommand(pos);
        depth++;
        pos++;
      } else if (c === ")") {
        if (depth === 0) throw new Stop(pos, "a `)` that closes nothing");
        endCommand(pos);
        depth--;
        pos++;
      } else if ((c === "<" || c === ">") && src.charAt(pos + 1) === "(") {
        word ??= newWord(pos);
        expands(word);
        pos = this.list(pos + 2, limit, true, nested ?? `sits inside ${c}( … ), a command of its own`);
      } else if (c === "<" || c === ">" || c === "&") {
        const before = word ? src.slice(word.start, pos) : "";
        if (/^[0-9]+$/.test(before)) word = null;
        else if (word && /^\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(before)) {
          for (const candidate of word.candidates) this.refuse(candidate.index, "names a variable for a file descriptor ({name}>)");
        }
        endWord(pos);
        if (src.startsWith("<<<", pos)) pos += 3;
        else if (src.startsWith("<<", pos)) throw new Stop(pos, "a here-document (<<), whose text a shell expands");
        else pos += /^(&>>|&>|>>|>\||>&|<&|<>|>|<)/.exec(src.slice(pos))?.[0].length ?? 1;
        redirect = true;
      } else if (c === "\\" && src.charAt(pos + 1) === "\n") {
        pos += 2;
      } else {
        word ??= newWord(pos);
        pos = this.wordPart(pos, limit, word, nested);
      }
    }
    if (closes) throw new Stop(pos, "a `$(` that is never closed");
    endCommand(pos);
    if (depth > 0) throw new Stop(pos, "a `(` that is never closed");
    return pos;
  }

  /** One piece of an unquoted word at `pos`: a quoted string, an expansion, a placeholder or a character. */
  private wordPart(pos: number, limit: number, word: Word, nested: string | null): number {
    const src = this.src;
    const c = src.charAt(pos);
    if (c === "'") return this.single(pos, word, nested);
    if (c === '"') return this.double(pos, word, nested);
    if (c === "$") return this.dollar(pos, limit, word, nested, false);
    if (c === "`") return this.backtick(pos, limit, word, nested);
    if (c === "{" && this.placeholderAt(pos)) return this.placeholder(pos, word, "none", nested);
    if (c === "\\") {
      if (pos + 1 >= limit) throw new Stop(pos, "a backslash that escapes nothing");
      this.afterBackslash(pos + 1);
      if (word.literal !== null) word.literal += src.charAt(pos + 1);
      return pos + 2;
    }
    if (c === "{" || c === "[") word.pattern = true;
    if (word.literal !== null) word.literal += c;
    return pos + 1;
  }

  private afterBackslash(index: number): void {
    this.refuse(index, "follows a backslash, which would escape the quoting around its value");
  }

  private single(pos: number, word: Word, nested: string | null): number {
    const end = this.src.indexOf("'", pos + 1);
    if (end < 0) throw new Stop(pos, "a ' that is never closed");
    for (let i = pos + 1; i < end; ) {
      const next = this.placeholder(i, word, "single", nested);
      if (next > i) i = next;
      else {
        if (word.literal !== null) word.literal += this.src.charAt(i);
        i++;
      }
    }
    return end + 1;
  }

  private double(pos: number, word: Word, nested: string | null): number {
    const src = this.src;
    let i = pos + 1;
    while (i < src.length) {
      const c = src.charAt(i);
      if (c === '"') return i + 1;
      if (c === "\\") {
        const next = src.charAt(i + 1);
        this.afterBackslash(i + 1);
        if (word.literal !== null) word.literal += /[$`"\\\n]/.test(next) ? next : c + next;
        i += 2;
      } else if (c === "$") {
        i = this.dollar(i, src.length, word, nested, true);
      } else if (c === "`") {
        i = this.backtick(i, src.length, word, nested);
      } else if (c === "{" && this.placeholderAt(i)) {
        i = this.placeholder(i, word, "double", nested);
      } else {
        if (word.literal !== null) word.literal += c;
        i++;
      }
    }
    throw new Stop(pos, 'a " that is never closed');
  }

  private dollar(pos: number, limit: number, word: Word, nested: string | null, inDouble: boolean): number {
    const src = this.src;
    const next = src.charAt(pos + 1);
    if (next === "(" && src.charAt(pos + 2) === "(") return this.arithmetic(pos, pos + 3, word, nested);
    if (next === "[") return this.arithmetic(pos, pos + 2, word, nested);
    if (next === "(") {
      expands(word);
      return this.list(pos + 2, limit, true, nested ?? "sits inside $( … ), where a shell reads the value again as code");
    }
    if (next === "{") return this.parameter(pos, word, nested, inDouble);
    if (next === "'" && !inDouble) {
      word.literal = null;
      for (let i = pos + 2; i < src.length; i++) {
        const c = src.charAt(i);
        if (c === "\\") i++;
        else if (c === "'") return i + 1;
        else this.refuse(i, nested ?? "sits inside $' … ', where backslashes in the value are escapes");
      }
      throw new Stop(pos, "a $' that is never closed");
    }
    if (next === '"' && !inDouble) {
      word.literal = null;
      return this.double(pos + 1, word, nested ?? 'sits inside $" … ", a string a shell translates');
    }
    const name = /^([A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])/.exec(src.slice(pos + 1, limit));
    if (name) {
      expands(word);
      word.expansionEnd = pos + 1 + name[0].length;
      return word.expansionEnd;
    }
    if (word.literal !== null) word.literal += "$";
    return pos + 1;
  }

  /** `$(( … ))` or `$[ … ]`: harmless with numbers only; with a name, bash evaluates the name's value as arithmetic too. */
  private arithmetic(pos: number, from: number, word: Word, nested: string | null): number {
    const src = this.src;
    const close = src.charAt(pos + 1) === "[" ? "]" : "))";
    expands(word);
    let depth = 0;
    for (let i = from; i < src.length; i++) {
      const c = src.charAt(i);
      if (depth === 0 && src.startsWith(close, i)) {
        if (/[^0-9\s+\-*/%<>=!&|^~?:,()]/.test(src.slice(from, i))) {
          this.refuseCommand("evaluates arithmetic on names or expansions, which runs commands hidden in a value");
        }
        return i + close.length;
      }
      if (c === "(") depth++;
      else if (c === ")") depth--;
      this.refuse(i, nested ?? "sits inside arithmetic");
    }
    throw new Stop(pos, "arithmetic that is never closed");
  }

  /** `${ … }`: the plain forms only; substrings, subscripts and indirection evaluate a value as arithmetic. */
  private parameter(pos: number, word: Word, nested: string | null, inDouble: boolean): number {
    const src = this.src;
    expands(word);
    this.refuse(pos + 1, "sits in ${…} syntax, which a shell reads as a variable of its own");
    const reason = nested ?? "sits inside ${ … }, where a shell expands the value again";
    const [, , name, after, second] = /^\$\{(#?)([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])?(.)?(.)?/.exec(src.slice(pos)) ?? [];
    if (!name || src.charAt(pos + 2) === "!" || after === "[" || (after === ":" && !/[-=+?]/.test(second ?? ""))) {
      this.refuseCommand("uses ${ … } substrings, subscripts or indirection, which evaluate a value as arithmetic");
    }
    let depth = 1;
    let i = pos + 2;
    while (i < src.length) {
      const c = src.charAt(i);
      const p = this.placeholderAt(i);
      if (p) {
        this.refuse(i, reason);
        i += p.length;
      } else if (c === "}") {
        if (--depth === 0) return i + 1;
        i++;
      } else if (c === "{") {
        depth++;
        i++;
      } else if (c === "\\") {
        i += 2;
      } else if (c === "'") {
        // Inside "…", bash reads these quotes and dash does not: no reading is sure.
        if (inDouble) throw new Stop(i, 'a \' inside "${ … }", which shells read differently');
        const end = src.indexOf("'", i + 1);
        if (end < 0) throw new Stop(pos, "a ${ that is never closed");
        for (let j = i + 1; j < end; j++) this.refuse(j, reason);
        i = end + 1;
      } else if (c === '"') {
        i = this.double(i, word, reason);
      } else if (c === "$") {
        i = this.dollar(i, src.length, word, reason, inDouble);
      } else if (c === "`") {
        i = this.backtick(i, src.length, word, reason);
      } else {
        i++;
      }
    }
    throw new Stop(pos, "a ${ that is never closed");
  }

  /** `` ` … ` ``: ends at the next backquote; backslashes inside follow rules of their own, so they stop the scan. */
  private backtick(pos: number, limit: number, word: Word, nested: string | null): number {
    const end = this.src.indexOf("`", pos + 1);
    if (end < 0 || end >= limit) throw new Stop(pos, "a ` that is never closed");
    if (this.src.slice(pos + 1, end).includes("\\")) throw new Stop(pos, "a ` … ` with backslashes inside");
    expands(word);
    const after = this.list(pos + 1, end, false, nested ?? "sits inside ` … `, where a shell reads the value again as code");
    if (after !== end) throw new Stop(pos, "a ` … ` whose quotes reach past its end");
    return end + 1;
  }

  /**
   * What a finished simple command means for its placeholders, and for the whole command. In a
   * nested command ($( … ) and the like) every placeholder is refused already; what is left to find
   * there is a reason to refuse the whole command.
   */
  private command(command: SimpleCommand): void {
    const programs: string[] = [];
    let expecting = true;
    let runner: string | null = null;
    let afterOption = false;
    let ownArguments = 0;
    let unknownProgram = false;
    let scriptArguments = 0;
    let storesArguments = false;
    const program = (w: Word) => {
      if (w.literal === null) {
        unknownProgram = true;
        expecting = false;
        return;
      }
      const name = programName(w.literal);
      programs.push(name);
      if (CODE_COMMANDS.has(name)) this.refuseCommand(`runs ${name}, which reads text as code or as a variable name`);
      if (VARIABLE_COMMANDS.has(name))
        this.refuseCommand(`runs ${name}, which keeps text in a shell variable, where a later part of the command may read it again as code`);
      storesArguments = STORES_ARGUMENTS.has(name);
      runner = RUNNERS.has(name) ? name : null;
      ownArguments = RUNNERS.get(name) ?? 0;
      afterOption = false;
      expecting = runner !== null;
      scriptArguments = 0;
    };
    const refuseWord = (w: Word, clause: string) => {
      for (const c of w.candidates) this.refuse(c.index, clause);
    };

    for (const w of command.words) {
      const literal = w.literal;
      const name = literal === null ? null : programName(literal);
      if (name !== null && CODE_READERS.has(name)) this.refuseCommand(`hands text to ${name}, which reads it as code`);
      if (name !== null && REMOTE_COPIES.has(name)) this.refuseCommand(`copies with ${name}, whose remote side may read a path again as shell code`);
      if (!expecting) {
        if (!(literal ?? w.raw).startsWith("-")) scriptArguments++;
        if (storesArguments) refuseWord(w, STORED);
        if (literal !== null && FIND_ACTIONS.has(literal)) {
          runner = literal;
          ownArguments = 0;
          afterOption = false;
          expecting = true;
        }
        if (literal === "-v" && programs.some((p) => p === "printf" || p === "test" || p === "[")) {
          this.refuseCommand("uses -v, which reads a value as a variable name");
        }
        continue;
      }
      if (runner === null) {
        const assignment = /^[A-Za-z_][A-Za-z0-9_]*(\[|\+?=)/.exec(w.raw);
        if (assignment?.[1] === "[") this.refuseCommand("assigns to an array element, whose subscript is arithmetic");
        if (assignment) refuseWord(w, STORED);
        if (assignment || (literal !== null && KEEP_PROGRAM_POSITION.has(literal))) continue;
        refuseWord(w, "would be the program the shell runs");
        program(w);
        continue;
      }
      if (runner === "env" && /^[A-Za-z_][A-Za-z0-9_]*=/.test(w.raw)) {
        refuseWord(w, STORED);
        continue;
      }
      refuseWord(w, `may be the program ${runner} runs`);
      if (runner === "sudo" && literal !== null && /^(-[A-Za-z]*[is]|--shell|--login)/.test(literal)) {
        this.refuseCommand(`runs sudo ${literal}, which hands the command to a shell`);
      }
      if (literal?.startsWith("-") && literal !== "-") {
        afterOption = literal !== "--" && !literal.includes("=");
      } else if (afterOption) {
        // The option's value, or already the program: checked as a program either way.
        afterOption = false;
        if (literal !== null) programs.push(programName(literal));
      } else if (ownArguments > 0) {
        ownArguments--;
      } else {
        program(w);
      }
    }
    const inputReader = programs.find((p) => INPUT_READERS.has(p));
    if (!expecting && scriptArguments === 0 && inputReader) this.refuseCommand(`runs ${inputReader}, which reads its program from its input`);

    // An interpreter named anywhere counts from there on: `docker exec c python3 -c …` runs python too.
    const named: string[] = [];
    const codeOptionOf = new Set<string>();
    const redisScript =
      command.words.some((w) => w.literal !== null && programName(w.literal) === "redis-cli") && command.words.some((w) => REDIS_SCRIPT.test(w.literal ?? ""));
    let inRedisScript = false;
    for (const [position, w] of command.words.entries()) {
      for (const p of named) if (CODE_OPTIONS.get(p)?.test(w.raw)) codeOptionOf.add(p);
      const scriptReader = named.find((p) => SCRIPT_READERS.has(p));
      const codeOf =
        [...codeOptionOf][0] ?? (scriptReader && !isScriptData(command.words, position) ? scriptReader : null) ?? (inRedisScript ? "redis-cli" : null);
      if (codeOf && w.expands) {
        this.refuseCommand(`builds ${codeOf}'s code from $… or \`…\` when it runs, which may bring in a value filled elsewhere in the command`);
      }
      for (const c of w.candidates)
        this.settle(c, this.candidateProblem(w, position, command.words, { scriptReader, codeOptionOf: [...codeOptionOf][0], unknownProgram, redisScript }));
      if (redisScript && REDIS_SCRIPT.test(w.literal ?? "")) inRedisScript = true;
      if (w.literal !== null) named.push(programName(w.literal));
    }
    for (const w of command.targets) for (const c of w.candidates) this.settle(c, w.pattern ? PATTERN : null);
  }

  /** A candidate's context: refused with `problem`, or filled as it is quoted, unless already refused. */
  private settle(c: Candidate, problem: string | null): void {
    if (problem) this.refuse(c.index, problem);
    else if (!this.contexts.has(c.index)) this.contexts.set(c.index, { fill: true, quoting: c.quoting, mustQuote: c.mustQuote });
  }

  /** Why a placeholder that passed the scan still may not be filled: `position` is its word's place, `before` what the words before it say. */
  private candidateProblem(
    w: Word,
    position: number,
    words: Word[],
    before: { scriptReader: string | undefined; codeOptionOf: string | undefined; unknownProgram: boolean; redisScript: boolean },
  ): string | null {
    if (w.pattern) return PATTERN;
    if (before.unknownProgram) return "goes to a program chosen only when the command runs ($…), which may read it as code";
    if (before.scriptReader && !isScriptData(words, position))
      return `goes to ${before.scriptReader}, which reads its arguments as a program (pass it with jq --arg or awk -v)`;
    if (before.codeOptionOf) return `follows ${before.codeOptionOf}'s option for code to run`;
    if (before.redisScript) return "goes to a Redis script command, which runs Lua";
    return null;
  }
}

/** The data channels of the script readers: `jq --arg name VALUE` (or --argjson) and `awk -v name=VALUE`. */
function isScriptData(words: Word[], position: number): boolean {
  const raw = words[position]?.raw ?? "";
  const before = words[position - 1]?.literal;
  const twoBefore = words[position - 2]?.literal;
  if ((twoBefore === "--arg" || twoBefore === "--argjson") && before !== undefined && before !== null && /^[A-Za-z_][A-Za-z0-9_]*$/.test(before)) return true;
  return (before === "-v" && /^[A-Za-z_][A-Za-z0-9_]*=/.test(raw)) || /^-v[A-Za-z_][A-Za-z0-9_]*=/.test(raw);
}

/**
 * Where each placeholder in `command` may be filled, keyed by the offset of its `{`: a context in
 * which any value, quoted for it, stays literal, or why no value is safe there.
 */
export function placeholderContexts(command: string, isPlaceholder: (name: string) => boolean): Map<number, PlaceholderContext> {
  const scanner = new Scanner(command, isPlaceholder);
  scanner.run();
  const problem = scanner.commandProblem;
  if (!problem) return scanner.contexts;
  // A placeholder refused for a reason of its own keeps it: that is the first thing to change.
  return new Map(
    [...scanner.contexts].map(([index, context]) => {
      PLACEHOLDER_AT.lastIndex = index;
      return [index, context.fill ? { fill: false, reason: `${PLACEHOLDER_AT.exec(command)?.[0]} goes into a command that ${problem}` } : context];
    }),
  );
}
