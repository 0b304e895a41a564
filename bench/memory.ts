import { readFileSync, writeFileSync } from "node:fs";

// Peak resident memory of this process over an interval, from the kernel's own high-water mark
// (VmHWM), so a short spike between two samples is not missed. Where the mark cannot be reset
// (not Linux), samples taken every 20 ms stand in for it.

export interface PeakMemory {
  /** Peak RSS in bytes since `start`. */
  stop(): number;
  /** How the peak was taken, for the notes. */
  method: string;
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
  const timer = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage.rss())), 20);
  return {
    method: hwmReset ? "the kernel's peak RSS (VmHWM, reset before the action)" : "RSS sampled every 20 ms",
    stop() {
      clearInterval(timer);
      sampled = Math.max(sampled, process.memoryUsage.rss());
      const hwm = hwmReset ? statusKb("VmHWM") : null;
      return Math.max(sampled, hwm ?? 0);
    },
  };
}

/** Current RSS after a full garbage collection, when the process was started with --expose-gc. */
export function settledRss(): number {
  globalThis.gc?.();
  return process.memoryUsage.rss();
}
