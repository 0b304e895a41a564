import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { csrf } from "hono/csrf";
import type { Logger } from "pino";
import { base } from "./format.js";
import type { GitHubUsers, RepositoryAccess } from "./github-user.js";
import { SignInError } from "./github-user.js";
import { html } from "./html.js";
import { layout, messagePage, type Viewer } from "./layout.js";
import type { PagesConfig } from "./pages-config.js";
import { cookieSealer } from "./sealed-cookie.js";

// Sign-in with GitHub (the app's OAuth web flow), the session cookie, and the checks every
// request passes: signed in, and for a POST, the form's CSRF token and a same-origin request.

export interface PageSession {
  login: string;
  token: string;
  /** The CSRF token of this session, echoed by every form. */
  csrf: string;
}

export type PagesEnv = {
  Variables: {
    session: PageSession;
    viewer: Viewer;
    /** `owner/repo` → access, for the repositories the person can read. */
    access: Map<string, RepositoryAccess>;
  };
};

export const SESSION_COOKIE = "automations_session";
const STATE_COOKIE = "automations_oauth_state";
const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
const STATE_TTL_MS = 10 * 60 * 1000;

export interface AuthDeps {
  config: PagesConfig;
  users: GitHubUsers;
  repositories: (token: string) => Promise<Map<string, RepositoryAccess>>;
  log: Logger;
}

export function pageAuth(deps: AuthDeps) {
  const sessions = cookieSealer(deps.config.sessionSecret, "session");
  const states = cookieSealer(deps.config.sessionSecret, "oauth-state");

  const origin = (c: Context) => (deps.config.publicUrl ? new URL(deps.config.publicUrl).origin : new URL(c.req.url).origin);
  const cookieOptions = (c: Context, maxAgeMs: number) =>
    ({
      path: base,
      httpOnly: true,
      sameSite: "Lax",
      secure: origin(c).startsWith("https:"),
      maxAge: Math.floor(maxAgeMs / 1000),
    }) as const;

  /** Only a path of these pages may be returned to after sign-in: never another site. */
  const safeNext = (next: string | undefined) =>
    next && next.startsWith(`${base}`) && !next.startsWith("//") && !next.includes("\\") ? next : base;

  const signIn = (c: Context) => {
    if (!deps.config.oauth) {
      return c.html(
        messagePage(
          "Sign-in is not set up",
          null,
          html`These pages need the GitHub App's OAuth credentials: set <code>GITHUB_CLIENT_ID</code> and <code>GITHUB_CLIENT_SECRET</code> (the app's settings page on GitHub shows them; Probot's setup writes them to <code>.env</code>) and restart the app.`,
        ),
        503,
      );
    }
    const state = randomBytes(16).toString("hex");
    const next = safeNext(c.req.query("next"));
    setCookie(c, STATE_COOKIE, states.seal({ state, next }, STATE_TTL_MS), cookieOptions(c, STATE_TTL_MS));
    const authorize = new URL(`${deps.config.githubUrl}/login/oauth/authorize`);
    authorize.searchParams.set("client_id", deps.config.oauth.clientId);
    authorize.searchParams.set("redirect_uri", `${origin(c)}${base}/auth/callback`);
    authorize.searchParams.set("state", state);
    // A page with a link rather than a redirect: the person sees where they are sent and why.
    return c.html(
      layout({
        title: "Sign in",
        viewer: null,
        body: html`<h1>Sign in</h1>
<p class="message">The runs of automations are shown to people who can read their repositories on GitHub.</p>
<p><a class="button primary" id="sign-in-with-github" href="${authorize.toString()}">Sign in with GitHub</a></p>`,
      }),
    );
  };

  const callback = async (c: Context) => {
    const saved = states.open<{ state: string; next: string }>(getCookie(c, STATE_COOKIE));
    deleteCookie(c, STATE_COOKIE, { path: base });
    const code = c.req.query("code");
    const state = c.req.query("state");
    if (c.req.query("error")) {
      return c.html(messagePage("Sign-in was not completed", null, html`GitHub said: ${c.req.query("error_description") ?? c.req.query("error")}. <a href="${base}/sign-in">Try again</a>.`), 400);
    }
    if (!saved || !code || !state || !equal(saved.state, state)) {
      return c.html(
        messagePage("Sign-in expired", null, html`The sign-in could not be matched to this browser (it took over 10 minutes, or cookies are blocked). <a href="${base}/sign-in">Sign in again</a>.`),
        400,
      );
    }
    try {
      const token = await deps.users.exchangeCode(code, `${origin(c)}${base}/auth/callback`);
      const user = await deps.users.user(token);
      const session: PageSession = { login: user.login, token, csrf: randomBytes(24).toString("base64url") };
      setCookie(c, SESSION_COOKIE, sessions.seal(session, SESSION_TTL_MS), cookieOptions(c, SESSION_TTL_MS));
      deps.log.info({ login: user.login }, "signed in to the pages");
      return c.redirect(safeNext(saved.next), 302);
    } catch (err) {
      deps.log.warn({ err }, "sign-in with GitHub failed");
      const why = err instanceof SignInError ? err.message : "GitHub could not be reached";
      return c.html(messagePage("Sign-in failed", null, html`${why}. <a href="${base}/sign-in">Try again</a>.`), 502);
    }
  };

  const signOut = (c: Context) => {
    deleteCookie(c, SESSION_COOKIE, { path: base });
    return c.redirect(`${base}/signed-out`, 303);
  };

  /** Every page but sign-in: a valid session, and the repositories its person can read. */
  const requireSession: MiddlewareHandler<PagesEnv> = async (c, next) => {
    const session = sessions.open<PageSession>(getCookie(c, SESSION_COOKIE));
    if (!session) {
      if (c.req.method === "GET" && c.req.header("accept")?.includes("text/event-stream") !== true) {
        return c.redirect(`${base}/sign-in?next=${encodeURIComponent(c.req.path + (new URL(c.req.url).search ?? ""))}`, 302);
      }
      return c.text("Sign in first: the session is missing or has expired.", 401);
    }
    let access: Map<string, RepositoryAccess>;
    try {
      access = await deps.repositories(session.token);
    } catch (err) {
      if ((err as { status?: number }).status === 401) {
        // The token was revoked or expired on GitHub: the session is worth nothing any more.
        deleteCookie(c, SESSION_COOKIE, { path: base });
        return c.redirect(`${base}/sign-in?next=${encodeURIComponent(c.req.path)}`, 302);
      }
      deps.log.error({ err, login: session.login }, "could not list the repositories of a signed-in person");
      return c.html(messagePage("GitHub could not be reached", null, "The pages could not ask GitHub which repositories you can read. Reload in a moment."), 502);
    }
    c.set("session", session);
    c.set("viewer", { login: session.login, csrf: session.csrf });
    c.set("access", access);
    await next();
  };

  /** A POST must come from these pages: same origin, and the session's token in the form. */
  const originCheck = csrf({ origin: (value, c) => value === origin(c) || value === new URL(c.req.url).origin });
  const requireCsrfToken: MiddlewareHandler<PagesEnv> = async (c, next) => {
    if (c.req.method !== "POST") return next();
    const form = await c.req.parseBody();
    const token = typeof form._csrf === "string" ? form._csrf : "";
    if (!equal(token, c.get("session").csrf)) {
      return c.html(messagePage("The form has expired", c.get("viewer"), html`Nothing was done: the form did not carry this session's token. Go back, reload the page and try again.`), 403);
    }
    await next();
  };

  return { signIn, callback, signOut, requireSession, originCheck, requireCsrfToken };
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
