import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { eq } from "drizzle-orm";
import Docker from "dockerode";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresDatabase, type TestDatabase } from "../helpers/database.js";
import { ensureTestImage, shouldSkipDockerTests, TEST_IMAGE } from "../helpers/docker.js";
import { startGitServer, type GitServer } from "../helpers/git-server.js";
import { claimedTestAction } from "../helpers/test-runs.js";
import { waitFor } from "../helpers/wait-for.js";
import { ACTION_LABEL, RUN_LABEL } from "../../src/execution/container-labels.js";
import { MANAGED_LABEL } from "../../src/execution/docker/container-config.js";
import { DockerRuntime } from "../../src/execution/docker/docker-runtime.js";
import { executeAction } from "../../src/execution/execute-action.js";
import type { PullRequestsApi } from "../../src/execution/pull-requests-api.js";
import { actions } from "../../src/runs/runs.sql.js";
import { secretStore } from "../../src/security/secret-store.js";

const skip = await shouldSkipDockerTests();

// Every container the app creates for an action, seen by the engine's event stream as it is
// created and inspected while it lives, is confined as DESIGN.md §5.3 says: no capabilities, no
// new privileges, not root, limits on processes, memory and CPUs, the definition's network, and
// labelled with its action and run. docker-runtime.test.ts checks what the runtime asks of the
// engine; this goes through executeAction, as a worker does, and checks what the engine made.

const TOKEN = "ghs_containerHardeningToken0123456789";

type Inspected = Docker.ContainerInspectInfo;

/** What a container lacks of its hardening, as readable names; empty when it has it all. */
function missingHardening(info: Inspected, expected: { network: "none" | "bridge"; runId: string; actionId: string; pids?: number; memory?: number; nanoCpus?: number }): string[] {
  const host = info.HostConfig;
  const user = info.Config.User ?? "";
  const missing: string[] = [];
  const require = (ok: boolean, what: string) => {
    if (!ok) missing.push(what);
  };
  require(JSON.stringify(host.CapDrop) === JSON.stringify(["ALL"]), `CapDrop ALL (has ${JSON.stringify(host.CapDrop)})`);
  require((host.CapAdd ?? []).length === 0, `no added capabilities (has ${JSON.stringify(host.CapAdd)})`);
  require((host.SecurityOpt ?? []).some((opt: string) => opt === "no-new-privileges" || opt === "no-new-privileges:true"), "no-new-privileges");
  require(host.Privileged === false, "not privileged");
  require(user !== "" && !["root", "0"].includes(user.split(":")[0]!), `a non-root user (has "${user}")`);
  require((host.PidsLimit ?? 0) > 0, "a pids limit");
  require((host.Memory ?? 0) > 0, "a memory limit");
  require(host.MemorySwap === host.Memory, "no swap beyond the memory limit");
  require((host.NanoCpus ?? 0) > 0, "a CPU limit");
  if (expected.pids !== undefined) require(host.PidsLimit === expected.pids, `the definition's pids ${expected.pids} (has ${host.PidsLimit})`);
  if (expected.memory !== undefined) require(host.Memory === expected.memory, `the definition's memory ${expected.memory} (has ${host.Memory})`);
  if (expected.nanoCpus !== undefined) require(host.NanoCpus === expected.nanoCpus, `the definition's cpus (has ${host.NanoCpus})`);
  require(host.NetworkMode === expected.network, `network ${expected.network} (has ${host.NetworkMode})`);
  require(info.Config.Labels?.[MANAGED_LABEL] === "true", `label ${MANAGED_LABEL}`);
  require(info.Config.Labels?.[RUN_LABEL] === expected.runId, `label ${RUN_LABEL}`);
  require(info.Config.Labels?.[ACTION_LABEL] === expected.actionId, `label ${ACTION_LABEL}`);
  // The engine's socket in a container would hand it the host.
  require(!(info.Mounts ?? []).some((mount) => /docker\.sock/.test(mount.Source ?? "") || /docker\.sock/.test(mount.Destination ?? "")), "no engine socket mounted");
  return missing;
}

describe.skipIf(skip)("the containers of executed actions (PostgreSQL, Docker)", () => {
  const docker = new Docker();
  let database: TestDatabase;
  let git: GitServer;
  let workspaceRoot: string;
  let events: Readable | undefined;
  /** Containers created for this file's runs, inspected as soon as the engine announced them. */
  const seen: Array<{ id: string; info: Inspected | null; error?: string }> = [];
  const myRuns = new Set<string>();
  const pulls: PullRequestsApi = {
    defaultBranch: async () => "main",
    findOpen: async () => null,
    create: async () => {
      throw new Error("no pull request is expected: the steps change nothing");
    },
    update: async (_installation, repository, number) => ({ number, url: `https://github.com/${repository}/pull/${number}` }),
    addLabels: async () => {},
  };

  beforeAll(async () => {
    await ensureTestImage();
    database = await createPostgresDatabase();
    git = await startGitServer({ token: TOKEN });
    workspaceRoot = await mkdtemp(join(tmpdir(), "automations-hardening-"));
    events = (await docker.getEvents({ filters: { type: ["container"], event: ["create"], label: [`${MANAGED_LABEL}=true`] } })) as unknown as Readable;
    let buffered = "";
    events.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines.filter(Boolean)) {
        const event = JSON.parse(line) as { id: string; Actor?: { Attributes?: Record<string, string> } };
        if (!myRuns.has(event.Actor?.Attributes?.[RUN_LABEL] ?? "")) continue;
        const entry: (typeof seen)[number] = { id: event.id, info: null };
        seen.push(entry);
        docker
          .getContainer(event.id)
          .inspect()
          .then((info) => (entry.info = info))
          .catch((err: Error) => (entry.error = err.message));
      }
    });
  });
  afterAll(async () => {
    events?.destroy();
    await git?.close();
    await database?.destroy();
    if (workspaceRoot) await rm(workspaceRoot, { recursive: true, force: true });
  });

  async function execute(definition: string[]) {
    const claimed = await claimedTestAction(database.db, git, { source: definition.join("\n"), automation: "hardening", repositoryPrefix: "hardened" });
    myRuns.add(claimed.runId);
    await executeAction(
      {
        db: database.db,
        runtime: new DockerRuntime(),
        tokens: { tokenFor: async () => TOKEN },
        secrets: secretStore({ values: {} }),
        publishing: { pulls, appSlug: "automations", publicUrl: undefined },
        workspaceRoot,
        log: pino({ level: "silent" }),
        onChange: () => {},
      },
      claimed,
    );
    const [finished] = await database.db.select().from(actions).where(eq(actions.id, claimed.id));
    return { runId: claimed.runId, actionId: claimed.id, status: finished!.status, reason: finished!.reason };
  }

  it("drops every capability, forbids new privileges, runs as non-root, limits it and labels it", async () => {
    // The step outlives the engine's create event by far, so each container is inspected alive.
    const step = ["steps:", "  - name: Work", "    run: sleep 1"];
    const isolated = await execute(["container:", `  image: ${TEST_IMAGE}`, "  network: none", "  resources: { cpus: 0.5, memory: 256m, pids: 64 }", ...step]);
    const defaults = await execute(["container:", `  image: ${TEST_IMAGE}`, "  network: bridge", ...step]);
    expect(isolated).toMatchObject({ status: "done" });
    expect(defaults).toMatchObject({ status: "done" });

    await waitFor("every created container to be inspected", () => seen.length >= 2 && seen.every((entry) => entry.info !== null || entry.error !== undefined));
    const expectations = new Map([
      [isolated.runId, { network: "none" as const, runId: isolated.runId, actionId: isolated.actionId, pids: 64, memory: 256 * 1024 ** 2, nanoCpus: 500_000_000 }],
      [defaults.runId, { network: "bridge" as const, runId: defaults.runId, actionId: defaults.actionId }],
    ]);
    const problems = seen.flatMap((entry) => {
      if (!entry.info) return [`${entry.id.slice(0, 12)}: could not be inspected while it lived (${entry.error})`];
      const expected = expectations.get(entry.info.Config.Labels?.[RUN_LABEL] ?? "");
      if (!expected) return [`${entry.id.slice(0, 12)}: created for no run of this test`];
      return missingHardening(entry.info, expected).map((what) => `${entry.id.slice(0, 12)} (${expected.network}): lacks ${what}`);
    });
    console.info(`containers inspected: ${seen.filter((entry) => entry.info !== null).length}, missing hardening: ${problems.length}`);
    expect(problems).toEqual([]);
    // One container per action, each seen.
    expect(new Set(seen.map((entry) => entry.info?.Config.Labels?.[ACTION_LABEL]))).toEqual(new Set([isolated.actionId, defaults.actionId]));

    // And none is left once its action has finished.
    // (Label filters are and-ed by the engine, so each run is asked about on its own.)
    for (const runId of myRuns) {
      expect(await docker.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } })).toEqual([]);
    }
  });
});
