import { Octokit } from "@octokit/rest";
import type { ChecksApi } from "../reporting/checks-api.js";
import { splitRepository, type OctokitForInstallation } from "./installation-octokit.js";

export interface OctokitChecksOptions {
  /** A request GitHub has not answered within this time is abandoned, and retried by the reporter. */
  requestTimeoutMs?: number;
}

// Probot's own Octokit retries 5xx by itself (a create retried blindly can make a second check
// run) and waits out rate limits inside the request (holding up every other check). The reporter
// owns retries, so its requests go through a plain client on the installation's token.
const ReporterOctokit = Octokit.defaults({ request: { retries: 0 } });

export function octokitChecks(octokitFor: OctokitForInstallation, options: OctokitChecksOptions = {}): ChecksApi {
  const timeoutMs = options.requestTimeoutMs ?? 30_000;

  const clientFor = async (installationId: number) => {
    const installation = await octokitFor(installationId);
    const { token } = (await installation.auth({ type: "installation" })) as { token: string };
    return new ReporterOctokit({ auth: token, baseUrl: installation.request.endpoint.DEFAULTS.baseUrl });
  };
  const timed = <T>(call: (request: { signal: AbortSignal }) => Promise<T>) => withTimeout(timeoutMs, call);

  return {
    async create(installationId, repository, headSha, fields) {
      const octokit = await clientFor(installationId);
      const { data } = await timed((request) =>
        octokit.rest.checks.create({ ...splitRepository(repository), head_sha: headSha, ...fields, request }),
      );
      return { id: data.id };
    },
    async update(installationId, repository, checkRunId, fields) {
      const octokit = await clientFor(installationId);
      await timed((request) => octokit.rest.checks.update({ ...splitRepository(repository), check_run_id: checkRunId, ...fields, request }));
    },
    async find(installationId, repository, headSha, name, externalId) {
      const octokit = await clientFor(installationId);
      // `filter: all`: a commit can hold several runs of the same name (re-runs), not just the latest.
      const checkRuns = await timed((request) =>
        octokit.paginate(octokit.rest.checks.listForRef, {
          ...splitRepository(repository),
          ref: headSha,
          check_name: name,
          filter: "all",
          per_page: 100,
          request,
        }),
      );
      const found = checkRuns.find((run) => run.external_id === externalId);
      return found ? { id: found.id } : null;
    },
  };
}

/**
 * Rejects with a `TimeoutError` after `ms` and aborts the request. The answer is not waited for
 * even where aborting does not stop the request: GitHub may still act on it, which the reporter
 * allows for (it looks a check up before creating it again).
 */
async function withTimeout<T>(ms: number, call: (request: { signal: AbortSignal }) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`GitHub did not answer within ${ms} ms`);
      error.name = "TimeoutError";
      controller.abort(error);
      reject(error);
    }, ms);
  });
  const request = call({ signal: controller.signal });
  request.catch(() => {}); // answered after the timeout: nobody listens any more
  try {
    return await Promise.race([request, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
