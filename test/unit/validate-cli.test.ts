import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { validateCommand, validateFiles, type CliOutput } from "../../src/cli/validate.js";

const GOOD = "container:\n  image: busybox\nsteps:\n  - name: Greet\n    run: echo hi\n";
// Line 3, column 12: the value of `timeout`.
const BAD = "container:\n  image: busybox\n  timeout: 30x\nsteps:\n  - name: Greet\n    run: echo hi\n";
const BAD_ERROR = 'container.timeout: "30x" is not a duration (use e.g. 30s, 30m, 1h30m)';

const bin = fileURLToPath(new URL("../../bin/automations.js", import.meta.url));

function captured(): CliOutput & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (line) => stdout.push(line), err: (line) => stderr.push(line) };
}

describe("automations validate", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "automations-validate-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function file(path: string, text: string): Promise<string> {
    await mkdir(join(dir, path, ".."), { recursive: true });
    await writeFile(join(dir, path), text);
    return path;
  }

  it("prints ok for each valid file and exits 0", async () => {
    await file("a.yml", GOOD);
    await file("b.yml", GOOD);
    const output = captured();
    expect(await validateFiles(["a.yml", "b.yml"], output, dir)).toBe(0);
    expect(output.stdout).toEqual(["a.yml: ok", "b.yml: ok"]);
    expect(output.stderr).toEqual([]);
  });

  it("prints each error as file:line:col: message and exits 1", async () => {
    await file("good.yml", GOOD);
    await file("bad.yml", BAD);
    await file("worse.yml", "container:\n  imgae: x\n");
    const output = captured();
    expect(await validateFiles(["bad.yml", "good.yml", "worse.yml"], output, dir)).toBe(1);
    expect(output.stdout).toEqual([
      `bad.yml:3:12: ${BAD_ERROR}`,
      "good.yml: ok",
      "worse.yml:1:1: container.image is required",
      "worse.yml:1:1: steps is required",
      'worse.yml:2:3: unknown key "imgae" in container (expected one of: image, env, secrets, resources, network, timeout)',
    ]);
  });

  it("takes the default name from the file name, as the app does", async () => {
    await file("my automation.yml", GOOD);
    const output = captured();
    expect(await validateFiles(["my automation.yml"], output, dir)).toBe(1);
    expect(output.stdout[0]).toMatch(/^my automation\.yml:1:1: name: "my automation" is not a valid automation name/);
  });

  it("reports a file it cannot read and exits 1", async () => {
    const output = captured();
    expect(await validateFiles(["missing.yml"], output, dir)).toBe(1);
    expect(output.stderr).toEqual(["missing.yml: cannot be read (no such file)"]);
  });

  it("validates .github/automations/*.yml when no files are given, in name order", async () => {
    await file(".github/automations/zeta.yml", GOOD);
    await file(".github/automations/alpha.yml", BAD);
    await file(".github/automations/notes.md", "not a definition");
    const output = captured();
    expect(await validateCommand([], output, dir)).toBe(1);
    expect(output.stdout).toEqual([`.github/automations/alpha.yml:3:12: ${BAD_ERROR}`, ".github/automations/zeta.yml: ok"]);
  });

  it("fails on a .yaml definition the app would never read", async () => {
    await file(".github/automations/hello.yaml", GOOD);
    const output = captured();
    expect(await validateCommand([], output, dir)).toBe(1);
    expect(output.stdout).toEqual([".github/automations/hello.yaml: never read by the app, whose definitions end in .yml; rename it"]);
  });

  it("says so when there is no definitions directory", async () => {
    const output = captured();
    expect(await validateCommand([], output, dir)).toBe(1);
    expect(output.stderr[0]).toContain(".github/automations: no such directory");
  });

  it("answers an unknown command or none with the usage on stderr and exit code 2", async () => {
    for (const args of [["frobnicate"], [], ["validate", "--fix"]]) {
      const output = captured();
      expect(await main(args, output, dir)).toBe(2);
      expect(output.stdout).toEqual([]);
      expect(output.stderr.join("\n")).toContain("Usage: automations <command>");
    }
  });
});

describe("the automations command, as a process", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "automations-bin-"));
    await mkdir(join(dir, ".github/automations"), { recursive: true });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, [bin, ...args], { cwd: dir }, (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      });
    });
  }

  it("exits 1 and prints the error's position for a bad definition", async () => {
    await writeFile(join(dir, ".github/automations/bad.yml"), BAD);
    const result = await run(["validate"]);
    expect(result).toMatchObject({ code: 1, stdout: `.github/automations/bad.yml:3:12: ${BAD_ERROR}\n` });
  });

  it("exits 0 for a good definition", async () => {
    await writeFile(join(dir, ".github/automations/good.yml"), GOOD);
    const result = await run(["validate"]);
    expect(result).toEqual({ code: 0, stdout: ".github/automations/good.yml: ok\n", stderr: "" });
  });

  it("exits 2 with the usage for an unknown command", async () => {
    const result = await run(["frobnicate"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command "frobnicate"');
  });
});
