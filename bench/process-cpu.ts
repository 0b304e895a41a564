import { readdir, readFile } from "node:fs/promises";

// CPU time of processes, from Linux's /proc: on a shared machine, wall time also counts everyone
// else's work, while CPU time shows what each part of the benchmark cost. Times are in clock ticks
// of 10 ms (USER_HZ, 100 on every Linux the app supports).

const TICK_MS = 10;

export interface ProcessCpu {
  /** CPU time the process itself used. */
  ownMs: number;
  /** CPU time of its children that ended and were waited for (and of their own children). */
  childrenMs: number;
}

/** Null when the process is gone or this is not Linux. `thread`: one thread of it (its main thread has the process's id). */
export async function processCpu(pid: number | "self", thread?: number): Promise<ProcessCpu | null> {
  const stat = await readFile(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, "utf8").catch(() => null);
  if (stat === null) return null;
  // The command name, in parentheses, may hold spaces: fields are counted after its end.
  // From field 3 (state) on, utime, stime, cutime and cstime are fields 14 to 17.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const [utime = 0, stime = 0, cutime = 0, cstime = 0] = fields.slice(11, 15).map(Number);
  return { ownMs: (utime + stime) * TICK_MS, childrenMs: (cutime + cstime) * TICK_MS };
}

/** The children of `pid` (all its threads') whose command line contains `marker`. */
export async function childrenRunning(pid: number, marker: string): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const children = (
    await Promise.all(tasks.map((task) => readFile(`/proc/${pid}/task/${task}/children`, "utf8").catch(() => "")))
  )
    .flatMap((text) => text.trim().split(/\s+/))
    .filter((word) => word.length > 0)
    .map(Number);
  const matching = await Promise.all(
    children.map(async (child) => ((await readFile(`/proc/${child}/cmdline`, "utf8").catch(() => "")).includes(marker) ? child : null)),
  );
  return matching.filter((child): child is number => child !== null);
}

/** CPU time so far, by part of a benchmark: each part's processes (or threads), by id, in milliseconds. */
export type CpuCounters<K extends string> = Record<K, Map<number, number>>;

/**
 * Adds up what each part spends while it is measured, over any number of spans: `start()` reads
 * the counters, and the function it gives back reads them again and adds the difference. A
 * process first seen at a span's end counts from zero; one gone by then is left out.
 */
export function cpuMeter<K extends string>(parts: readonly K[], read: () => Promise<CpuCounters<K>>) {
  const totals = Object.fromEntries(parts.map((part) => [part, 0])) as Record<K, number>;
  return {
    totals,
    async start(): Promise<() => Promise<void>> {
      const before = await read();
      return async () => {
        const after = await read();
        for (const part of parts) for (const [id, ms] of after[part]) totals[part] += ms - (before[part].get(id) ?? 0);
      };
    },
  };
}

/** The processes' own CPU time. */
export function ownMs(readings: Map<number, ProcessCpu>): Map<number, number> {
  return new Map([...readings].map(([pid, cpu]) => [pid, cpu.ownMs]));
}

/** The CPU time of the processes' children that ended. */
export function childrenMs(readings: Map<number, ProcessCpu>): Map<number, number> {
  return new Map([...readings].map(([pid, cpu]) => [pid, cpu.childrenMs]));
}

/** Readings of several processes at once; the gone ones are left out. */
export async function readProcesses(pids: number[]): Promise<Map<number, ProcessCpu>> {
  const readings = await Promise.all(pids.map(async (pid) => [pid, await processCpu(pid)] as const));
  return new Map(readings.filter((entry): entry is readonly [number, ProcessCpu] => entry[1] !== null));
}

/** The processes whose command name is one of `names` (as /proc/<pid>/comm shows it). */
export async function processesNamed(names: string[]): Promise<number[]> {
  const pids = (await readdir("/proc").catch(() => [] as string[])).filter((entry) => /^\d+$/.test(entry));
  const named = await Promise.all(
    pids.map(async (pid) => (names.includes((await readFile(`/proc/${pid}/comm`, "utf8").catch(() => "")).trim()) ? Number(pid) : null)),
  );
  return named.filter((pid): pid is number => pid !== null);
}
