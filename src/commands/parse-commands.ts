import { isAutomationName } from "../automations/automation-name.js";

// Finds `/automation …` commands in a comment body. Pure: no I/O, no knowledge of which
// automations exist. A body gives one result per command line, each a command to carry out or a
// reply explaining why the line was not understood; a body without command lines gives none.

export type Command =
  | { verb: "run"; automation: string; repositories: string[] }
  | { verb: "plan"; automation: string; repositories: string[] }
  | { verb: "cancel"; automation: string | null }
  | { verb: "list" }
  | { verb: "help" };

export type Verb = Command["verb"];

export type ParsedLine = { kind: "command"; command: Command } | { kind: "reply"; message: string };

const trigger = "/automation";

const usageLines: Record<Verb, { syntax: string; meaning: string }> = {
  run: { syntax: "/automation run <name> [owner/repo …]", meaning: "start a run, optionally on only some of its targets" },
  plan: { syntax: "/automation plan <name> [owner/repo …]", meaning: "list the targets a run would have, starting nothing" },
  cancel: { syntax: "/automation cancel [<name>]", meaning: "cancel the active runs started from this pull request" },
  list: { syntax: "/automation list", meaning: "list the automations available here" },
  help: { syntax: "/automation help", meaning: "show this help" },
};

const verbs = Object.keys(usageLines) as Verb[];

function isVerb(word: string): word is Verb {
  return (verbs as string[]).includes(word);
}

/** The command syntax as Markdown, for `help` and for replies to lines that were not understood. */
export function usageText(): string {
  const width = Math.max(...verbs.map((v) => usageLines[v].syntax.length));
  const lines = verbs.map((v) => `${usageLines[v].syntax.padEnd(width)}   ${usageLines[v].meaning}`);
  return [
    "Usage: each command on a line of its own, outside quotes and code blocks.",
    "",
    "```",
    ...lines,
    "```",
  ].join("\n");
}

export function parseCommands(body: string): ParsedLine[] {
  const results: ParsedLine[] = [];
  let fence: { char: string; length: number } | null = null;

  for (const line of body.split(/\r\n|\r|\n/)) {
    if (fence) {
      if (closesFence(line, fence)) fence = null;
      continue;
    }
    const opened = openingFence(line);
    if (opened) {
      fence = opened;
      continue;
    }
    // An indented code block. A list item's continuation can be indented too; treating it as code
    // errs on the side of not running what someone was only showing.
    if (indentWidth(line) >= 4) continue;

    const words = line.trim().split(/\s+/);
    // A quote repeats someone else's words (often a command being discussed), never a new one.
    if (words[0]?.startsWith(">")) continue;
    if (words[0] !== trigger) continue;
    results.push(parseCommandWords(words.slice(1)));
  }
  return results;
}

// Fences of three or more backticks or tildes, with an optional info string. Any indentation
// opens one, so a fence nested in a list item is still code.
const fenceOpen = /^\s*(`{3,}|~{3,})(.*)$/;

function openingFence(line: string): { char: string; length: number } | null {
  const match = fenceOpen.exec(line);
  if (!match) return null;
  const marker = match[1] as string;
  const info = match[2] as string;
  // CommonMark: a backtick fence's info string cannot contain a backtick (that is inline code).
  if (marker.startsWith("`") && info.includes("`")) return null;
  return { char: marker.charAt(0), length: marker.length };
}

function closesFence(line: string, fence: { char: string; length: number }): boolean {
  const match = /^\s*(`{3,}|~{3,})\s*$/.exec(line);
  const marker = match?.[1];
  return marker !== undefined && marker.charAt(0) === fence.char && marker.length >= fence.length;
}

function indentWidth(line: string): number {
  let width = 0;
  for (const char of line) {
    if (char === " ") width += 1;
    else if (char === "\t") width += 4 - (width % 4);
    else break;
  }
  return width;
}

// GitHub logins (letters, digits, hyphens, not leading) and repository names.
const repositoryPattern = /^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$/;

function parseCommandWords(words: string[]): ParsedLine {
  const [verb, ...rest] = words;
  if (verb === undefined || verb === "") {
    return reply(`\`${trigger}\` needs a command.\n\n${usageText()}`);
  }
  if (!isVerb(verb)) {
    return reply(`${code(`${trigger} ${verb}`)} is not a command I know.\n\n${usageText()}`);
  }
  // Commas are a common way to list repositories; they cannot be part of a name anyway.
  const args = rest.flatMap((word) => word.split(",")).filter((word) => word !== "");

  switch (verb) {
    case "run":
    case "plan": {
      const [automation, ...repositories] = args;
      if (automation === undefined) return usageReply(verb, `${code(`${trigger} ${verb}`)} needs the name of an automation.`);
      if (!isAutomationName(automation)) return usageReply(verb, notAName(automation));
      const invalid = repositories.find((r) => !repositoryPattern.test(r));
      if (invalid !== undefined) {
        return usageReply(verb, `${code(invalid)} is not a repository; write it as \`owner/repo\`.`);
      }
      return command({ verb, automation, repositories: uniqueIgnoringCase(repositories) });
    }
    case "cancel": {
      const [automation, ...extra] = args;
      if (extra.length > 0) return usageReply(verb, `${code(`${trigger} cancel`)} takes at most one automation name.`);
      if (automation !== undefined && !isAutomationName(automation)) return usageReply(verb, notAName(automation));
      return command({ verb, automation: automation ?? null });
    }
    case "list":
    case "help":
      if (args.length > 0) return usageReply(verb, `${code(`${trigger} ${verb}`)} takes no arguments.`);
      return command({ verb });
  }
}

function notAName(word: string): string {
  return `${code(word)} is not an automation name (letters, digits, \`.\`, \`_\` and \`-\`, starting with a letter or digit).`;
}

function usageReply(verb: Verb, problem: string): ParsedLine {
  return reply(`${problem}\n\nUsage: \`${usageLines[verb].syntax}\``);
}

function command(command: Command): ParsedLine {
  return { kind: "command", command };
}

function reply(message: string): ParsedLine {
  return { kind: "reply", message };
}

// GitHub treats repository names case-insensitively; the first spelling is kept.
function uniqueIgnoringCase(values: string[]): string[] {
  const seen = new Set<string>();
  return values.filter((value) => {
    const key = value.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Inline code that survives backticks in what the user typed (and never renders a mention). */
function code(text: string): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = "`".repeat(longestRun + 1);
  return longestRun > 0 ? `${ticks} ${text} ${ticks}` : `${ticks}${text}${ticks}`;
}
