import { describe, expect, it } from "vitest";
import { formatDefinitionError, parseDefinition } from "../../src/automations/parse-definition.js";
import type { AutomationDefinition } from "../../src/automations/definition-schema.js";

const file = ".github/automations/upgrade-node.yml";

// The example of DESIGN.md §3, as a user would commit it.
const designExample = `name: upgrade-node            # optional; defaults to the file name
description: Move every service to Node 22
enabled: true
on:
  comment: true
targets:
  repositories: ["acme/*", "!acme/legacy-*"]
  topics: [node]
  projects: ["services/*"]
container:
  image: node:22-bookworm
  env: { CI: "true" }
  secrets: [ANTHROPIC_API_KEY]
  resources: { cpus: 2, memory: 4g, pids: 512 }
  network: bridge
  timeout: 30m
steps:
  - name: Install
    run: npm ci
  - name: Upgrade
    agent:
      command: my-agent --prompt-file "$AUTOMATION_PROMPT_FILE"
      prompt: Upgrade Node to 22 and fix what breaks.
  - name: Test
    run: npm test
pull_request:
  branch: automation/upgrade-node
  title: "chore: upgrade Node.js to 22"
  body: Opened by the upgrade-node automation.
  draft: true
concurrency: 5
`;

const minimal = `container:
  image: alpine:3
steps:
  - name: Hello
    run: echo hello
`;

function definitionOf(source: string, path = file): AutomationDefinition {
  const result = parseDefinition(source, path);
  if (!result.ok) throw new Error(`expected a valid definition, got:\n${result.errors.map(formatDefinitionError).join("\n")}`);
  return result.definition;
}

/** `line:column: message` for each error, the form users see after the file name. */
function errorsOf(source: string, path = file): string[] {
  const result = parseDefinition(source, path);
  if (result.ok) throw new Error("expected errors, the definition was valid");
  return result.errors.map((e) => `${e.line}:${e.column}: ${e.message}`);
}

describe("parseDefinition: valid definitions", () => {
  it("reads the design example with durations and sizes as numbers", () => {
    expect(definitionOf(designExample)).toEqual({
      name: "upgrade-node",
      description: "Move every service to Node 22",
      enabled: true,
      on: { comment: true },
      targets: {
        repositories: ["acme/*", "!acme/legacy-*"],
        topics: ["node"],
        projects: ["services/*"],
        include_archived: false,
        include_forks: false,
      },
      container: {
        image: "node:22-bookworm",
        env: { CI: "true" },
        secrets: ["ANTHROPIC_API_KEY"],
        resources: { cpus: 2, memory: 4 * 1024 ** 3, pids: 512 },
        network: "bridge",
        timeout: 30 * 60_000,
      },
      steps: [
        { kind: "run", name: "Install", run: "npm ci", env: {}, continue_on_error: false },
        {
          kind: "agent",
          name: "Upgrade",
          agent: {
            command: 'my-agent --prompt-file "$AUTOMATION_PROMPT_FILE"',
            prompt: "Upgrade Node to 22 and fix what breaks.",
          },
          env: {},
          continue_on_error: false,
        },
        { kind: "run", name: "Test", run: "npm test", env: {}, continue_on_error: false },
      ],
      pull_request: {
        branch: "automation/upgrade-node",
        title: "chore: upgrade Node.js to 22",
        body: "Opened by the upgrade-node automation.",
        draft: true,
        labels: [],
      },
      concurrency: 5,
    });
  });

  it("applies the defaults to a minimal definition", () => {
    const definition = definitionOf(minimal, ".github/automations/hello.yml");
    expect(definition).toMatchObject({
      name: "hello",
      enabled: true,
      on: { comment: true },
      container: { image: "alpine:3", env: {}, secrets: [], network: "bridge" },
      steps: [{ kind: "run", name: "Hello", run: "echo hello", env: {}, continue_on_error: false }],
      pull_request: {
        branch: "automation/hello",
        title: "automation: hello",
        body: "Opened by the `hello` automation.",
        draft: false,
        labels: [],
      },
    });
    // Absent means "only the repository where it was triggered" and "the executor's limits".
    expect(definition.targets).toBeUndefined();
    expect(definition.container.timeout).toBeUndefined();
    expect(definition.container.resources).toBeUndefined();
    expect(definition.concurrency).toBeUndefined();
  });

  it.each([
    [".github/automations/upgrade-node.yml", "upgrade-node"],
    [".github/automations/lint.v2.yaml", "lint.v2"],
    ["upgrade_node.yml", "upgrade_node"],
    ["C:\\repo\\.github\\automations\\win.yml", "win"],
  ])("takes the name from the file name %s", (path, name) => {
    expect(definitionOf(minimal, path).name).toBe(name);
  });

  it("takes a written name that is the file name", () => {
    expect(definitionOf(`name: hello\n${minimal}`, ".github/automations/hello.yml").name).toBe("hello");
  });

  it("refuses a written name other than the file name, which commands would not find", () => {
    expect(errorsOf(`description: x\nname: upgrade-node\n${minimal}`, ".github/automations/node.yml")).toEqual([
      '2:7: name: "upgrade-node" is not the file\'s name, "node": an automation is found by its file, so rename the file to upgrade-node.yml or leave name out',
    ]);
  });

  it("keeps `enabled: false` and `on.comment: false`", () => {
    const definition = definitionOf(`enabled: false\non:\n  comment: false\n${minimal}`);
    expect(definition.enabled).toBe(false);
    expect(definition.on.comment).toBe(false);
  });

  it.each([
    ["30s", 30_000],
    ["90", 90_000],
    ["1h30m", 90 * 60_000],
    ["2h", 2 * 3_600_000],
  ])("reads a step timeout of %s as %d ms", (timeout, ms) => {
    const source = `container:\n  image: a\nsteps:\n  - name: s\n    run: x\n    timeout: ${timeout}\n`;
    expect(definitionOf(source).steps[0]?.timeout).toBe(ms);
  });

  it.each([
    ["512m", 512 * 1024 ** 2],
    ["1.5g", 1.5 * 1024 ** 3],
    ["1073741824", 1024 ** 3],
  ])("reads memory %s as %d bytes", (memory, bytes) => {
    const source = `container:\n  image: a\n  resources: { memory: ${memory} }\nsteps:\n  - { name: s, run: x }\n`;
    expect(definitionOf(source).container.resources?.memory).toBe(bytes);
  });

  it("fills the pull request body from the description", () => {
    const definition = definitionOf(`description: Bump things\n${minimal}`, "bump.yml");
    expect(definition.pull_request.body).toBe("Bump things\n\nOpened by the `bump` automation.");
  });

  it("keeps step options and network none", () => {
    const source = `container:
  image: a
  network: none
steps:
  - name: flaky
    run: ./flaky.sh
    env: { RETRIES: "3" }
    continue_on_error: true
`;
    const definition = definitionOf(source);
    expect(definition.container.network).toBe("none");
    expect(definition.steps[0]).toEqual({
      kind: "run",
      name: "flaky",
      run: "./flaky.sh",
      env: { RETRIES: "3" },
      continue_on_error: true,
    });
  });
});

describe("parseDefinition: errors say where and what", () => {
  const cases: { name: string; source: string; path?: string; errors: string[] }[] = [
    {
      name: "an empty file",
      source: "",
      errors: ["1:1: the file is empty; a definition needs at least container and steps"],
    },
    {
      name: "a file with only comments",
      source: "# TODO\n",
      errors: ["1:1: the file is empty; a definition needs at least container and steps"],
    },
    {
      name: "a YAML syntax error at its position",
      source: "container:\n  image: a\nsteps:\n- name: a\n  run: b\n - name: c\n",
      errors: ["6:2: invalid YAML: All sequence items must start at the same column"],
    },
    {
      name: "one YAML mistake reported once",
      source: "container:\n  image: alpine\n   env: {}\n",
      errors: ["2:10: invalid YAML: Nested mappings are not allowed in compact mappings"],
    },
    {
      name: "a stray closing brace",
      source: "container: {image: a}}\n",
      errors: ['1:22: invalid YAML: Unexpected flow-map-end token in YAML stream: "}"'],
    },
    {
      name: "steps that are not mappings",
      source: "container:\n  image: a\nsteps:\n  - null\n  - echo hi\n",
      errors: [
        "4:5: steps[0] is empty (expected a mapping of keys to values)",
        '5:5: steps[1] must be a mapping of keys to values (got "echo hi")',
      ],
    },
    {
      name: "a tab used for indentation",
      source: "container:\n\timage: alpine\n",
      errors: ["2:1: invalid YAML: Tabs are not allowed as indentation"],
    },
    {
      name: "a duplicated key",
      source: "container:\n  image: a\n  image: b\nsteps:\n  - { name: s, run: x }\n",
      errors: ["3:3: invalid YAML: Map keys must be unique"],
    },
    {
      name: "a list instead of a mapping",
      source: "- name: x\n",
      errors: ["1:1: the definition must be a mapping of keys to values (got a list)"],
    },
    {
      name: "an unknown key at its exact line and column",
      source: "container:\n  imgae: alpine\n  image: alpine\nsteps:\n  - { name: s, run: x }\n",
      errors: [
        '2:3: unknown key "imgae" in container (expected one of: image, env, secrets, resources, network, timeout)',
      ],
    },
    {
      name: "an unknown top-level key",
      source: `${minimal}trigger: push\n`,
      errors: [
        '6:1: unknown key "trigger" (expected one of: name, description, enabled, on, targets, container, steps, pull_request, concurrency)',
      ],
    },
    {
      name: "a missing image, pointing at container:",
      source: "name: x\ncontainer:\n  env: {}\nsteps:\n  - { name: s, run: x }\n",
      errors: ["2:1: container.image is required"],
    },
    {
      name: "a missing image with a misspelt key beside it",
      source: "container:\n  imgae: alpine\nsteps:\n  - { name: s, run: x }\n",
      errors: [
        "1:1: container.image is required",
        '2:3: unknown key "imgae" in container (expected one of: image, env, secrets, resources, network, timeout)',
      ],
    },
    {
      name: "an empty image",
      source: "container:\n  image:\nsteps:\n  - { name: s, run: x }\n",
      errors: ["2:3: container.image is empty (expected a string)"],
    },
    {
      name: "missing container and steps",
      source: "name: x\n",
      errors: ["1:1: container is required", "1:1: steps is required"],
    },
    {
      name: "no steps",
      source: "container:\n  image: a\nsteps: []\n",
      errors: ["3:8: steps must have at least one step"],
    },
    {
      name: "a step with both run and agent",
      source: `container:
  image: a
steps:
  - name: one
    run: x
  - name: two
    run: x
    agent: { command: agent, prompt: do it }
`,
      errors: ['6:5: steps[1] must have exactly one of "run" or "agent"'],
    },
    {
      name: "a step with neither run nor agent",
      source: "container:\n  image: a\nsteps:\n  - name: lonely\n",
      errors: ['4:5: steps[0] must have exactly one of "run" or "agent"'],
    },
    {
      name: "a step without a name",
      source: "container:\n  image: a\nsteps:\n  - run: x\n",
      errors: ["4:5: steps[0].name is required"],
    },
    {
      name: "a misspelt step key, without a second complaint about run",
      source: "container:\n  image: a\nsteps:\n  - name: s\n    runs: x\n",
      errors: ['5:5: unknown key "runs" in steps[0] (expected one of: name, run, agent, env, timeout, continue_on_error)'],
    },
    {
      name: "an agent without a prompt",
      source: "container:\n  image: a\nsteps:\n  - name: s\n    agent:\n      command: x\n",
      errors: ["5:5: steps[0].agent.prompt is required"],
    },
    {
      name: "a bad duration",
      source: "container:\n  image: a\n  timeout: 30x\nsteps:\n  - { name: s, run: x }\n",
      errors: ['3:12: container.timeout: "30x" is not a duration (use e.g. 30s, 30m, 1h30m)'],
    },
    {
      name: "a zero duration",
      source: "container:\n  image: a\n  timeout: 0s\nsteps:\n  - { name: s, run: x }\n",
      errors: ["3:12: container.timeout must be longer than zero"],
    },
    {
      name: "a bad size and negative cpus",
      source: "container:\n  image: a\n  resources: { memory: lots, cpus: -1 }\nsteps:\n  - { name: s, run: x }\n",
      errors: [
        '3:24: container.resources.memory: "lots" is not a size (use e.g. 512m, 4g, 1.5g)',
        "3:36: container.resources.cpus must be greater than 0",
      ],
    },
    {
      name: "a fractional pids limit",
      source: "container:\n  image: a\n  resources:\n    pids: 1.5\nsteps:\n  - { name: s, run: x }\n",
      errors: ["4:11: container.resources.pids must be a whole number (got 1.5)"],
    },
    {
      name: "an unknown network",
      source: "container:\n  image: a\n  network: host\nsteps:\n  - { name: s, run: x }\n",
      errors: ['3:12: container.network must be one of: bridge, none (got "host")'],
    },
    {
      name: "an unquoted env value and a bad env name",
      source: "container:\n  image: a\n  env:\n    CI: true\n    bad-name: x\nsteps:\n  - { name: s, run: x }\n",
      errors: [
        '4:9: container.env.CI must be a string; quote it: "true"',
        '5:5: container.env: "bad-name" is not an environment variable name (use letters, digits and _, not starting with a digit)',
      ],
    },
    {
      name: "a lowercase secret name",
      source: "container:\n  image: a\n  secrets: [API_KEY, token]\nsteps:\n  - { name: s, run: x }\n",
      errors: ['3:22: container.secrets[1]: "token" is not a secret name (use A-Z, 0-9 and _, not starting with a digit)'],
    },
    {
      name: "a repository pattern without an owner",
      source: `targets:\n  repositories: [legacy]\n${minimal}`,
      errors: [
        '2:18: targets.repositories[0]: "legacy" is not a repository pattern (use owner/name globs such as "acme/*" or "!acme/legacy-*")',
      ],
    },
    {
      name: "a project path that leaves the repository",
      source: `targets:\n  projects: ["../other"]\n${minimal}`,
      errors: [
        '2:14: targets.projects[0]: "../other" is not a project path (use a directory inside the repository, e.g. "services/*")',
      ],
    },
    {
      name: "a string where a boolean belongs",
      source: `enabled: "yes"\n${minimal}`,
      errors: ['1:10: enabled must be true or false (got "yes")'],
    },
    {
      name: "a branch name git would refuse",
      source: `pull_request:\n  branch: "my branch"\n${minimal}`,
      errors: ['2:11: pull_request.branch: "my branch" is not a valid branch name'],
    },
    {
      name: "a zero concurrency",
      source: `concurrency: 0\n${minimal}`,
      errors: ["1:14: concurrency must be greater than 0"],
    },
    {
      name: "a written name that is not a valid name",
      source: `name: "my automation"\n${minimal}`,
      errors: [
        '1:7: name: "my automation" is not a valid automation name (use letters, digits, ".", "_" and "-", starting with a letter or digit)',
      ],
    },
    {
      name: "a file name that is not a valid name",
      source: minimal,
      path: ".github/automations/my automation.yml",
      errors: [
        '1:1: name: "my automation" is not a valid automation name (use letters, digits, ".", "_" and "-", starting with a letter or digit); it comes from the file name: rename the file or add a `name:` key',
      ],
    },
    {
      name: "an unclosed quote at the quote, not at the end of the file",
      source: `description: "Says hello\n${minimal}`,
      errors: ['1:14: invalid YAML: the " quote opened here is never closed'],
    },
    {
      name: "an unclosed flow mapping",
      source: "container: { image: a\nsteps: []\n",
      errors: ["2:1: invalid YAML: Flow map in block collection must be sufficiently indented and end with a }"],
    },
    {
      name: "an image given as the container itself",
      source: "container: node:22\nsteps:\n  - { name: s, run: x }\n",
      errors: ['1:12: container must be a mapping of keys to values (got "node:22")'],
    },
    {
      name: "a single command instead of a list of steps",
      source: "container:\n  image: a\nsteps: npm test\n",
      errors: ['3:8: steps must be a list (got "npm test")'],
    },
    {
      name: "a number where an image name belongs",
      source: "container:\n  image: 22\nsteps:\n  - { name: s, run: x }\n",
      errors: ["2:10: container.image must be a string (got 22)"],
    },
    {
      name: "on given as a boolean",
      source: `on: true\n${minimal}`,
      errors: ["1:5: on must be a mapping of keys to values (got true)"],
    },
    {
      name: "a trigger the app does not have",
      source: `on:\n  push: true\n${minimal}`,
      errors: ['2:3: unknown key "push" in on (expected one of: comment)'],
    },
    {
      name: "an unknown key in an agent step",
      source: "container:\n  image: a\nsteps:\n  - name: s\n    agent: { command: a, prompt: b, model: x }\n",
      errors: ['5:37: unknown key "model" in steps[0].agent (expected one of: command, prompt)'],
    },
    {
      name: "a negative concurrency",
      source: `concurrency: -2\n${minimal}`,
      errors: ["1:14: concurrency must be greater than 0"],
    },
    {
      name: "a fractional concurrency",
      source: `concurrency: 2.5\n${minimal}`,
      errors: ["1:14: concurrency must be a whole number (got 2.5)"],
    },
    {
      name: "a quoted concurrency",
      source: `concurrency: "5"\n${minimal}`,
      errors: ['1:14: concurrency must be a number (got "5")'],
    },
    {
      name: "a duration with its units in the wrong order",
      source: "container:\n  image: a\n  timeout: 30m1h\nsteps:\n  - { name: s, run: x }\n",
      errors: ['3:12: container.timeout: "30m1h" is not a duration (use e.g. 30s, 30m, 1h30m)'],
    },
    {
      name: "a negative duration",
      source: "container:\n  image: a\n  timeout: -5\nsteps:\n  - { name: s, run: x }\n",
      errors: ["3:12: container.timeout must be longer than zero"],
    },
    {
      name: "a boolean where a step duration belongs",
      source: "container:\n  image: a\nsteps:\n  - { name: s, run: x, timeout: true }\n",
      errors: ["4:33: steps[0].timeout must be a duration such as 30s, 30m, 1h30m"],
    },
    {
      name: "a zero memory limit",
      source: "container:\n  image: a\n  resources: { memory: 0 }\nsteps:\n  - { name: s, run: x }\n",
      errors: ["3:24: container.resources.memory must be larger than zero"],
    },
    {
      name: "a repository pattern with a path in it",
      source: `targets:\n  repositories: ["acme/*/services"]\n${minimal}`,
      errors: [
        '2:18: targets.repositories[0]: "acme/*/services" is not a repository pattern (use owner/name globs such as "acme/*" or "!acme/legacy-*")',
      ],
    },
    {
      name: "a single repository pattern instead of a list",
      source: `targets:\n  repositories: acme/*\n${minimal}`,
      errors: ['2:17: targets.repositories must be a list (got "acme/*")'],
    },
    {
      name: "an absolute project path",
      source: `targets:\n  projects: ["/srv/app"]\n${minimal}`,
      errors: [
        '2:14: targets.projects[0]: "/srv/app" is not a project path (use a directory inside the repository, e.g. "services/*")',
      ],
    },
    {
      name: "targets given as a list",
      source: `targets: [acme/web]\n${minimal}`,
      errors: ["1:10: targets must be a mapping of keys to values (got a list)"],
    },
    {
      name: "secrets given as a mapping of values",
      source: "container:\n  image: a\n  secrets: { TOKEN: abc }\nsteps:\n  - { name: s, run: x }\n",
      errors: [
        "3:12: container.secrets must be a list of secret names, not values: list only the name (TOKEN) and set AUTOMATION_SECRET_TOKEN where the app runs",
      ],
    },
    {
      name: "a secret given as name=value",
      source: "container:\n  image: a\n  secrets: [abc=1]\nsteps:\n  - { name: s, run: x }\n",
      errors: [
        '3:13: container.secrets[0]: "abc=1" gives a secret a value: list only the name (ABC) and set AUTOMATION_SECRET_ABC where the app runs',
      ],
    },
    {
      name: "a secret given as a list item with a value",
      source: "container:\n  image: a\n  secrets:\n    - api-key: abc\nsteps:\n  - { name: s, run: x }\n",
      errors: [
        "4:7: container.secrets[0] must be a secret name, not a name with a value: list only the name (API_KEY) and set AUTOMATION_SECRET_API_KEY where the app runs",
      ],
    },
    {
      name: "an unquoted number as an environment value",
      source: "container:\n  image: a\n  env: { PORT: 3000 }\nsteps:\n  - { name: s, run: x }\n",
      errors: ['3:16: container.env.PORT must be a string; quote it: "3000"'],
    },
    {
      name: "step environment written as a list",
      source: "container:\n  image: a\nsteps:\n  - { name: s, run: x, env: [A=1] }\n",
      errors: ["4:29: steps[0].env must be a mapping of keys to values (got a list)"],
    },
    {
      name: "an empty run command",
      source: 'container:\n  image: a\nsteps:\n  - name: s\n    run: ""\n',
      errors: ["5:10: steps[0].run must not be empty"],
    },
    {
      name: "a single label instead of a list",
      source: `pull_request:\n  labels: dependencies\n${minimal}`,
      errors: ['2:11: pull_request.labels must be a list (got "dependencies")'],
    },
  ];

  it.each(cases)("reports $name", ({ source, path, errors }) => {
    expect(errorsOf(source, path)).toEqual(errors);
  });

  it("formats an error as file:line:col: message", () => {
    const result = parseDefinition("container:\n  image: a\n  timeout: 30x\nsteps:\n  - { name: s, run: x }\n", file);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map(formatDefinitionError)).toEqual([
      `${file}:3:12: container.timeout: "30x" is not a duration (use e.g. 30s, 30m, 1h30m)`,
    ]);
  });

  it("lists several errors in the order of the file", () => {
    const source = `foo: 1
container:
  image: a
  network: host
steps:
  - name: s
`;
    expect(errorsOf(source)).toEqual([
      '1:1: unknown key "foo" (expected one of: name, description, enabled, on, targets, container, steps, pull_request, concurrency)',
      '4:12: container.network must be one of: bridge, none (got "host")',
      '6:5: steps[0] must have exactly one of "run" or "agent"',
    ]);
  });

  it("refuses an alias bomb instead of expanding it", () => {
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
      "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
    ].join("\n");
    const errors = errorsOf(bomb);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^1:1: invalid YAML: .*alias/i);
  });
});
