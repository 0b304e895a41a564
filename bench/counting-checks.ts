import type { ChecksApi, CheckRunFields } from "../src/reporting/checks-api.js";

/** A Checks API that answers at once and counts, per check run, what the reporter sent. */
export interface CountingChecks extends ChecksApi {
  creates: number;
  updates: number;
  finds: number;
  /** Calls per check run id. */
  perCheck: Map<number, number>;
  /** The last status sent per check run id. */
  lastStatus: Map<number, CheckRunFields["status"]>;
}

export function countingChecks(): CountingChecks {
  let nextId = 1;
  const checks: CountingChecks = {
    creates: 0,
    updates: 0,
    finds: 0,
    perCheck: new Map(),
    lastStatus: new Map(),
    async create(_installationId, _repository, _headSha, fields) {
      const id = nextId++;
      checks.creates++;
      checks.perCheck.set(id, 1);
      checks.lastStatus.set(id, fields.status);
      return { id };
    },
    // Only asked after a create whose answer was lost, which never happens here.
    async find() {
      checks.finds++;
      return null;
    },
    async update(_installationId, _repository, checkRunId, fields) {
      checks.updates++;
      checks.perCheck.set(checkRunId, (checks.perCheck.get(checkRunId) ?? 0) + 1);
      checks.lastStatus.set(checkRunId, fields.status);
    },
  };
  return checks;
}
