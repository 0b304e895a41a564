import picomatch from "picomatch";

/**
 * A list of globs where a leading `!` excludes: a path matches when some plain glob matches it
 * and no exclusion does, whatever their order (as `targets.repositories: ["acme/*", "!acme/legacy-*"]`
 * reads). `*` never crosses a `/`; names starting with `.` match only a glob that spells the dot.
 */
export function globListMatcher(globs: readonly string[], options: { nocase?: boolean } = {}): (path: string) => boolean {
  const include = globs.filter((glob) => !glob.startsWith("!")).map(normalizeGlob);
  const exclude = globs.filter((glob) => glob.startsWith("!")).map((glob) => normalizeGlob(glob.slice(1)));
  if (include.length === 0) return () => false;
  const picoOptions = { nocase: options.nocase ?? false, dot: false };
  const included = picomatch(include, picoOptions);
  const excluded = exclude.length > 0 ? picomatch(exclude, picoOptions) : () => false;
  return (path) => included(path) && !excluded(path);
}

// A leading "./" or a trailing "/" does not change which directories a glob means.
export function normalizeGlob(glob: string): string {
  return glob.replace(/^(\.\/)+/, "").replace(/\/+$/, "");
}
