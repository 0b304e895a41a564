import { request } from "node:http";
import nock from "nock";
import pino from "pino";
import { Probot, Server } from "probot";
import { privateKey, TestOctokit } from "./test-app-credentials.js";
import { automationsApp } from "../../src/index.js";
import type { Db } from "../../src/db/client.js";
import { inProcessWakeups, type Wakeups } from "../../src/queue/wakeups.js";
import type { PagesConfig } from "../../src/web/pages-config.js";
import { freePort } from "./free-port.js";

// The app as `npm start` serves its pages (Probot's server, the pages added with addHandler),
// without workers: the tests write the database as workers would.

export const CLIENT_ID = "Iv1.pagesclient";
export const CLIENT_SECRET = "pages-client-secret";

export interface PagesApp {
  url: string;
  wakeups: Wakeups;
  stop(): Promise<void>;
}

export async function startPagesApp(db: Db, options: { pollMs?: number; publicUrl?: string } = {}): Promise<PagesApp> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const wakeups = inProcessWakeups();
  const config: PagesConfig = {
    oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    githubUrl: "https://github.com",
    apiUrl: "https://api.github.com",
    publicUrl: options.publicUrl,
    sessionSecret: "pages-test-session-secret",
  };
  const server = new Server({
    host: "127.0.0.1",
    port,
    log,
    Probot: Probot.defaults({ appId: 4243, privateKey, secret: "pages-webhook-secret", Octokit: TestOctokit, log }),
  });
  await server.load(automationsApp({ db, wakeups, pages: { config, pollMs: options.pollMs ?? 100 } }));
  await server.start();
  return { url, wakeups, stop: () => server.stop() };
}

export interface Person {
  login: string;
  token: string;
  /** `owner/repo` → write access or not, as GitHub lists it for the person. */
  repositories: Record<string, "read" | "write">;
}

/** GitHub's answers for a person signing in: the code exchange and who they are. */
export function mockSignIn(person: Person, code: string): void {
  nock("https://github.com")
    .post("/login/oauth/access_token", (body: { code?: string; client_id?: string; client_secret?: string }) => {
      return body.code === code && body.client_id === CLIENT_ID && body.client_secret === CLIENT_SECRET;
    })
    .reply(200, { access_token: person.token, token_type: "bearer", scope: "" });
  nock("https://api.github.com", { reqheaders: { authorization: `token ${person.token}` } })
    .get("/user")
    .reply(200, { login: person.login, id: 1000 + person.login.length });
}

/** GitHub's answer to which repositories of the app's installation the person can read. */
export function mockRepositories(person: Person): void {
  const api = nock("https://api.github.com", { reqheaders: { authorization: `token ${person.token}` } });
  api.get("/user/installations").query({ per_page: "100" }).reply(200, { total_count: 1, installations: [{ id: 1 }] });
  api
    .get("/user/installations/1/repositories")
    .query({ per_page: "100" })
    .reply(200, {
      total_count: Object.keys(person.repositories).length,
      repositories: Object.entries(person.repositories).map(([fullName, access], i) => ({
        id: 300 + i,
        full_name: fullName,
        permissions: { admin: false, maintain: false, push: access === "write", triage: false, pull: true },
      })),
    });
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

// node:http rather than fetch: nock's fetch interception does not pass local requests through cleanly.
export function httpRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const headers = { ...options.headers, ...(options.body !== undefined ? { "content-length": String(Buffer.byteLength(options.body)) } : {}) };
    const req = request(url, { method: options.method ?? "GET", headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.once("error", reject);
    req.end(options.body);
  });
}

/** `name=value` of the cookie `name` a response set, for sending it back. */
export function cookieFrom(response: HttpResponse, name: string): string | null {
  const setCookie = response.headers["set-cookie"] ?? [];
  for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) {
    const pair = line.split(";")[0] ?? "";
    if (pair.startsWith(`${name}=`) && pair.length > name.length + 1) return pair;
  }
  return null;
}

/** Signs the person in as a browser would (GitHub mocked) and returns their session cookie. */
export async function signIn(app: PagesApp, person: Person): Promise<string> {
  const start = await httpRequest(`${app.url}/automations/sign-in?next=/automations`);
  const location = gitHubLinkIn(start.body);
  const state = location.searchParams.get("state") ?? "";
  const stateCookie = cookieFrom(start, "automations_oauth_state") ?? "";
  const code = `code-${person.login}`;
  mockSignIn(person, code);
  const back = await httpRequest(`${app.url}/automations/auth/callback?code=${code}&state=${state}`, { headers: { cookie: stateCookie } });
  const session = cookieFrom(back, "automations_session");
  if (back.status !== 302 || !session) throw new Error(`sign-in failed: ${back.status} ${back.body}`);
  return session;
}

/** The CSRF token in a page's forms. */
export function csrfTokenIn(page: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(page);
  if (!match?.[1]) throw new Error("the page has no form with a CSRF token");
  return match[1];
}

/** Where the sign-in page's "Sign in with GitHub" link goes. */
export function gitHubLinkIn(page: string): URL {
  const match = /id="sign-in-with-github" href="([^"]+)"/.exec(page);
  if (!match?.[1]) throw new Error("the page has no Sign in with GitHub link");
  return new URL(match[1].replaceAll("&amp;", "&"));
}
