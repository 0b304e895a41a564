import type { CliOutput } from "./validate.js";
import { validateCommand } from "./validate.js";
import { migrateCommand } from "./migrate.js";

// `automations <command>`: dispatches to one file per command. bin/automations.js calls this
// with the process's arguments and streams; tests call it directly.

const usage = [
  "Usage: automations <command>",
  "",
  "Commands:",
  "  validate [files…]   check automation definitions (default: .github/automations/*.yml)",
  "                      prints file:line:col: message for each error; exits 1 when there is one",
  "  migrate             bring the database (DATABASE_URL, or the embedded one in DATA_DIR) to this",
  "                      version's schema, as the app does at start",
].join("\n");

/** Runs one command; returns the process's exit code (2: the command line itself was wrong). */
export async function main(args: readonly string[], output: CliOutput, cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, ...rest] = args;
  if (command === "help" || command === "--help" || command === "-h") {
    output.out(usage);
    return 0;
  }
  switch (command) {
    case "validate": {
      if (rest.some((arg) => arg === "--help" || arg === "-h")) {
        output.out(usage);
        return 0;
      }
      const option = rest.find((arg) => arg.startsWith("-"));
      if (option !== undefined) return usageError(output, `unknown option "${option}"`);
      return validateCommand(rest, output, cwd);
    }
    case "migrate": {
      if (rest.some((arg) => arg === "--help" || arg === "-h")) {
        output.out(usage);
        return 0;
      }
      if (rest.length > 0) return usageError(output, `migrate takes no arguments (given "${rest[0]}")`);
      return migrateCommand(output, env);
    }
    case undefined:
      return usageError(output, "a command is needed");
    default:
      return usageError(output, `unknown command "${command}"`);
  }
}

function usageError(output: CliOutput, problem: string): number {
  output.err(`automations: ${problem}\n\n${usage}`);
  return 2;
}
