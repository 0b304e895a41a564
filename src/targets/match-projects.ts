import picomatch from "picomatch";
import { globListMatcher, normalizeGlob } from "./glob-list.js";

/**
 * The directories (paths relative to the repository's root, as git lists them) that
 * `targets.projects` selects, sorted. Pure. The root itself is never a project: a definition
 * without `projects` already means the whole repository.
 */
export function matchProjects(directories: readonly string[], globs: readonly string[]): string[] {
  const selects = globListMatcher(globs);
  return directories.filter((dir) => dir !== "" && isInside(dir) && selects(dir)).sort();
}

/** Git never lists such paths; a directory that climbs out of the checkout is never a working directory. */
function isInside(dir: string): boolean {
  return !dir.startsWith("/") && !dir.split("/").some((part) => part === ".." || part === ".");
}

/**
 * Whether a directory's subdirectories could match one of the globs, so that a search of a
 * large repository descends only where projects can be. Errs on the side of descending.
 */
export function mayContainProjects(dir: string, globs: readonly string[]): boolean {
  const depth = dir.split("/").length;
  const parts = dir.split("/");
  return globs
    .filter((glob) => !glob.startsWith("!"))
    .map(normalizeGlob)
    .some((glob) => {
      // A brace can hold a "/", which splitting by segment cannot follow.
      if (glob.includes("{")) return true;
      const segments = glob.split("/");
      for (let i = 0; i < depth; i++) {
        const segment = segments[i];
        if (segment === undefined) return false;
        if (segment.includes("**")) return true;
        if (!picomatch.isMatch(parts[i] as string, segment, { dot: false })) return false;
      }
      return segments.length > depth;
    });
}
