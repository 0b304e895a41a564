import { readFileSync, writeFileSync } from "node:fs";

// Peak resident memory of this process over an interval, from the kernel's own high-water mark
// (VmHWM), so a short spike between two samples is not missed. Where the mark cannot be reset
// (not Linux), samples taken every 20 ms stand in for it. The samples also say what the memory
// was at its highest (JavaScript heap, buffers), which tells where a growth comes from.

export interface PeakMemory {
  /** Peak RSS in bytes since `start`. */
  stop(): number;
  /** How the peak was taken, for the notes. */
  method: string;
  /** The highest of each part of the memory seen in the samples, in bytes (after stop()). */
  parts(): MemoryParts;
}

export interface MemoryParts {
  /** V8's heap as reserved from the system (heapTotal), and as used by live and garbage objects. */
  heapTotal: number;
  heapUsed: number;
  /** Memory outside the heap held by JavaScript objects: Buffers and other ArrayBuffers. */
  external: number;
  arrayBuffers: number;
}

function statusKb(field: string): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync("/proc/self/status", "utf8"));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export function watchPeakMemory(): PeakMemory {
  let hwmReset = false;
  try {
    // "5" resets the peak RSS counter of this process (proc(5), clear_refs).
    writeFileSync("/proc/self/clear_refs", "5");
    hwmReset = statusKb("VmHWM") !== null;
  } catch {
    hwmReset = false;
  }
  let sampled = process.memoryUsage.rss();
  const parts: MemoryParts = { heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  const sample = () => {
    const usage = process.memoryUsage();
    sampled = Math.max(sampled, usage.rss);
    for (const key of Object.keys(parts) as Array<keyof MemoryParts>) parts[key] = Math.max(parts[key], usage[key]);
  };
  sample();
  const timer = setInterval(sample, 20);
  return {
    method: hwmReset ? "the kernel's peak RSS (VmHWM, reset before the action)" : "RSS sampled every 20 ms",
    stop() {
      clearInterval(timer);
      sample();
      const hwm = hwmReset ? statusKb("VmHWM") : null;
      return Math.max(sampled, hwm ?? 0);
    },
    parts: () => ({ ...parts }),
  };
}

/** Each part of the memory now, in bytes. */
export function memoryParts(): MemoryParts {
  const { heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
  return { heapTotal, heapUsed, external, arrayBuffers };
}

/** Current RSS after a full garbage collection, when the process was started with --expose-gc. */
export function settledRss(): number {
  globalThis.gc?.();
  return process.memoryUsage.rss();
}
