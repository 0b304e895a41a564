import { describe, expect, it } from "vitest";
import type { DefinitionError } from "../../src/automations/parse-definition.js";
import { checkRunAnnotationsMaxPerRequest, checkRunSummaryMaxChars } from "../../src/reporting/github-limits.js";
import { renderDefinitionErrorsCheck } from "../../src/reporting/render-definition-errors.js";

const path = ".github/automations/hello.yml";
const error = (line: number, column: number, message: string): DefinitionError => ({ path, line, column, message });

const here = { definitionRepository: "acme/web", checkRepository: "acme/web" };

describe("renderDefinitionErrorsCheck", () => {
  it("names the check for the automation and counts the errors in the title", () => {
    const check = renderDefinitionErrorsCheck({ automation: "hello", errors: [error(3, 12, "container.timeout must be longer than zero")], ...here });
    expect(check.name).toBe("automation: hello");
    expect(check.title).toBe("Invalid definition: 1 error");
    expect(renderDefinitionErrorsCheck({ automation: "hello", errors: [error(1, 1, "a"), error(2, 1, "b")], ...here }).title).toBe(
      "Invalid definition: 2 errors",
    );
  });

  it("annotates each error on its line and column", () => {
    const check = renderDefinitionErrorsCheck({
      automation: "hello",
      errors: [error(1, 1, "container is required"), error(4, 7, 'unknown key "runs" in steps[0]')],
      ...here,
    });
    expect(check.annotations).toEqual([
      { path, start_line: 1, end_line: 1, start_column: 1, end_column: 1, annotation_level: "failure", message: "container is required" },
      { path, start_line: 4, end_line: 4, start_column: 7, end_column: 7, annotation_level: "failure", message: 'unknown key "runs" in steps[0]' },
    ]);
  });

  it("lists every error in the summary as file:line:col: message, and how to fix it", () => {
    const check = renderDefinitionErrorsCheck({ automation: "hello", errors: [error(3, 12, "container.timeout must be longer than zero")], ...here });
    expect(check.summary).toBe(
      [
        "`hello` was not started: `.github/automations/hello.yml` on the default branch of `acme/web` is not a valid automation definition.",
        "",
        "```",
        ".github/automations/hello.yml:3:12: container.timeout must be longer than zero",
        "```",
        "",
        "Fix it on the default branch, then comment `/automation run hello` again. Definitions are never read from a pull request.",
      ].join("\n"),
    );
  });

  it(`annotates at most ${checkRunAnnotationsMaxPerRequest} errors, GitHub's limit per request, and lists them all`, () => {
    const errors = Array.from({ length: 60 }, (_, i) => error(i + 1, 1, `problem ${i + 1}`));
    const check = renderDefinitionErrorsCheck({ automation: "hello", errors, ...here });
    expect(check.annotations).toHaveLength(checkRunAnnotationsMaxPerRequest);
    expect(check.annotations.at(-1)?.message).toBe("problem 50");
    expect(check.summary).toContain(`${path}:60:1: problem 60`);
    expect(check.summary).toContain("The first 50 of 60 errors are annotated on the file.");
  });

  it("names the organisation's repository and annotates nothing when the file is not in the checked repository", () => {
    const check = renderDefinitionErrorsCheck({
      automation: "hello",
      errors: [error(2, 3, "container.image is required")],
      definitionRepository: "acme/.github",
      checkRepository: "acme/web",
    });
    expect(check.annotations).toEqual([]);
    expect(check.summary).toContain("acme/.github:.github/automations/hello.yml:2:3: container.image is required");
    expect(check.summary).toContain("The file is in `acme/.github`, so its errors cannot be annotated on this commit.");
  });

  it("treats repository names case-insensitively, as GitHub does", () => {
    const check = renderDefinitionErrorsCheck({
      automation: "hello",
      errors: [error(2, 3, "x")],
      definitionRepository: "Acme/Web",
      checkRepository: "acme/web",
    });
    expect(check.annotations).toHaveLength(1);
    expect(check.summary).toContain(`\n${path}:2:3: x\n`);
  });

  it("keeps a code block intact when a message holds backticks, and fits GitHub's summary limit", () => {
    const long = "`".repeat(5) + "x".repeat(100_000);
    const check = renderDefinitionErrorsCheck({ automation: "hello", errors: [error(1, 1, long)], ...here });
    expect(check.summary.length).toBeLessThanOrEqual(checkRunSummaryMaxChars);
    expect(check.summary).toContain("``````\n");
    expect(check.summary).toMatch(/…\n``````\n\nFix it/);
    expect(check.annotations[0]?.message.length).toBeLessThanOrEqual(1_000);
  });
});
