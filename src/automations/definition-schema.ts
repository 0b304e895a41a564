import { z } from "zod";
import { automationNamePattern } from "./automation-name.js";
import { parseDuration } from "./parse-duration.js";
import { parseSize } from "./parse-size.js";

// The schema of `.github/automations/<name>.yml` (DESIGN.md §3), and the one place its defaults
// live. Messages written here are phrases without a subject ("must …", or `"30x" is not …`);
// parse-definition.ts puts the key path in front and the line:column of the key.

/**
 * An object that rejects unknown keys. Its unrecognized-keys message is the list of keys it does
 * know, so the reader can see both the typo and the fix.
 */
function strictObject<Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  const known = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (issue) => (issue.code === "unrecognized_keys" ? `expected one of: ${known}` : undefined),
  });
}

const nonEmptyString = z.string().min(1);

// Durations and sizes arrive as YAML strings or numbers; both become plain numbers here so no
// consumer ever parses `30m` again. The input is declared as string | number so the JSON Schema
// for editors says what may be written.
/** A positive quantity written the way people write it, parsed to a number by `parse`. */
function quantity(parse: (value: string | number) => number | null, what: string, examples: string, positive: string) {
  const written = z.union([z.string(), z.number()], { error: () => `must be a ${what} such as ${examples}` });
  return written.transform((input, ctx) => {
    if (typeof input === "number" && input <= 0) {
      ctx.addIssue({ code: "custom", input, message: positive });
      return z.NEVER;
    }
    const value = parse(input);
    if (value === null) {
      ctx.addIssue({
        code: "custom",
        input,
        message: typeof input === "string" ? `"${input}" is not a ${what} (use e.g. ${examples})` : `must be a ${what} such as ${examples}`,
      });
      return z.NEVER;
    }
    if (value <= 0) {
      ctx.addIssue({ code: "custom", input, message: positive });
      return z.NEVER;
    }
    return value;
  });
}

const duration = quantity(parseDuration, "duration", "30s, 30m, 1h30m", "must be longer than zero");
const size = quantity(parseSize, "size", "512m, 4g, 1.5g", "must be larger than zero");

const automationName = z.string().regex(automationNamePattern, {
  error: (issue) =>
    `"${String(issue.input)}" is not a valid automation name (use letters, digits, ".", "_" and "-", starting with a letter or digit)`,
});

// Names docker and a shell both accept; `=` or a space in a name would corrupt `docker run -e`.
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
  error: (issue) =>
    `"${String(issue.input)}" is not an environment variable name (use letters, digits and _, not starting with a digit)`,
});

// YAML turns `CI: true` and `PORT: 3000` into a boolean and a number; coercing them back would
// silently change values like `1.10` or `010`, so ask for quotes instead.
const envValue = z.string({
  error: (issue) =>
    typeof issue.input === "number" || typeof issue.input === "boolean"
      ? `must be a string; quote it: "${String(issue.input)}"`
      : undefined,
});

const env = z.record(envName, envValue);

const secretNamePattern = /^[A-Z_][A-Z0-9_]*$/;

// Secret values never belong in a definition (it sits in git for anyone who can read the
// repository); the ways people try it anyway get a message that says where the value goes.
const secretName = z
  .string({
    error: (issue) => {
      const key = firstKeyOf(issue.input);
      return key === null ? undefined : `must be a secret name, not a name with a value: ${secretHint(key)}`;
    },
  })
  .regex(secretNamePattern, {
    error: (issue) => {
      const input = String(issue.input);
      const equals = input.indexOf("=");
      if (equals > 0) return `"${input}" gives a secret a value: ${secretHint(input.slice(0, equals))}`;
      return `"${input}" is not a secret name (use A-Z, 0-9 and _, not starting with a digit)`;
    },
  });

const secrets = z.array(secretName, {
  error: (issue) => {
    const key = firstKeyOf(issue.input);
    return key === null ? undefined : `must be a list of secret names, not values: ${secretHint(key)}`;
  },
});

/** How to give secret `name` properly: its name in the list, its value to the app. */
function secretHint(name: string): string {
  const suggested = name.trim().toUpperCase().replace(/[^A-Z0-9_]/g, "_");
  const shown = secretNamePattern.test(suggested) ? suggested : "NAME";
  return `list only the name (${shown}) and set AUTOMATION_SECRET_${shown} where the app runs`;
}

function firstKeyOf(value: unknown): string | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  return Object.keys(value)[0] ?? null;
}

// Globs over the installation's repositories, `owner/name` with `*`, or `!` to exclude.
const repositoryGlob = z.string().regex(/^!?[^\s/]+\/[^\s/]+$/, {
  error: (issue) =>
    `"${String(issue.input)}" is not a repository pattern (use owner/name globs such as "acme/*" or "!acme/legacy-*")`,
});

// Control characters: never in a path or branch worth having, and unsafe to echo to a terminal.
const CONTROL_CHARACTER = /[\x00-\x1f\x7f]/;

/** A value as an error quotes it: in double quotes, with every control character escaped. */
function quoted(value: unknown): string {
  return JSON.stringify(String(value)).replace(/\x7f/g, "\\u007f");
}

// A directory glob inside the repository; never absolute and never climbing out of it.
const projectGlob = z.string().refine((value) => isProjectGlob(value), {
  error: (issue) =>
    `${quoted(issue.input)} is not a project path (use a directory inside the repository, e.g. "services/*")`,
});

function isProjectGlob(value: string): boolean {
  // An exclusion names a directory as well, and is held to the same rule.
  const path = value.startsWith("!") ? value.slice(1) : value;
  if (path.trim() === "" || path.startsWith("/") || path.includes("\\") || CONTROL_CHARACTER.test(path)) return false;
  // The root is the whole repository, which a definition without `projects` already means.
  if (/^(\.\/?)+$/.test(path.trim())) return false;
  // Braces are expanded before matching, so `{..,a}` climbs out as surely as `..` does.
  return !path.split(/[/{},]/).some((part) => part === "..");
}

/** A list of globs where `!` excludes needs something to exclude from. */
function withSomethingIncluded(what: string) {
  return {
    error: `must include at least one ${what} without "!"; a "!" pattern only removes from what the others select`,
  };
}

const includesSomething = (globs: readonly string[]) => globs.some((glob) => !glob.startsWith("!"));

const branchName = z.string().refine((value) => isBranchName(value), {
  error: (issue) => `${quoted(issue.input)} is not a valid branch name`,
});

// The parts of git-check-ref-format that people actually trip over.
function isBranchName(value: string): boolean {
  if (value === "" || value === "@" || value === "HEAD" || value.startsWith("-") || value.startsWith("/")) return false;
  // A branch called `refs/heads/x` would be `refs/heads/refs/heads/x`: never what was meant.
  if (value.startsWith("refs/")) return false;
  if (value.endsWith("/") || value.endsWith(".") || value.split("/").some((part) => part.endsWith(".lock"))) return false;
  if (/[\s~^:?*[\\\x00-\x1f\x7f]/.test(value)) return false;
  if (value.includes("..") || value.includes("//") || value.includes("@{") || value.includes("/.")) {
    return false;
  }
  return !value.startsWith(".");
}

// The descriptions below are what editors show on hover (schema/automation.schema.json is
// generated from this file); README.md says the same at more length.

const targets = strictObject({
  repositories: z
    .array(repositoryGlob)
    .min(1)
    .refine(includesSomething, withSomethingIncluded("repository pattern"))
    .optional()
    .describe('Globs over the installation\'s repositories, "owner/name" with *; a leading ! excludes. Default: the repository where the automation was triggered.'),
  topics: z.array(nonEmptyString).optional().describe("Only repositories that have at least one of these topics."),
  include_archived: z.boolean().default(false).describe("Also target archived repositories."),
  include_forks: z.boolean().default(false).describe("Also target forks."),
  projects: z
    .array(projectGlob)
    .min(1)
    .refine(includesSomething, withSomethingIncluded("project path"))
    .optional()
    .describe('Directory globs inside each repository, e.g. "services/*": one action per matching directory instead of one per repository.'),
});

const container = strictObject({
  image: nonEmptyString.describe('The image the steps run in, e.g. "node:22-bookworm".'),
  env: env.default({}).describe("Environment variables for every step; values are strings (quote numbers and booleans)."),
  secrets: secrets
    .default([])
    .describe("Names of secrets given to the steps as environment variables; each value is AUTOMATION_SECRET_<NAME> where the app runs, never in this file."),
  resources: strictObject({
    cpus: z.number().positive().optional().describe("CPUs the container may use, e.g. 2 or 0.5."),
    memory: size.optional().describe('Memory limit: bytes, or a size such as "512m", "4g", "1.5g".'),
    pids: z.int().positive().optional().describe("The most processes the container may have."),
  })
    .optional()
    .describe("Limits for the container. Default: the engine's."),
  network: z.enum(["bridge", "none"]).default("bridge").describe('"bridge": network access; "none": no network.'),
  timeout: duration.optional().describe('Time limit for all steps together: seconds, or a duration such as "30m", "1h30m".'),
}).describe("The container every step of an action runs in.");

const step = strictObject({
  name: nonEmptyString.describe("Shown in the check run's table of steps."),
  run: nonEmptyString.optional().describe("A shell command, run with /bin/sh -c in the checkout. Exactly one of run or agent."),
  agent: strictObject({
    command: nonEmptyString.describe("The agent's command line; it finds the prompt in $AUTOMATION_PROMPT_FILE."),
    prompt: nonEmptyString.describe("What the agent is asked to do."),
  })
    .optional()
    .describe("An agent invocation that leaves a session in $AUTOMATION_SESSION_FILE. Exactly one of run or agent."),
  env: env.default({}).describe("Environment variables for this step, added to the container's."),
  timeout: duration.optional().describe('Time limit for this step: seconds, or a duration such as "10m".'),
  continue_on_error: z.boolean().default(false).describe("When true, a failure of this step does not fail the action."),
})
  // The refinement below, as editors can check it.
  .meta({ oneOf: [{ required: ["run"] }, { required: ["agent"] }] })
  .refine((value) => (value.run === undefined) !== (value.agent === undefined), {
    message: 'must have exactly one of "run" or "agent"',
    // Only once the step is a mapping of known keys: a misspelt `runs:` is reported as the
    // unknown key it is, not also as a missing `run`.
    when: (payload) => payload.issues.every((issue) => (issue.path?.length ?? 0) > 0),
  })
  // A discriminated union, so executors switch on `kind` instead of probing optional keys.
  .transform(({ run, agent, ...common }): StepDefinition =>
    run !== undefined
      ? { ...common, kind: "run", run }
      : { ...common, kind: "agent", agent: agent as AgentInvocation },
  );

const pullRequest = strictObject({
  branch: branchName.optional().describe("The branch pushed with the changes. Default: automation/<name>."),
  title: nonEmptyString.optional().describe("Default: automation: <name>."),
  body: z.string().optional().describe("Default: the description and a line naming the automation."),
  draft: z.boolean().default(false).describe("Open the pull request as a draft."),
  labels: z.array(nonEmptyString).default([]).describe("Labels added to the pull request."),
}).describe("The pull request opened in each target whose workspace has changes after the steps.");

/**
 * The schema of one definition. `defaultName` is the file name without `.yml`, used when the
 * file has no `name:`; it is validated like a written name.
 */
export function definitionSchema(defaultName: string) {
  return strictObject({
    name: automationName
      .prefault(defaultName)
      .describe("What `/automation run <name>` calls it: the file name without .yml, which a written name must be."),
    description: z.string().optional().describe("One line about what it does."),
    enabled: z.boolean().default(true).describe("false: it cannot be started and its triggers are ignored."),
    on: strictObject({
      comment: z.boolean().default(true).describe("Started by `/automation run <name>` on a pull request or issue."),
    })
      .prefault({})
      .describe("What can start it."),
    targets: targets.optional().describe("Where it runs. Default: only the repository where it was triggered."),
    container,
    steps: z
      .array(step)
      .min(1, { error: "must have at least one step" })
      .describe("Run in order in the container; the first failing step ends the action unless it may fail."),
    pull_request: pullRequest.prefault({}),
    concurrency: z.int().positive().optional().describe("Actions of one run executing at once. Default: no limit of its own."),
  })
    .meta({ title: "Automation definition", description: "One automation: .github/automations/<name>.yml on the default branch." })
    .transform(({ pull_request, ...definition }) => ({
      ...definition,
      // These defaults name the automation, so they are filled once the name is known.
      pull_request: {
        ...pull_request,
        branch: pull_request.branch ?? `automation/${definition.name}`,
        title: pull_request.title ?? `automation: ${definition.name}`,
        body:
          pull_request.body ??
          [definition.description, `Opened by the \`${definition.name}\` automation.`]
            .filter(Boolean)
            .join("\n\n"),
      },
    }));
}

export interface AgentInvocation {
  command: string;
  prompt: string;
}

interface StepCommon {
  name: string;
  env: Record<string, string>;
  /** Milliseconds. */
  timeout?: number | undefined;
  continue_on_error: boolean;
}

export type StepDefinition =
  | (StepCommon & { kind: "run"; run: string })
  | (StepCommon & { kind: "agent"; agent: AgentInvocation });

/** A validated definition with defaults applied; durations in milliseconds, sizes in bytes. */
export type AutomationDefinition = z.output<ReturnType<typeof definitionSchema>>;
