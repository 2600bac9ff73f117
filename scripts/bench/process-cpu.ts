import { readdirSync, readFileSync } from "node:fs";

/**
 * CPU time from Linux's /proc, for benches on a machine shared with other work: a rate measured
 * by the clock swings with what else runs, the CPU a request costs much less. Null where /proc
 * cannot be read (not Linux).
 */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  pid: number;
  ppid: number;
  /** user + system CPU seconds of the process, its threads and its waited-for children. */
  cpuSeconds: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name sits in parentheses and may hold spaces: the fields follow its last ")".
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    const ticks = (i: number) => Number(fields[i] ?? 0);
    // Fields from the state (3rd in proc(5)) on: ppid is the 4th, utime..cstime the 14th to 17th.
    return { pid, ppid: ticks(1), cpuSeconds: (ticks(11) + ticks(12) + ticks(13) + ticks(14)) / TICKS_PER_SECOND };
  } catch {
    return null;
  }
}

function allPids(): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** CPU seconds used so far by a process and every process below it. */
export function processTreeCpuSeconds(rootPid: number): number | null {
  if (!readStat(rootPid)) return null;
  const stats = allPids()
    .map(readStat)
    .filter((s): s is ProcStat => s !== null);
  const children = new Map<number, ProcStat[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  let total = 0;
  const queue = stats.filter((s) => s.pid === rootPid);
  for (let s = queue.pop(); s; s = queue.pop()) {
    total += s.cpuSeconds;
    queue.push(...(children.get(s.pid) ?? []));
  }
  return total;
}

/**
 * CPU seconds used so far by the PostgreSQL backends connected to one database of a server on this
 * machine (a backend's process title names its database). Backends that ended are not counted:
 * compare readings taken while the same connection pools stay open.
 */
export function postgresBackendsCpuSeconds(database: string): number | null {
  let total = 0;
  let found = false;
  for (const pid of allPids()) {
    let title: string;
    try {
      title = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    } catch {
      continue;
    }
    if (!title.startsWith("postgres: ") || !title.split(" ").includes(database)) continue;
    const stat = readStat(pid);
    if (!stat) continue;
    found = true;
    total += stat.cpuSeconds;
  }
  return found ? total : null;
}
