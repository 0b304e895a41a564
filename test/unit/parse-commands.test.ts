import { describe, expect, it } from "vitest";
import { parseCommands, usageText, type Command, type ParsedLine } from "../../src/commands/parse-commands.js";

const run = (automation: string, repositories: string[] = []): ParsedLine => ({
  kind: "command",
  command: { verb: "run", automation, repositories },
});
const command = (c: Command): ParsedLine => ({ kind: "command", command: c });

describe("parseCommands: commands", () => {
  it.each<[string, ParsedLine[]]>([
    ["/automation run upgrade-node", [run("upgrade-node")]],
    ["  /automation   run   upgrade-node  ", [run("upgrade-node")]],
    ["/automation run upgrade-node acme/api acme/web", [run("upgrade-node", ["acme/api", "acme/web"])]],
    ["/automation run upgrade-node acme/api, acme/web", [run("upgrade-node", ["acme/api", "acme/web"])]],
    ["/automation run upgrade-node acme/api ACME/API", [run("upgrade-node", ["acme/api"])]],
    ["/automation run lint.v2_x", [run("lint.v2_x")]],
    ["/automation run lint Acme-Corp/api.js_v2 acme/.github", [run("lint", ["Acme-Corp/api.js_v2", "acme/.github"])]],
    ["/automation plan lint acme/web,acme/api,", [command({ verb: "plan", automation: "lint", repositories: ["acme/web", "acme/api"] })]],
    [
      "/automation plan upgrade-node acme/api",
      [command({ verb: "plan", automation: "upgrade-node", repositories: ["acme/api"] })],
    ],
    ["/automation cancel", [command({ verb: "cancel", automation: null })]],
    ["/automation cancel upgrade-node", [command({ verb: "cancel", automation: "upgrade-node" })]],
    ["/automation list", [command({ verb: "list" })]],
    ["/automation help", [command({ verb: "help" })]],
    ["/automation run a\r\n/automation run b", [run("a"), run("b")]],
  ])("reads %j", (body, expected) => {
    expect(parseCommands(body)).toEqual(expected);
  });

  it("finds every command line among prose, in order", () => {
    const body = [
      "Thanks for the review!",
      "",
      "/automation plan upgrade-node",
      "Then, if it looks right:",
      "/automation run upgrade-node",
    ].join("\n");
    expect(parseCommands(body)).toEqual([
      command({ verb: "plan", automation: "upgrade-node", repositories: [] }),
      run("upgrade-node"),
    ]);
  });
});

describe("parseCommands: lines that are not commands", () => {
  it.each<[string, string]>([
    ["an empty body", ""],
    ["prose", "Looks good to me."],
    ["a mention in the middle of a line", "Please /automation run upgrade-node later"],
    ["inline code", "Try `/automation run upgrade-node`"],
    ["a longer word", "/automations run upgrade-node"],
    ["a different case", "/Automation run upgrade-node"],
    ["a list item", "- /automation run upgrade-node"],
    ["a quote", "> /automation run upgrade-node"],
    ["an indented quote", "  > /automation run upgrade-node"],
    ["a nested quote", "> > /automation run upgrade-node"],
    ["a fenced code block", "```\n/automation run upgrade-node\n```"],
    ["a fence with an info string", "```sh\n/automation run upgrade-node\n```"],
    ["a tilde fence", "~~~\n/automation run upgrade-node\n~~~"],
    ["a long fence with a shorter fence inside", "````md\n```\n/automation run upgrade-node\n```\n/automation run x\n````"],
    ["an unclosed fence, which runs to the end", "```\n/automation run upgrade-node"],
    ["an indented fence inside a list", "1. Run this:\n   ```\n   /automation run upgrade-node\n   ```"],
    ["an indented code block", "Example:\n\n    /automation run upgrade-node"],
    ["a tab-indented code block", "\t/automation run upgrade-node"],
  ])("ignores %s", (_name, body) => {
    expect(parseCommands(body)).toEqual([]);
  });

  it("reads commands again after a code block closes", () => {
    const body = "```\n/automation run inside\n```\n/automation run outside\n~~~\n/automation run again-inside\n~~~";
    expect(parseCommands(body)).toEqual([run("outside")]);
  });

  it("does not close a backtick fence with tildes", () => {
    expect(parseCommands("```\n~~~\n/automation run inside\n```\n/automation run after")).toEqual([run("after")]);
  });

  it("treats a backtick line with backticks in its info string as text, not a fence", () => {
    expect(parseCommands("``` not `a` fence\n/automation run outside")).toEqual([run("outside")]);
  });
});

describe("parseCommands: replies to malformed commands", () => {
  it.each<[string, string, string[]]>([
    ["no verb", "/automation", ["`/automation` needs a command.", "/automation run <name>"]],
    ["an unknown verb", "/automation deploy upgrade-node", ["`/automation deploy` is not a command I know.", "/automation cancel"]],
    ["an uppercase verb", "/automation RUN upgrade-node", ["`/automation RUN` is not a command I know."]],
    ["run without a name", "/automation run", ["`/automation run` needs the name of an automation.", "Usage: `/automation run <name> [owner/repo …]`"]],
    ["plan without a name", "/automation plan", ["`/automation plan` needs the name of an automation.", "Usage: `/automation plan <name> [owner/repo …]`"]],
    ["a name that cannot be an automation", "/automation run -rf", ["`-rf` is not an automation name"]],
    ["a repository without an owner", "/automation run upgrade-node api", ["`api` is not a repository; write it as `owner/repo`.", "Usage: `/automation run"]],
    ["a repository with too many parts", "/automation plan upgrade-node acme/api/extra", ["`acme/api/extra` is not a repository"]],
    ["a repository URL", "/automation run upgrade-node https://github.com/acme/api", ["`https://github.com/acme/api` is not a repository"]],
    ["a glob instead of a repository", "/automation run upgrade-node acme/*", ["`acme/*` is not a repository; write it as `owner/repo`."]],
    ["an owner with a mention", "/automation plan upgrade-node @acme/api", ["`@acme/api` is not a repository"]],
    ["an owner starting with a hyphen", "/automation run upgrade-node -acme/api", ["`-acme/api` is not a repository"]],
    ["cancel with two names", "/automation cancel a b", ["`/automation cancel` takes at most one automation name.", "Usage: `/automation cancel [<name>]`"]],
    ["cancel with a bad name", "/automation cancel @everyone", ["`@everyone` is not an automation name"]],
    ["list with arguments", "/automation list all", ["`/automation list` takes no arguments.", "Usage: `/automation list`"]],
    ["help with arguments", "/automation help run", ["`/automation help` takes no arguments."]],
  ])("replies to %s", (_name, body, fragments) => {
    const result = parseCommands(body);
    expect(result).toHaveLength(1);
    const [line] = result;
    expect(line?.kind).toBe("reply");
    for (const fragment of fragments) expect(line?.kind === "reply" ? line.message : "").toContain(fragment);
  });

  it("quotes what the user typed so backticks cannot break out of the code span", () => {
    const [line] = parseCommands("/automation run a`b");
    expect(line).toEqual({ kind: "reply", message: expect.stringContaining("`` a`b ``") });
  });

  it("keeps good commands beside a malformed one", () => {
    const result = parseCommands("/automation run upgrade-node\n/automation rnu upgrade-node");
    expect(result[0]).toEqual(run("upgrade-node"));
    expect(result[1]?.kind).toBe("reply");
  });
});

describe("usageText", () => {
  it("shows every verb's syntax in a code block", () => {
    const text = usageText();
    for (const syntax of [
      "/automation run <name> [owner/repo …]",
      "/automation plan <name> [owner/repo …]",
      "/automation cancel [<name>]",
      "/automation list",
      "/automation help",
    ]) {
      expect(text).toContain(syntax);
    }
    expect(text).toMatch(/```\n[\s\S]*\n```$/);
  });

  it("is not itself read as commands when the app's help is quoted back", () => {
    expect(parseCommands(usageText())).toEqual([]);
  });
});
