// Benchmarks never reach GitHub: Octokit sends through the global fetch, so it is replaced by
// one that refuses every host but this machine and counts what was refused. A benchmark reports
// that count, and a figure measured while the app was talking to GitHub would be worthless.

export interface GitHubGuard {
  /** `METHOD url` of every refused request, in order. */
  readonly refused: readonly string[];
  restore(): void;
}

export function guardAgainstGitHub(): GitHubGuard {
  const original = globalThis.fetch;
  const refused: string[] = [];
  globalThis.fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.hostname === "127.0.0.1" || url.hostname === "localhost") return original(input, init);
    const method = init?.method ?? (input instanceof Request ? input.method : "GET");
    refused.push(`${method} ${url.href}`);
    throw new Error(`the benchmark refused a request to ${url.host}: nothing may reach GitHub while measuring`);
  };
  return {
    refused,
    restore() {
      globalThis.fetch = original;
    },
  };
}
