// How every action's container is confined, and the limits a definition may leave out. One
// place, so README's table and the engine's options agree.

/** Processes a container may have unless the definition says otherwise: stops fork bombs. */
export const DEFAULT_PIDS_LIMIT = 512;
/** Memory unless the definition says otherwise; swap is not added on top. */
export const DEFAULT_MEMORY_BYTES = 2 * 1024 ** 3;
/** CPUs unless the definition says otherwise, so one action cannot starve the others. */
export const DEFAULT_CPUS = 2;

/** No capability is needed to build or test code; none are kept. */
export const DROPPED_CAPABILITIES = ["ALL"] as const;
/** setuid binaries in the image cannot raise a process's privileges. */
export const SECURITY_OPTIONS = ["no-new-privileges"] as const;

/** The user steps run as when the image names no non-root user of its own. */
export const FALLBACK_USER = "1000:1000";

/**
 * The user a container runs as: never root. The image's own non-root USER when it has one;
 * otherwise the app's own uid when the app is not root (so files the steps write stay the app's
 * to commit and remove), else uid 1000. The workspace is made writable for any of them.
 */
export function containerUser(imageUser: string | undefined, host: { uid: number; gid: number } | null): string {
  if (imageUser !== undefined && imageUser !== "" && !isRoot(imageUser)) {
    // The image's user suits the image (its home, its caches) unless the app needs its own uid.
    if (host === null || host.uid === 0) return imageUser;
  }
  if (host !== null && host.uid !== 0) return `${host.uid}:${host.gid}`;
  return FALLBACK_USER;
}

function isRoot(user: string): boolean {
  const name = user.split(":")[0];
  return name === "root" || name === "0";
}

/** "512 MiB", "2 GiB", "1.5 GiB": a memory limit the way people read it. */
export function formatMemory(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(1).replace(/\.0$/, "");
  return `${shown} ${units[unit]}`;
}
