import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { sql } from "drizzle-orm";
import nock from "nock";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runs } from "../../src/runs/runs.sql.js";
import { secretStore } from "../../src/security/secret-store.js";
import { loadAction, loadLogChunks, loadRun } from "../../src/web/load-run.js";
import { actionPage } from "../../src/web/pages/action-page.js";
import { runPage } from "../../src/web/pages/run-page.js";
import { createPostgresDatabase, type TestDatabase } from "../helpers/database.js";
import { ensureTestImage, shouldSkipDockerTests, TEST_IMAGE } from "../helpers/docker.js";
import { startGitServer, type GitServer } from "../helpers/git-server.js";
import { contentsResponse, GITHUB_API, installationTokenResponse, isolateGitHub, recordCheckRuns, restoreNetwork } from "../helpers/github-api.js";
import { ThreadedDockerRuntime } from "../helpers/threaded-docker-runtime.js";
import { waitFor } from "../helpers/wait-for.js";
import { pullRequestCommentPayload } from "../helpers/webhooks.js";
import { startApp } from "../helpers/app-harness.js";

const skip = await shouldSkipDockerTests();

// A secret printed every way a step could print it goes nowhere as itself: not in any check run
// the app sends GitHub, not in any row of any table, not in the app's own log, not in the pages.
// execute-action.test.ts proves the masking of what one action stores; this follows the whole
// app from the comment to the last check update and searches everything it left behind.

const TOKEN = "ghs_secretsEverywhereToken0123456789";
const SECRET = "Opal-Kestrel-Secret-8817";
const base64 = (text: string) => Buffer.from(text).toString("base64");
// The secret's base64 alone, and as it sits inside longer base64 (only the characters that mix
// in a neighbour's bits differ).
const FORMS = [SECRET, base64(SECRET), base64(`x${SECRET}`).slice(2, -4)];

describe.skipIf(skip)("a secret printed raw, in base64, split and in an error (PostgreSQL, Docker)", () => {
  let database: TestDatabase;
  let git: GitServer;
  let workspaceRoot: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    await ensureTestImage();
    database = await createPostgresDatabase();
    git = await startGitServer({ token: TOKEN });
    workspaceRoot = await mkdtemp(join(tmpdir(), "automations-secrets-"));
  });
  afterAll(async () => {
    restoreNetwork();
    await git?.close();
    await database?.destroy();
    if (workspaceRoot) await rm(workspaceRoot, { recursive: true, force: true });
  });

  /** The app as `npm start` wires it, with the secret configured and every log line it writes kept. */
  function startObservedApp(runtime: ThreadedDockerRuntime) {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
        done();
      },
    });
    return startApp({
      database,
      runtime,
      workspaceRoot,
      log: pino({ level: "trace" }, sink),
      secrets: secretStore({ values: { API_TOKEN: SECRET }, fingerprintKey: "fingerprint-key" }),
    });
  }

  /** Every row of every table of the app's database, each as JSON text. */
  async function everyTableAsText(): Promise<Map<string, string[]>> {
    const rowsOf = (result: unknown) => (result as { rows: Array<Record<string, unknown>> }).rows;
    const tables = rowsOf(
      await database.db.execute(
        sql`select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`,
      ),
    );
    const dump = new Map<string, string[]>();
    for (const { table_schema: schema, table_name: name } of tables) {
      const rows = rowsOf(await database.db.execute(sql`select row_to_json(t)::text as row from ${sql.identifier(String(schema))}.${sql.identifier(String(name))} t`));
      dump.set(`${String(schema)}.${String(name)}`, rows.map((r) => String(r.row)));
    }
    return dump;
  }

  it("is in no check run sent to GitHub, no table, no log line of the app and no page", async () => {
    isolateGitHub();
    const runtime = new ThreadedDockerRuntime();
    const app = await startObservedApp(runtime);
    try {
      const payload = pullRequestCommentPayload("/automation run leak\n");
      const repository: string = payload.repository.full_name;
      const { cloneUrl, headSha } = await git.createRepo(repository, { "README.md": "hello\n" });
      payload.repository.clone_url = cloneUrl;
      const author: string = payload.comment.user.login;
      const path = ".github/automations/leak.yml";
      const definition = [
        "description: Prints its secret every way it can",
        "container:",
        `  image: ${TEST_IMAGE}`,
        "  network: none",
        "  secrets: [API_TOKEN]",
        "steps:",
        "  - name: Print it",
        "    run: |",
        '      echo "raw $API_TOKEN"',
        '      printf %s "$API_TOKEN" | base64',
        '      printf "x%s" "$API_TOKEN" | base64',
        '      printf "split %s" "$(printf %s "$API_TOKEN" | cut -c1-11)"',
        "      sleep 0.3",
        '      printf "%s end\\n" "$(printf %s "$API_TOKEN" | cut -c12-)"',
        "  - name: Fail with it",
        "    run: |",
        '      echo "error: the service refused token $API_TOKEN" >&2',
        "      exit 4",
        "",
      ].join("\n");

      nock(GITHUB_API)
        .post(`/app/installations/${payload.installation.id}/access_tokens`)
        .reply(201, installationTokenResponse(TOKEN))
        .get(`/repos/${repository}/collaborators/${author}/permission`)
        .reply(200, { permission: "write", role_name: "write", user: { login: author } })
        .get(`/repos/${repository}/contents/${encodeURIComponent(path)}`)
        .query({ ref: payload.repository.default_branch })
        .reply(200, contentsResponse(path, definition))
        .get(`/repos/${repository}/pulls/${payload.issue.number}`)
        .reply(200, { number: payload.issue.number, head: { sha: headSha, ref: "feature" } })
        .post(`/repos/${repository}/issues/comments/${payload.comment.id}/reactions`, { content: "rocket" })
        .reply(201, { id: 1, content: "rocket" });
      const checkRuns = recordCheckRuns(repository, 7601);

      expect((await app.deliver("issue_comment", payload)).status).toBe(200);
      const completed = await waitFor("the action's check to complete", () => checkRuns.updated.find((u) => u.status === "completed"));
      await waitFor("the run's summary check to complete", () => checkRuns.summary.updated.find((u) => u.status === "completed"));
      await app.background.reporter.drain();
      expect(nock.pendingMocks()).toEqual([]);

      // The secret was printed, and masked where it shows: the search below looks at real output.
      expect(completed.conclusion).toBe("failure");
      expect(completed.output.summary).toContain("error: the service refused token ***");

      const places: Array<{ kind: string; name: string; text: string }> = [];
      const bodies = [...checkRuns.created, ...checkRuns.updated, ...checkRuns.summary.created, ...checkRuns.summary.updated];
      bodies.forEach((body, i) => places.push({ kind: "check-run body", name: `#${i + 1}`, text: JSON.stringify(body) }));

      const tables = await everyTableAsText();
      let rows = 0;
      for (const [table, tableRows] of tables) {
        rows += tableRows.length;
        tableRows.forEach((row, i) => places.push({ kind: "row", name: `${table}[${i}]`, text: row }));
      }
      const [run] = await database.db.select().from(runs);
      const detail = await loadRun(database.db, run!.id);
      expect(detail?.actions).toHaveLength(1);
      const actionDetail = await loadAction(database.db, detail!.actions[0]!.id);
      const chunks = await loadLogChunks(database.db, actionDetail!.action.id);
      const stored = chunks.map((c) => c.content).join("");
      expect(stored).toContain("raw ***\n");
      expect(stored).toContain("split *** end\n");

      // The pages, rendered as their routes render them for someone who may read and write here.
      const viewer = { login: author, csrf: "csrf-token" };
      const access = new Map([[repository.toLowerCase(), "write" as const]]);
      places.push({ kind: "page", name: "action", text: String(actionPage({ viewer, detail: actionDetail!, chunks, truncated: false, canWrite: true })) });
      places.push({ kind: "page", name: "run", text: String(runPage({ viewer, detail: detail!, access, githubUrl: "https://github.com", retryAvailable: true })) });
      places.push({ kind: "page", name: "log.txt", text: stored });

      await app.stop();
      expect(logLines.length).toBeGreaterThan(0);
      expect(logLines.some((line) => line.includes(actionDetail!.action.id))).toBe(true);
      logLines.forEach((line, i) => places.push({ kind: "log line", name: `#${i + 1}`, text: line }));

      const occurrences = places.flatMap((place) => FORMS.filter((form) => place.text.includes(form)).map((form) => `${place.kind} ${place.name} holds ${form === SECRET ? "the secret" : "its base64"}`));
      const count = (kind: string) => places.filter((p) => p.kind === kind).length;
      console.info(
        `secrets: ${places.length} places searched (${count("check-run body")} check-run bodies, ${tables.size} tables with ${rows} rows, ` +
          `${count("log line")} log lines, ${count("page")} pages), occurrences: ${occurrences.length}`,
      );
      expect(occurrences).toEqual([]);
    } finally {
      await app.stop().catch(() => {});
      await runtime.close();
      restoreNetwork();
    }
  });
});
