#!/usr/bin/env node
// The `automations` command. The project runs its TypeScript through tsx (a dependency), so
// register it for what is imported from here on, then hand over to src/cli/main.ts.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(
  process.argv.slice(2),
  {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  },
  process.cwd(),
);
