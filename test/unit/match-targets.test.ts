import { describe, expect, it } from "vitest";
import { matchRepositories, restrictToRepositories } from "../../src/targets/match-repositories.js";
import { matchProjects, mayContainProjects } from "../../src/targets/match-projects.js";
import { parseDefinition, formatDefinitionError } from "../../src/automations/parse-definition.js";
import type { CandidateRepository, TargetsDefinition } from "../../src/targets/target.js";

function repo(fullName: string, extra: Partial<CandidateRepository> = {}): CandidateRepository {
  return {
    fullName,
    id: fullName.length * 1000 + fullName.charCodeAt(fullName.length - 1),
    cloneUrl: `https://github.example.com/${fullName}.git`,
    defaultBranch: "main",
    archived: false,
    fork: false,
    topics: [],
    ...extra,
  };
}

const installation = [
  repo("acme/api", { topics: ["node", "service"] }),
  repo("acme/web", { topics: ["Node"] }),
  repo("acme/legacy-billing", { topics: ["node"] }),
  repo("acme/old-site", { archived: true, topics: ["node"] }),
  repo("acme/lodash", { fork: true }),
  repo("acme/.github"),
  repo("other/api", { topics: ["node"] }),
];
const triggering = installation[0]!;

const targets = (t: Partial<TargetsDefinition>): TargetsDefinition => ({ include_archived: false, include_forks: false, ...t });
const names = (t: TargetsDefinition | undefined, from = triggering) => {
  const match = matchRepositories(installation, t, from);
  return { matched: match.matched.map((r) => r.fullName), skipped: match.skipped.map((s) => `${s.repository}: ${s.kind}`) };
};

describe("matchRepositories", () => {
  it.each<[string, TargetsDefinition | undefined, string[], string[]]>([
    ["no targets: the triggering repository", undefined, ["acme/api"], []],
    ["targets without repositories: still the triggering repository", targets({ projects: ["services/*"] }), ["acme/api"], []],
    ["a glob over one owner, archived and forks left out", targets({ repositories: ["acme/*"] }), ["acme/api", "acme/legacy-billing", "acme/web"], ["acme/lodash: fork", "acme/old-site: archived"]],
    ["an exclusion removes what it matches, wherever it stands", targets({ repositories: ["!acme/legacy-*", "acme/*"] }), ["acme/api", "acme/web"], ["acme/lodash: fork", "acme/old-site: archived"]],
    ["names are compared without case", targets({ repositories: ["ACME/API", "Acme/Web"] }), ["acme/api", "acme/web"], []],
    ["a star owner", targets({ repositories: ["*/api"] }), ["acme/api", "other/api"], []],
    ["a dot repository needs the dot spelt", targets({ repositories: ["acme/.*"] }), ["acme/.github"], []],
    ["topics filter, without case", targets({ repositories: ["*/*"], topics: ["node"] }), ["acme/api", "acme/legacy-billing", "acme/web", "other/api"], ["acme/old-site: archived"]],
    ["any one of several topics", targets({ repositories: ["acme/*"], topics: ["service", "nothing"] }), ["acme/api"], []],
    ["archived included when asked", targets({ repositories: ["acme/old-*"], include_archived: true }), ["acme/old-site"], []],
    ["forks included when asked", targets({ repositories: ["acme/lodash"], include_forks: true }), ["acme/lodash"], []],
    ["only exclusions select nothing", targets({ repositories: ["!acme/api"] }), [], []],
    ["a glob that matches nothing", targets({ repositories: ["nobody/*"] }), [], []],
  ])("%s", (_name, definition, matched, skipped) => {
    expect(names(definition)).toEqual({ matched, skipped });
  });

  it("filters the triggering repository by topics when no repositories are named", () => {
    expect(names(targets({ topics: ["python"] })).matched).toEqual([]);
    expect(names(targets({ topics: ["service"] })).matched).toEqual(["acme/api"]);
  });

  it("keeps a triggering fork as its own target: the exclusion is about what globs sweep in", () => {
    const fork = repo("someone/api", { fork: true });
    expect(matchRepositories(installation, undefined, fork).matched).toEqual([fork]);
  });
});

describe("restrictToRepositories", () => {
  const matched = [repo("acme/api"), repo("acme/web")];
  it.each<[string[], string[], string[]]>([
    [[], ["acme/api", "acme/web"], []],
    [["acme/web"], ["acme/web"], []],
    [["ACME/Web", "acme/nope"], ["acme/web"], ["acme/nope"]],
    [["other/x", "acme/nope"], [], ["other/x", "acme/nope"]],
  ])("%j keeps %j and names %j as not targets", (requested, kept, notTargets) => {
    const result = restrictToRepositories(matched, requested);
    expect({ kept: result.kept.map((r) => r.fullName), notTargets: result.notTargets }).toEqual({ kept, notTargets });
  });
});

describe("matchProjects", () => {
  const tree = ["services", "services/api", "services/api/src", "services/web", "services/.cache", "services/legacy", "libs", "libs/a", "libs/a/b", "docs", ".github"];
  it.each<[string[], string[]]>([
    [["services/*"], ["services/api", "services/legacy", "services/web"]],
    [["services/*", "!services/legacy"], ["services/api", "services/web"]],
    [["./services/*/"], ["services/api", "services/legacy", "services/web"]],
    [["libs/**"], ["libs", "libs/a", "libs/a/b"]],
    [["libs/*/*"], ["libs/a/b"]],
    [["*"], ["docs", "libs", "services"]],
    [["services/{api,web}"], ["services/api", "services/web"]],
    [["services/.*"], ["services/.cache"]],
    [["nothing/*"], []],
    [["!services/*"], []],
  ])("%j selects %j", (globs, expected) => {
    expect(matchProjects(tree, globs)).toEqual(expected);
  });

  it("never selects the root or a path climbing out of the repository", () => {
    expect(matchProjects(["", "..", "a/../..", "/etc", "a"], ["**"])).toEqual(["a"]);
  });

  it.each<[string, string[], boolean]>([
    ["services", ["services/*"], true],
    ["services/api", ["services/*"], false],
    ["docs", ["services/*"], false],
    ["libs", ["libs/**"], true],
    ["libs/a/b/c", ["libs/**"], true],
    ["anything", ["**/package"], true],
    ["apps", ["{apps,services}/*"], true],
    ["services", ["!services/*", "libs/*"], false],
  ])("under %j, %j may match: %s", (dir, globs, expected) => {
    expect(mayContainProjects(dir, globs)).toBe(expected);
  });
});

describe("targets in a definition", () => {
  const base = "container:\n  image: busybox\nsteps:\n  - name: a\n    run: b\n";
  const errorsOf = (targetsYaml: string) => {
    const result = parseDefinition(`targets:\n${targetsYaml}${base}`, ".github/automations/x.yml");
    return result.ok ? [] : result.errors.map(formatDefinitionError);
  };

  it.each<[string, string]>([
    ['  projects: ["../other/*"]\n', '"../other/*" is not a project path'],
    ['  projects: ["services/../../etc"]\n', '"services/../../etc" is not a project path'],
    ['  projects: ["/srv/app"]\n', '"/srv/app" is not a project path'],
    ['  projects: ["services/*", "!../x"]\n', '"!../x" is not a project path'],
    ['  projects: ["."]\n', '"." is not a project path'],
    ['  projects: ["!services/legacy"]\n', 'targets.projects must include at least one project path without "!"'],
    ['  repositories: ["!acme/legacy-*"]\n', 'targets.repositories must include at least one repository pattern without "!"'],
    ['  repositories: ["acme"]\n', '"acme" is not a repository pattern'],
  ])("rejects %j with the file, line and what is wrong", (yaml, message) => {
    const errors = errorsOf(yaml);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^\.github\/automations\/x\.yml:2:\d+: /);
    expect(errors[0]).toContain(message);
  });

  it("accepts globs with exclusions and defaults archived and forks to excluded", () => {
    const result = parseDefinition(`targets:\n  repositories: ["acme/*", "!acme/legacy-*"]\n  topics: [node]\n  projects: ["services/*", "!services/legacy"]\n${base}`, "x.yml");
    expect(result.ok && result.definition.targets).toEqual({
      repositories: ["acme/*", "!acme/legacy-*"],
      topics: ["node"],
      projects: ["services/*", "!services/legacy"],
      include_archived: false,
      include_forks: false,
    });
  });
});
