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
// consumer ever parses `30m` again.
/** A positive quantity written the way people write it, parsed to a number by `parse`. */
function quantity(parse: (value: string | number) => number | null, what: string, examples: string, positive: string) {
  return z.unknown().transform((input, ctx) => {
    const value = typeof input === "string" || typeof input === "number" ? parse(input) : null;
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

const secretName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, {
  error: (issue) =>
    `"${String(issue.input)}" is not a secret name (use A-Z, 0-9 and _, not starting with a digit)`,
});

// Globs over the installation's repositories, `owner/name` with `*`, or `!` to exclude.
const repositoryGlob = z.string().regex(/^!?[^\s/]+\/[^\s/]+$/, {
  error: (issue) =>
    `"${String(issue.input)}" is not a repository pattern (use owner/name globs such as "acme/*" or "!acme/legacy-*")`,
});

// A directory glob inside the repository; never absolute and never climbing out of it.
const projectGlob = z.string().refine((value) => isProjectGlob(value), {
  error: (issue) =>
    `"${String(issue.input)}" is not a project path (use a directory inside the repository, e.g. "services/*")`,
});

function isProjectGlob(value: string): boolean {
  if (value.trim() === "" || value.startsWith("/") || value.includes("\\")) return false;
  return !value.split("/").some((part) => part === "..");
}

const branchName = z.string().refine((value) => isBranchName(value), {
  error: (issue) => `"${String(issue.input)}" is not a valid branch name`,
});

// The parts of git-check-ref-format that people actually trip over.
function isBranchName(value: string): boolean {
  if (value === "" || value === "@" || value.startsWith("-") || value.startsWith("/")) return false;
  if (value.endsWith("/") || value.endsWith(".") || value.endsWith(".lock")) return false;
  if (/[\s~^:?*[\\\x00-\x1f\x7f]/.test(value)) return false;
  if (value.includes("..") || value.includes("//") || value.includes("@{") || value.includes("/.")) {
    return false;
  }
  return !value.startsWith(".");
}

const targets = strictObject({
  repositories: z.array(repositoryGlob).min(1).optional(),
  topics: z.array(nonEmptyString).optional(),
  include_archived: z.boolean().default(false),
  include_forks: z.boolean().default(false),
  projects: z.array(projectGlob).min(1).optional(),
});

const container = strictObject({
  image: nonEmptyString,
  env: env.default({}),
  secrets: z.array(secretName).default([]),
  resources: strictObject({
    cpus: z.number().positive().optional(),
    memory: size.optional(),
    pids: z.int().positive().optional(),
  }).optional(),
  network: z.enum(["bridge", "none"]).default("bridge"),
  timeout: duration.optional(),
});

const step = strictObject({
  name: nonEmptyString,
  run: nonEmptyString.optional(),
  agent: strictObject({ command: nonEmptyString, prompt: nonEmptyString }).optional(),
  env: env.default({}),
  timeout: duration.optional(),
  continue_on_error: z.boolean().default(false),
})
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
  branch: branchName.optional(),
  title: nonEmptyString.optional(),
  body: z.string().optional(),
  draft: z.boolean().default(false),
  labels: z.array(nonEmptyString).default([]),
});

/**
 * The schema of one definition. `defaultName` is the file name without `.yml`, used when the
 * file has no `name:`; it is validated like a written name.
 */
export function definitionSchema(defaultName: string) {
  return strictObject({
    name: automationName.prefault(defaultName),
    description: z.string().optional(),
    enabled: z.boolean().default(true),
    on: strictObject({ comment: z.boolean().default(true) }).prefault({}),
    targets: targets.optional(),
    container,
    steps: z.array(step).min(1, { error: "must have at least one step" }),
    pull_request: pullRequest.prefault({}),
    concurrency: z.int().positive().optional(),
  }).transform(({ pull_request, ...definition }) => ({
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
