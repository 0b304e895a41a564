import { randomUUID } from "node:crypto";
import { asc, eq, isNotNull } from "drizzle-orm";
import nock from "nock";
import { describe, expect, it } from "vitest";
import { useWebhookOnlyApp } from "../helpers/webhook-only-app.js";
import { APP_ID } from "../helpers/app-harness.js";
import { contentsResponse, GITHUB_API, installationTokenResponse, recordEveryCheckCreate } from "../helpers/github-api.js";
import { contentsPath, definitionFile, EXAMPLE_TOKEN, example, mockDefinition, mockToken } from "../helpers/example-comment.js";
import { examplePayload, pullRequestCommentPayload } from "../helpers/webhooks.js";
import { waitFor } from "../helpers/wait-for.js";
import { parseDefinition } from "../../src/automations/parse-definition.js";
import { actions, runs } from "../../src/runs/runs.sql.js";
import type { ActionStatus } from "../../src/runs/statuses.js";
import { webhookDeliveries } from "../../src/ingress/deliveries.sql.js";

// GitHub's Re-run button on an action's check, "Re-run all" on the app's suite, and the
// `retry-failed` button on a run's summary check, each posted as GitHub posts it (payloads from
// @octokit/webhooks-examples, their ids set to this app's runs). No worker runs: what is tested is
// which runs are recorded and which checks GitHub is asked to create.

const { repository, owner, defaultBranch, installationId, author } = example;
const commentPayload = pullRequestCommentPayload("");
const repositoryId = commentPayload.repository.id as number;
const HEAD_SHA = "d6fde92930d4715a2b49857d24b940956b26d2d3";
const OTHER_SHA = "146e867f55c26428e5f9fade55a9bbf5e95a7912";

const definitionSource = (description: string, extra = "") =>
  [`description: ${description}`, extra, "container:", "  image: busybox", "steps:", "  - name: Greet", "    run: echo hi", ""].join("\n");

describe("check-run triggers: Re-run, Re-run all, retry-failed (PostgreSQL, GitHub mocked)", () => {
  const env = useWebhookOnlyApp("check-triggers");
  const { expectGitHubSawExactlyTheMocks } = env;

  interface SeedTarget {
    repository: string;
    status: ActionStatus;
  }

  let nextCheckRunId = 5000;

  /** A finished run of `automation` as an earlier comment left it, with its check run ids. */
  async function seedRun(automation: string, targets: SeedTarget[], options: { headSha?: string } = {}) {
    const parsed = parseDefinition(definitionSource("seeded"), definitionFile(automation));
    if (!parsed.ok) throw new Error("the seeded definition is valid");
    const [run] = await env.database.db
      .insert(runs)
      .values({
        automation,
        installationId,
        repository,
        repositoryId,
        headSha: options.headSha ?? HEAD_SHA,
        trigger: { kind: "comment", commentId: 1, issueNumber: example.issueNumber, isPullRequest: true, sender: author },
        deliveryId: randomUUID(),
        definition: parsed.definition,
        definitionSource: "seeded",
        definitionPath: definitionFile(automation),
        definitionSha: "0000000000000000000000000000000000000000",
        definitionRepository: repository,
        status: targets.some((t) => t.status === "failed") ? "failed" : "done",
        summaryCheckRunId: nextCheckRunId++,
      })
      .returning();
    const inserted = await env.database.db
      .insert(actions)
      .values(
        targets.map((t, position) => ({
          runId: run!.id,
          position,
          repository: t.repository,
          repositoryId: 100 + position,
          cloneUrl: `https://github.com/${t.repository}.git`,
          ref: run!.headSha,
          project: null,
          status: t.status,
          checkRunId: nextCheckRunId++,
          finishedAt: new Date(),
        })),
      )
      .returning();
    return { run: run!, actions: inserted };
  }

  /** The example payload made to come from this app's check on the example repository. */
  function checkRunEvent(action: "rerequested" | "requested_action", checkRun: { id: number; externalId: string }, adjust?: (p: Record<string, any>) => void) { // eslint-disable-line @typescript-eslint/no-explicit-any
    const payload = examplePayload("check_run", (p) => p.action === action);
    payload.repository = structuredClone(commentPayload.repository);
    payload.installation = { id: installationId, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
    payload.sender = structuredClone(commentPayload.sender);
    payload.check_run.id = checkRun.id;
    payload.check_run.external_id = checkRun.externalId;
    payload.check_run.head_sha = HEAD_SHA;
    payload.check_run.app.id = APP_ID;
    adjust?.(payload);
    return payload;
  }

  function checkSuiteEvent(headSha: string) {
    const payload = examplePayload("check_suite", (p) => p.action === "rerequested");
    payload.repository = structuredClone(commentPayload.repository);
    payload.installation = { id: installationId, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
    // The example was sent by a bot; the button is pressed by a person.
    payload.sender = structuredClone(commentPayload.sender);
    payload.check_suite.head_sha = headSha;
    payload.check_suite.app.id = APP_ID;
    return payload;
  }

  async function deliver(event: string, payload: object, deliveryId = randomUUID()) {
    const response = await env.app.deliver(event, payload, deliveryId);
    expect(response.status).toBe(200);
    // Handled without error: an ignored event is a decision, not a failure to be retried.
    const [stored] = await env.database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId));
    expect(stored).toMatchObject({ status: "done", lastError: null });
    return deliveryId;
  }

  function mockPermissionOn(repo: string, permission: string, times = 1) {
    nock(GITHUB_API)
      .get(`/repos/${repo}/collaborators/${author}/permission`)
      .times(times)
      .reply(200, { permission, role_name: permission, user: { login: author } });
  }

  /**
   * Every check run created on the repository, in order. The reporter also keeps a run's summary
   * check; the tests look at the checks of actions (their `external_id` is the action id).
   */
  const recordChecks = () => recordEveryCheckCreate(repository, 9100);

  async function newRuns(sourceIds: string[]) {
    const all = await env.database.db.select().from(runs).orderBy(asc(runs.createdAt));
    return all.filter((r) => !sourceIds.includes(r.id));
  }

  async function targetsOf(runId: string) {
    const rows = await env.database.db.select().from(actions).where(eq(actions.runId, runId)).orderBy(asc(actions.position));
    return rows.map((a) => a.repository);
  }

  /** The checks created for the actions of `runId`, once the reporter has sent them. */
  async function actionChecksOf(created: Array<Record<string, unknown>>, runId: string) {
    const ids = (await env.database.db.select({ id: actions.id }).from(actions).where(eq(actions.runId, runId))).map((a) => a.id);
    await waitFor("the new actions' checks", async () => {
      const rows = await env.database.db.select().from(actions).where(eq(actions.runId, runId));
      return rows.every((a) => a.checkRunId !== null);
    });
    await env.app.background.reporter.drain();
    return created.filter((body) => ids.includes(body.external_id as string));
  }

  it("Re-run on an action's check starts the automation again on that one target, linked to the first run", async () => {
    const source = await seedRun("hello", [
      { repository, status: "done" },
      { repository: `${owner}/api`, status: "failed" },
    ]);
    const pressed = source.actions[1]!;
    mockToken();
    mockPermissionOn(repository, "write");
    mockPermissionOn(`${owner}/api`, "write");
    mockDefinition("hello", definitionSource("Says hello again"));
    const created = recordChecks();

    await deliver("check_run", checkRunEvent("rerequested", { id: pressed.checkRunId!, externalId: pressed.id }));

    const [rerun, ...more] = await newRuns([source.run.id]);
    expect(more).toEqual([]);
    expect(rerun).toMatchObject({
      automation: "hello",
      rerunOf: source.run.id,
      repository,
      headSha: HEAD_SHA,
      status: "pending",
      trigger: { kind: "check-rerun", checkRunId: pressed.checkRunId, sender: author },
    });
    // The definition is read again from the default branch, not taken from the first run.
    expect(rerun!.definition.description).toBe("Says hello again");
    expect(await targetsOf(rerun!.id)).toEqual([`${owner}/api`]);
    const checks = await actionChecksOf(created, rerun!.id);
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ head_sha: HEAD_SHA, status: "queued", name: expect.stringContaining(`${owner}/api`) });
    expectGitHubSawExactlyTheMocks();
  });

  it("Re-run on a run's summary check starts the automation again on all the run's targets", async () => {
    const source = await seedRun("hello", [
      { repository, status: "done" },
      { repository: `${owner}/api`, status: "failed" },
    ]);
    mockToken();
    mockPermissionOn(repository, "write");
    mockPermissionOn(`${owner}/api`, "write");
    mockDefinition("hello", definitionSource("Says hello"));
    const created = recordChecks();

    // Found by the check's external_id even when its id was never stored on the run.
    const summaryCheckRunId = source.run.summaryCheckRunId!;
    await env.database.db.update(runs).set({ summaryCheckRunId: null }).where(eq(runs.id, source.run.id));
    await deliver("check_run", checkRunEvent("rerequested", { id: summaryCheckRunId, externalId: `run:${source.run.id}` }));

    const [rerun, ...more] = await newRuns([source.run.id]);
    expect(more).toEqual([]);
    expect(rerun).toMatchObject({ rerunOf: source.run.id, trigger: { kind: "check-rerun", checkRunId: summaryCheckRunId } });
    expect(await targetsOf(rerun!.id)).toEqual([repository, `${owner}/api`]);
    expect(await actionChecksOf(created, rerun!.id)).toHaveLength(2);
    expectGitHubSawExactlyTheMocks();
  });

  it("ignores Re-run on a check run of another app, even one carrying an action's id, without calling GitHub", async () => {
    const source = await seedRun("hello", [{ repository, status: "failed" }]);
    const action = source.actions[0]!;

    await deliver(
      "check_run",
      checkRunEvent("rerequested", { id: action.checkRunId!, externalId: action.id }, (p) => {
        p.check_run.app.id = APP_ID + 1;
      }),
    );

    expect(await newRuns([source.run.id])).toEqual([]);
    expectGitHubSawExactlyTheMocks();
  });

  /** Records the check runs created on the repository, answering each with `status`. */
  function recordCheckCreates(status = 201, times = 1) {
    const checks: Array<Record<string, any>> = []; // eslint-disable-line @typescript-eslint/no-explicit-any
    nock(GITHUB_API)
      .post(`/repos/${repository}/check-runs`, (body: Record<string, unknown>) => {
        checks.push(body);
        return true;
      })
      .times(times)
      .reply(status, status < 300 ? { id: 9200 } : { message: "Server Error" });
    return checks;
  }

  /** A failed run of `hello`, whose definition says `enabled: false` by the time Re-run is pressed. */
  async function failedRunOfAutomationDisabledSince() {
    const source = await seedRun("hello", [{ repository, status: "failed" }]);
    mockToken();
    mockPermissionOn(repository, "write");
    mockDefinition("hello", definitionSource("Off for now", "enabled: false"));
    return { source, action: source.actions[0]! };
  }

  it("starts nothing on Re-run of an automation that was disabled since, and says why in a neutral check on the commit", async () => {
    const { source, action } = await failedRunOfAutomationDisabledSince();
    const checks = recordCheckCreates();

    await deliver("check_run", checkRunEvent("rerequested", { id: action.checkRunId!, externalId: action.id }));

    expect(await newRuns([source.run.id])).toEqual([]);
    expect(checks).toHaveLength(1);
    // Not the run's own check name: a neutral check of that name would pass where it is required.
    expect(checks[0]).toMatchObject({
      head_sha: HEAD_SHA,
      name: "automation: hello — re-run not started",
      status: "completed",
      conclusion: "neutral",
      output: { title: expect.stringMatching(/^Re-run not started: automation hello is disabled \(enabled: false in /) },
    });
    expect(checks[0]!.output.summary).toContain(`@${author} pressed **Re-run** for \`hello\`, and no run was started`);
    expect(checks[0]!.output.summary).toContain("Set enabled: true in .github/automations/hello.yml on the default branch");
    expectGitHubSawExactlyTheMocks();
  });

  it("still handles the Re-run when the check saying why it started nothing cannot be created", async () => {
    const { source, action } = await failedRunOfAutomationDisabledSince();
    const checks = recordCheckCreates(500);

    // Handled, not failed: the refusal is in the log, and a retry would ask GitHub it all again.
    await deliver("check_run", checkRunEvent("rerequested", { id: action.checkRunId!, externalId: action.id }));

    expect(checks).toHaveLength(1);
    expect(await newRuns([source.run.id])).toEqual([]);
    expectGitHubSawExactlyTheMocks();
  });

  it("reports a definition broken since as a failed check on the commit, and starts nothing", async () => {
    const source = await seedRun("hello", [{ repository, status: "failed" }]);
    const action = source.actions[0]!;
    mockToken();
    mockPermissionOn(repository, "write");
    mockDefinition("hello", "container:\n  image: busybox\n");
    const checks = recordCheckCreates();

    await deliver("check_run", checkRunEvent("rerequested", { id: action.checkRunId!, externalId: action.id }));

    expect(await newRuns([source.run.id])).toEqual([]);
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ head_sha: HEAD_SHA, status: "completed", conclusion: "failure", name: "automation: hello" });
    expectGitHubSawExactlyTheMocks();
  });

  it("answers Re-run on the check of an invalid definition with how to start the automation once fixed", async () => {
    mockToken();
    const checks = recordCheckCreates();

    // The invalid-definition check carries the run's check name and no run.
    await deliver("check_run", checkRunEvent("rerequested", { id: 7201, externalId: "" }, (p) => (p.check_run.name = "automation: hello")));

    expect(await newRuns([])).toEqual([]);
    expect(checks).toMatchObject([
      {
        head_sha: HEAD_SHA,
        name: "automation: hello — re-run not started",
        conclusion: "neutral",
        output: { title: "Re-run not started: this check reports a definition of hello that was not valid, not a run that can be run again" },
      },
    ]);
    expect(checks[0]!.output.summary).toContain("comment /automation run hello on the pull request to start it");
    expectGitHubSawExactlyTheMocks();
  });

  it("does not re-run for someone without write access to the repository, and says so on the commit", async () => {
    const source = await seedRun("hello", [{ repository, status: "failed" }]);
    const action = source.actions[0]!;
    mockToken();
    mockPermissionOn(repository, "read");
    const checks = recordCheckCreates();

    await deliver("check_run", checkRunEvent("rerequested", { id: action.checkRunId!, externalId: action.id }));

    expect(await newRuns([source.run.id])).toEqual([]);
    expect(checks).toMatchObject([
      {
        name: "automation: hello — re-run not started",
        conclusion: "neutral",
        output: { title: `Re-run not started: @${author} cannot write to ${repository} (permission: read)` },
      },
    ]);
    expectGitHubSawExactlyTheMocks();
  });

  it("retry-failed on a summary check starts a run over exactly the failed targets", async () => {
    const source = await seedRun("hello", [
      { repository, status: "failed" },
      { repository: `${owner}/api`, status: "done" },
      { repository: `${owner}/web`, status: "failed" },
      { repository: `${owner}/docs`, status: "stopped" },
    ]);
    mockToken();
    mockPermissionOn(repository, "write");
    mockPermissionOn(`${owner}/web`, "write");
    mockDefinition("hello", definitionSource("Says hello"));
    const created = recordChecks();

    const summaryCheckRunId = source.run.summaryCheckRunId!;
    await deliver(
      "check_run",
      checkRunEvent("requested_action", { id: summaryCheckRunId, externalId: `run:${source.run.id}` }, (p) => {
        p.requested_action = { identifier: "retry-failed" };
        p.check_run.status = "completed";
      }),
    );

    const [retry, ...more] = await newRuns([source.run.id]);
    expect(more).toEqual([]);
    expect(retry).toMatchObject({ rerunOf: source.run.id, trigger: { kind: "retry-failed", checkRunId: summaryCheckRunId, sender: author } });
    expect(await targetsOf(retry!.id)).toEqual([repository, `${owner}/web`]);
    expect(await actionChecksOf(created, retry!.id)).toHaveLength(2);
    expectGitHubSawExactlyTheMocks();
  });

  it("leaves out the targets the person who pressed the button cannot write, and says so on the run", async () => {
    const source = await seedRun("hello", [
      { repository, status: "failed" },
      { repository: `${owner}/secret`, status: "failed" },
    ]);
    mockToken();
    mockPermissionOn(repository, "write");
    mockPermissionOn(`${owner}/secret`, "read");
    mockDefinition("hello", definitionSource("Says hello"));
    const created = recordChecks();

    await deliver(
      "check_run",
      // Found by the id stored with the run.
      checkRunEvent("requested_action", { id: source.run.summaryCheckRunId!, externalId: "" }, (p) => {
        p.requested_action = { identifier: "retry-failed" };
      }),
    );

    const [retry] = await newRuns([source.run.id]);
    expect(await targetsOf(retry!.id)).toEqual([repository]);
    expect(retry!.skippedTargets).toEqual([{ target: `${owner}/secret`, reason: expect.stringContaining(`${author} cannot write to it (permission: read)`) }]);
    expect(await actionChecksOf(created, retry!.id)).toHaveLength(1);
    expectGitHubSawExactlyTheMocks();
  });

  it("ignores a button this app does not offer, and retry-failed on a run without failures", async () => {
    const clean = await seedRun("hello", [{ repository, status: "done" }]);
    const summaryCheckRunId = clean.run.summaryCheckRunId!;

    await deliver("check_run", checkRunEvent("requested_action", { id: summaryCheckRunId, externalId: `run:${clean.run.id}` })); // identifier lgtm|26764
    await deliver(
      "check_run",
      checkRunEvent("requested_action", { id: summaryCheckRunId, externalId: `run:${clean.run.id}` }, (p) => {
        p.requested_action = { identifier: "retry-failed" };
      }),
    );

    expect(await newRuns([clean.run.id])).toEqual([]);
    expectGitHubSawExactlyTheMocks();
  });

  it("Re-run all starts one run per automation of the suite, over the targets of its latest run on that commit", async () => {
    const older = await seedRun("hello", [
      { repository, status: "failed" },
      { repository: `${owner}/api`, status: "failed" },
    ]);
    const latest = await seedRun("hello", [{ repository: `${owner}/api`, status: "failed" }]);
    const lint = await seedRun("lint", [{ repository, status: "done" }]);
    const elsewhere = await seedRun("format", [{ repository, status: "done" }], { headSha: OTHER_SHA });
    mockToken();
    // Asked once for all the re-runs of the suite.
    mockPermissionOn(repository, "write");
    mockPermissionOn(`${owner}/api`, "write");
    mockDefinition("hello", definitionSource("Says hello"));
    nock(GITHUB_API)
      .get(contentsPath(repository, "lint"))
      .query({ ref: defaultBranch })
      .reply(200, contentsResponse(definitionFile("lint"), definitionSource("Lints")));
    const created = recordChecks();

    await deliver("check_suite", checkSuiteEvent(HEAD_SHA));

    const started = await newRuns([older.run.id, latest.run.id, lint.run.id, elsewhere.run.id]);
    expect(started.map((r) => [r.automation, r.rerunOf, r.trigger.kind])).toEqual(
      expect.arrayContaining([
        ["hello", latest.run.id, "suite-rerun"],
        ["lint", lint.run.id, "suite-rerun"],
      ]),
    );
    expect(started).toHaveLength(2);
    const hello = started.find((r) => r.automation === "hello")!;
    const lintRun = started.find((r) => r.automation === "lint")!;
    expect(await targetsOf(hello.id)).toEqual([`${owner}/api`]);
    expect(await targetsOf(lintRun.id)).toEqual([repository]);
    expect(await actionChecksOf(created, hello.id)).toHaveLength(1);
    expect(await actionChecksOf(created, lintRun.id)).toHaveLength(1);
    expectGitHubSawExactlyTheMocks();
  });

  it("makes one run and one set of checks when the same Re-run delivery is posted 100 times at once", async () => {
    const source = await seedRun("hello", [{ repository, status: "failed" }]);
    const action = source.actions[0]!;
    // Persistent: how often GitHub is asked depends on how many copies get past the first check.
    nock(GITHUB_API)
      .post(`/app/installations/${installationId}/access_tokens`)
      .reply(201, installationTokenResponse(EXAMPLE_TOKEN))
      .persist();
    nock(GITHUB_API)
      .get(`/repos/${repository}/collaborators/${author}/permission`)
      .reply(200, { permission: "write", role_name: "write", user: { login: author } })
      .persist();
    nock(GITHUB_API)
      .get(contentsPath(repository, "hello"))
      .query({ ref: defaultBranch })
      .reply(200, contentsResponse(definitionFile("hello"), definitionSource("Says hello")))
      .persist();
    const created = recordChecks();

    const payload = checkRunEvent("rerequested", { id: action.checkRunId!, externalId: action.id });
    const deliveryId = randomUUID();
    const responses = await Promise.all(Array.from({ length: 100 }, () => env.app.deliver("check_run", payload, deliveryId)));
    expect(responses.map((r) => r.status)).toEqual(Array(100).fill(200));

    const started = await waitFor("the re-run", async () => {
      const found = await newRuns([source.run.id]);
      return found.length > 0 ? found : undefined;
    });
    console.info(
      `same delivery ${responses.length}× at once: ${responses.filter((r) => r.status === 200).length} answered 200, runs: ${started.length}, ` +
        `checks of its action: ${(await actionChecksOf(created, started[0]!.id)).length}`,
    );
    expect(started).toHaveLength(1);
    expect(await targetsOf(started[0]!.id)).toEqual([repository]);
    expect(await actionChecksOf(created, started[0]!.id)).toHaveLength(1);
    expect(await newRuns([source.run.id])).toHaveLength(1);

    // Long after, when the delivery itself is forgotten, the same delivery still finds its run.
    await env.database.db.delete(webhookDeliveries).where(isNotNull(webhookDeliveries.id));
    await deliver("check_run", payload, deliveryId);
    expect(await newRuns([source.run.id])).toHaveLength(1);
    expect(await actionChecksOf(created, started[0]!.id)).toHaveLength(1);
    expect(env.unmatched).toEqual([]);
  });
});
