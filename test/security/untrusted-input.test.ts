import { posix } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseDefinition } from "../../src/automations/parse-definition.js";
import { pullRequestBranch } from "../../src/execution/pull-request-branch.js";
import { matchProjects } from "../../src/targets/match-projects.js";

// Paths and names that come from a definition or from a repository's tree and end up as a
// working directory in the container or a branch the app pushes to. Climbing out of the
// checkout, or naming a ref git would read another way, is refused where the definition is read,
// with the field and its line; a hostile tree never yields a directory outside the checkout.

const FILE = ".github/automations/hostile.yml";
const STEPS = ["container:", "  image: busybox", "steps:", "  - name: Greet", "    run: echo hi"];

/** A definition with `value` as the only project glob, on line 7. */
const withProject = (value: string) => [...STEPS, "targets:", `  projects: [${JSON.stringify(value)}]`, ""].join("\n");
/** A definition with `value` as pull_request.branch, on line 7. */
const withBranch = (value: string) => [...STEPS, "pull_request:", `  branch: ${JSON.stringify(value)}`, ""].join("\n");
const VALUE_LINE = 7;

const hostileProjects = [
  "../x",
  "..",
  "a/../../b",
  "services/..",
  "services/*/..",
  "**/../x",
  "./../x",
  "a/./../b",
  "a//../b",
  "services/{a,../../x}",
  "/etc",
  "/",
  "\\x",
  "a\\..\\..\\b",
  "C:\\Windows",
  ".",
  "./",
  "",
  "{..,services}/*",
  "services/{..,a}",
  "services/\u0000x",
  "services/\n../x",
  "a/\u0001",
  "a/\u001b[2J",
];

const hostileBranches = [
  "../x",
  "a/../../b",
  "/etc",
  "refs/heads/../x",
  "x/.lock",
  "x.lock",
  ".git",
  "x/.git/config",
  "@{",
  "main@{1}",
  "@",
  "a\\b",
  "-x",
  "--upload-pack=touch",
  "a b",
  "a~1",
  "a^",
  "a:b",
  "a?",
  "a*",
  "a[",
  "a//b",
  "a/",
  "a.",
  "a\u0000b",
  "a\nb",
  "a\rb",
  "a\tb",
  "a\u001bb",
  "a\u007fb",
  "HEAD",
  "a/b.lock/c",
  "refs/heads/main",
];

// Directories a repository's tree could list if GitHub's answer were hostile; git itself never
// stores such paths, which is why they are worth a check rather than a trust.
const hostileTree = [
  "",
  ".",
  "..",
  "../x",
  "./services",
  "/etc",
  "/",
  "a/../../b",
  "services/..",
  "services/../..",
  "services/./api",
  "services/.",
  "services\\..\\..",
  "services//api",
  "services/api/",
  "services/api",
  "services/web",
  "services/.hidden",
];

// Globs that pass validation yet spell a way out, and the ordinary ones.
const globLists = [["**"], ["*"], ["*/*"], ["services/*"], ["services/**"], ["{..,services}/*"], ["services/{..,api}"], ["**", "!services/web"]];

const CONTROL_CHARACTER = /[\x00-\x1f\x7f]/;

const figure = { cases: 0, rejected: 0, outside: 0 };

describe("untrusted paths and branch names", () => {
  afterAll(() => {
    console.info(`untrusted input: ${figure.cases} cases, rejected: ${figure.rejected}, paths outside the repository: ${figure.outside}`);
  });

  it.each(hostileProjects)("refuses targets.projects %j, naming the field and its line", (value) => {
    figure.cases++;
    const result = parseDefinition(withProject(value), FILE);
    if (!result.ok) figure.rejected++;
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toContainEqual(
      expect.objectContaining({ path: FILE, line: VALUE_LINE, message: expect.stringMatching(/^targets\.projects\[0\]: [\s\S]* is not a project path/) }),
    );
    // Quoted with its control characters escaped: the message is echoed to terminals and comments.
    for (const error of result.errors) expect(error.message).not.toMatch(CONTROL_CHARACTER);
  });

  it("refuses an exclusion that climbs out, as it refuses an inclusion", () => {
    figure.cases++;
    const result = parseDefinition([...STEPS, "targets:", '  projects: ["services/*", "!../x"]', ""].join("\n"), FILE);
    if (!result.ok) figure.rejected++;
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([expect.objectContaining({ line: VALUE_LINE, message: expect.stringMatching(/^targets\.projects\[1\]: "!\.\.\/x" is not a project path/) })]);
  });

  it.each(hostileBranches)("refuses pull_request.branch %j, naming the field and its line", (value) => {
    figure.cases++;
    const result = parseDefinition(withBranch(value), FILE);
    if (!result.ok) figure.rejected++;
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      expect.objectContaining({ path: FILE, line: VALUE_LINE, message: expect.stringMatching(/^pull_request\.branch: [\s\S]* is not a valid branch name$/) }),
    ]);
    for (const error of result.errors) expect(error.message).not.toMatch(CONTROL_CHARACTER);
  });

  it("accepts the ordinary forms, so the refusals above are about the hostile parts", () => {
    for (const source of [withProject("services/*"), withProject("./services/api/"), withBranch("automation/upgrade-node")]) {
      expect(parseDefinition(source, FILE)).toMatchObject({ ok: true });
    }
  });

  it.each(globLists.map((globs) => [globs.join(" "), globs] as const))(
    "never selects a directory outside the checkout from a hostile tree, with %s",
    (_name, globs) => {
      figure.cases++;
      const selected = matchProjects(hostileTree, globs);
      // As execution uses a project: the step's working directory under the workspace mount.
      const outside = selected.filter((project) => {
        const dir = posix.join("/workspace", project);
        return !dir.startsWith("/workspace/") || posix.relative("/workspace", dir).split("/").includes("..");
      });
      figure.outside += outside.length;
      expect(outside).toEqual([]);
      for (const project of selected) {
        expect(project === "" || project === "." || project.startsWith("/") || project.split("/").includes("..")).toBe(false);
        // Each project's own branch is one git accepts, whatever the directory is called.
        expect(parseDefinition(withBranch(pullRequestBranch("automation/hostile", project)), FILE)).toMatchObject({ ok: true });
      }
    },
  );

  it("still selects the ordinary directories of that tree", () => {
    expect(matchProjects(hostileTree, ["services/*"])).toEqual(expect.arrayContaining(["services/api", "services/web"]));
  });
});
