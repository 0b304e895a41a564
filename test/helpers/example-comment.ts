import nock from "nock";
import { contentsResponse, GITHUB_API, installationTokenResponse } from "./github-api.js";
import { pullRequestCommentPayload } from "./webhooks.js";

// The pull request comment of GitHub's example payload (Codertocat/Hello-World, default branch
// master), and the GitHub calls a command on it makes, for tests that mock them one by one.

const sample = pullRequestCommentPayload("");
export const example = {
  repository: sample.repository.full_name as string,
  owner: sample.repository.owner.login as string,
  defaultBranch: sample.repository.default_branch as string,
  installationId: sample.installation.id as number,
  author: sample.comment.user.login as string,
  issueNumber: sample.issue.number as number,
  commentId: sample.comment.id as number,
};

export const EXAMPLE_TOKEN = "ghs_exampleCommentTestToken0123456789";

export const definitionFile = (name: string) => `.github/automations/${name}.yml`;
export const contentsPath = (repo: string, name: string) => `/repos/${repo}/contents/${encodeURIComponent(definitionFile(name))}`;

/** The installation token; Probot asks once per app and caches it. */
export function mockToken() {
  nock(GITHUB_API).post(`/app/installations/${example.installationId}/access_tokens`).reply(201, installationTokenResponse(EXAMPLE_TOKEN));
}

export function mockPermission(permission: string, times = 1) {
  nock(GITHUB_API)
    .get(`/repos/${example.repository}/collaborators/${example.author}/permission`)
    .times(times)
    .reply(200, { permission, role_name: permission, user: { login: example.author } });
}

/** The definition on the repository's own default branch. */
export function mockDefinition(name: string, source: string, times = 1): nock.Scope {
  return nock(GITHUB_API)
    .get(contentsPath(example.repository, name))
    .query({ ref: example.defaultBranch })
    .times(times)
    .reply(200, contentsResponse(definitionFile(name), source));
}

/** Captures the bodies of the comments the app posts on the pull request (one expected). */
export function captureReplies(): string[] {
  const bodies: string[] = [];
  nock(GITHUB_API)
    .post(`/repos/${example.repository}/issues/${example.issueNumber}/comments`, (body: { body: string }) => {
      bodies.push(body.body);
      return true;
    })
    .reply(201, { id: 9001 });
  return bodies;
}
