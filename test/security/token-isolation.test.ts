import { describe, expect, it } from "vitest";
import { INSTALLATION_TOKEN, useCommentScenarios } from "../helpers/comment-scenario.js";
import { shouldSkipDockerTests, TEST_IMAGE } from "../helpers/docker.js";

const skip = await shouldSkipDockerTests();

// The installation token clones the target on the host and never reaches the container: not in
// its environment, not in its mounts, not in any file of the workspace it is given. The step
// counts matches of a part of the token, so the count is seen even if output were masked.

describe.skipIf(skip)("the installation token and the container (PostgreSQL, Docker)", () => {
  const scenarios = useCommentScenarios();

  it("is in neither the container's environment, its mounts nor its workspace", async () => {
    const needle = INSTALLATION_TOKEN.slice(4, 24);
    const scenario = await scenarios.start({
      automation: "look-for-token",
      definition: [
        "description: Looks for the token where a step could read it",
        "container:",
        `  image: ${TEST_IMAGE}`,
        "steps:",
        "  - name: Look",
        "    run: |",
        `      echo "environment: $(cat /proc/1/environ /proc/self/environ | tr '\\0' '\\n' | grep -c ${needle})"`,
        `      echo "mounts: $(grep -c ${needle} /proc/self/mounts)"`,
        `      echo "workspace files: $(grep -rl ${needle} /workspace 2>/dev/null | wc -l)"`,
        `      echo "git config: $(cat /workspace/.git/config | wc -l) lines"`,
      ].join("\n"),
    });
    const completed = await scenario.completedCheck();
    expect(completed.conclusion).toBe("success");
    const summary: string = completed.output.summary;
    const found = (where: string) => new RegExp(`${where}: (\\d+)`).exec(summary)?.[1] ?? "not reported";
    console.info(
      `installation token found in the container's environment: ${found("environment")}, mounts: ${found("mounts")}, workspace files: ${found("workspace files")}`,
    );
    expect(summary).toMatch(/environment: 0\b/);
    expect(summary).toMatch(/mounts: 0\b/);
    expect(summary).toMatch(/workspace files: 0\b/);
    // The workspace is a real clone (its git config was read), and the clone did use the token.
    expect(summary).toMatch(/git config: [1-9]\d* lines/);
    expect(scenario.git.requests.some((r) => r.authorization !== undefined)).toBe(true);
  });
});
