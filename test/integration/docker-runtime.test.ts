import { randomUUID } from "node:crypto";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, it } from "vitest";
import {
  ContainerError,
  type ContainerSpec,
  type OutputStream,
  type RunningContainer,
} from "../../src/execution/container-runtime.js";
import { DockerRuntime } from "../../src/execution/docker/docker-runtime.js";
import { MANAGED_LABEL } from "../../src/execution/docker/container-config.js";
import { DEFAULT_CPUS, FALLBACK_USER } from "../../src/security/container-hardening.js";
import { Readable } from "node:stream";
import { ensureTestImage, shouldSkipDockerTests, TEST_IMAGE } from "../helpers/docker.js";

const skip = await shouldSkipDockerTests();

// Every container of this file carries FILE_LABEL, so afterAll can sweep whatever a failed test left.
const FILE_LABEL = "automations.test-file";
const fileRun = randomUUID();

// Concurrent: starting a container takes about half a second here, and the tests share nothing
// but the file label. Assertions use the test's own `expect`, as concurrent tests must.
describe.skipIf(skip).concurrent("DockerRuntime against the real engine", () => {
  const docker = new Docker();
  const runtime = new DockerRuntime(docker);
  const started: RunningContainer[] = [];
  const workspaces: string[] = [];

  beforeAll(async () => {
    await ensureTestImage();
  });

  afterAll(async () => {
    await Promise.all(started.map((container) => container.remove()));
    await runtime.removeByLabel(FILE_LABEL, fileRun);
    await Promise.all(workspaces.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  async function workspace(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "automations-docker-"));
    // The container may run as uid 1000 while the tests run as someone else.
    await chmod(dir, 0o777);
    workspaces.push(dir);
    return dir;
  }

  async function start(overrides: Partial<ContainerSpec> = {}): Promise<RunningContainer> {
    const container = await runtime.start({
      image: TEST_IMAGE,
      workspaceDir: overrides.workspaceDir ?? (await workspace()),
      workspaceMount: "/workspace",
      env: {},
      network: "none",
      resources: {},
      ...overrides,
      labels: { [FILE_LABEL]: fileRun, ...overrides.labels },
    });
    started.push(container);
    return container;
  }

  function collect() {
    const chunks: { stream: OutputStream; text: string }[] = [];
    const text = (stream: OutputStream) =>
      chunks
        .filter((chunk) => chunk.stream === stream)
        .map((chunk) => chunk.text)
        .join("");
    const onOutput = (stream: OutputStream, chunk: Buffer) => chunks.push({ stream, text: chunk.toString() });
    return { chunks, text, onOutput };
  }

  it("streams a step's output while it runs, keeping stdout and stderr apart", async ({ expect }) => {
    const dir = await workspace();
    const container = await start({ workspaceDir: dir });
    // The command only goes on once the host sees its first line, so output held back until the
    // end would make this test time out instead of pass.
    const script =
      "echo one; echo err1 >&2; i=0; while [ ! -f go ]; do i=$((i+1)); [ $i -gt 200 ] && exit 9; sleep 0.02; done; " +
      "echo two; echo err2 >&2";
    const output = collect();
    let released = false;
    const result = await container.exec({ command: ["sh", "-c", script] }, (stream, chunk) => {
      output.onOutput(stream, chunk);
      if (!released && output.text("stdout").includes("one\n")) {
        released = true;
        void writeFile(join(dir, "go"), "");
      }
    });

    expect(result.exitCode).toBe(0);
    expect(output.text("stdout")).toBe("one\ntwo\n");
    expect(output.text("stderr")).toBe("err1\nerr2\n");
  });

  it("reports each command's real exit code", async ({ expect }) => {
    const container = await start();
    await expect(container.exec({ command: ["true"] }, () => {})).resolves.toEqual({ exitCode: 0 });
    await expect(container.exec({ command: ["sh", "-c", "exit 3"] }, () => {})).resolves.toEqual({ exitCode: 3 });
  });

  it("runs commands in the workspace with the container's and the step's environment", async ({ expect }) => {
    const container = await start({ env: { FROM_CONTAINER: "c" } });
    const output = collect();
    const script = 'pwd; echo "$FROM_CONTAINER $FROM_STEP"';
    await container.exec({ command: ["sh", "-c", script], env: { FROM_STEP: "s" } }, output.onOutput);
    await container.exec({ command: ["pwd"], workingDir: "/tmp" }, output.onOutput);
    expect(output.text("stdout")).toBe("/workspace\nc s\n/tmp\n");
  });

  it("shares the workspace with the host, read and write, as the given user", async ({ expect }) => {
    const dir = await workspace();
    await writeFile(join(dir, "input.txt"), "from host\n");
    const container = await start({ workspaceDir: dir, user: "automation" });
    const output = collect();
    const result = await container.exec(
      { command: ["sh", "-c", "cat input.txt; echo from container > output.txt; id -u"] },
      output.onOutput,
    );

    expect(result.exitCode).toBe(0);
    expect(output.text("stdout")).toBe("from host\n1000\n");
    expect(await readFile(join(dir, "output.txt"), "utf8")).toBe("from container\n");
  });

  it("runs the final command after the execs, as the main process, with its own environment, directory and an empty stdin", async ({ expect }) => {
    const dir = await workspace();
    const container = await start({
      workspaceDir: dir,
      env: { FROM_CONTAINER: "c" },
      finalCommand: {
        // Values with spaces, quotes and an equals sign reach the command unchanged.
        command: ["sh", "-c", 'pwd; echo "$FROM_CONTAINER|$FROM_STEP|$TRICKY"; cat earlier.txt; read line || echo "stdin ended"; echo err >&2; echo $$; exit 4'],
        env: { FROM_STEP: "s", TRICKY: `a b 'c" =d` },
        workingDir: "/workspace",
      },
    });
    // The final command waits while the earlier steps run.
    await container.exec({ command: ["sh", "-c", "echo earlier > earlier.txt"] }, () => {});
    const output = collect();
    const result = await container.runFinal(output.onOutput);

    expect(result).toEqual({ exitCode: 4 });
    expect(output.text("stdout")).toBe(`/workspace\nc|s|a b 'c" =d\nearlier\nstdin ended\n1\n`);
    expect(output.text("stderr")).toBe("err\n");
    // The container ended with its final command: nothing more runs in it.
    expect((await docker.getContainer(container.id).inspect()).State.Running).toBe(false);
    await expect(container.exec({ command: ["true"] }, () => {})).rejects.toBeInstanceOf(ContainerError);
  });

  it("fails a final command whose working directory is missing as an exec would, saying why", async ({ expect }) => {
    const container = await start({ finalCommand: { command: ["true"], env: {}, workingDir: "/workspace/no-such-project" } });
    const output = collect();
    await expect(container.runFinal(output.onOutput)).resolves.toEqual({ exitCode: 126 });
    expect(output.text("stderr")).toContain("/workspace/no-such-project");
  });

  it("settles a final command at once when the container is killed, and refuses one it was not created with", async ({ expect }) => {
    const container = await start({ finalCommand: { command: ["sh", "-c", "echo started; sleep 30"], env: {}, workingDir: "/workspace" } });
    let sawStart!: () => void;
    const started = new Promise<void>((resolve) => (sawStart = resolve));
    const running = container.runFinal(() => sawStart());
    await started;
    await container.kill();
    await expect(running).resolves.toEqual({ exitCode: 137 });

    const withoutOne = await start();
    await expect(withoutOne.runFinal(() => {})).rejects.toThrow(/created without one/);
  });

  it("stops promptly on SIGTERM while its final command waits", async ({ expect }) => {
    const container = await start({ finalCommand: { command: ["true"], env: {}, workingDir: "/workspace" } });
    const stoppingAt = Date.now();
    await docker.getContainer(container.id).stop({ t: 10 });
    expect(Date.now() - stoppingAt).toBeLessThan(3_000);
  });

  it("hardens every container: no capabilities, no new privileges, limits, no network if asked", async ({ expect }) => {
    const label = randomUUID();
    const plain = await start({ labels: { "automations.action": label } });
    const limited = await start({ resources: { pids: 64, memoryBytes: 256 * 1024 ** 2, nanoCpus: 500_000_000 } });

    const plainInfo = await docker.getContainer(plain.id).inspect();
    expect(plainInfo.HostConfig.CapDrop).toEqual(["ALL"]);
    expect(plainInfo.HostConfig.SecurityOpt).toContain("no-new-privileges");
    expect(plainInfo.HostConfig.PidsLimit).toBe(512);
    expect(plainInfo.HostConfig.Memory).toBe(2 * 1024 ** 3);
    expect(plainInfo.HostConfig.NanoCpus).toBe(DEFAULT_CPUS * 1e9);
    expect(plainInfo.HostConfig.MemorySwap).toBe(plainInfo.HostConfig.Memory);
    expect(plainInfo.HostConfig.Privileged).toBe(false);
    expect(plainInfo.HostConfig.NetworkMode).toBe("none");
    expect(plainInfo.Config.Labels).toMatchObject({ "automations.action": label, [MANAGED_LABEL]: "true" });
    // The test image names no user: steps do not run as root.
    expect(plainInfo.Config.User).toBe(process.getuid?.() === 0 ? FALLBACK_USER : `${process.getuid?.()}:${process.getgid?.()}`);

    const limitedInfo = await docker.getContainer(limited.id).inspect();
    expect(limitedInfo.HostConfig.PidsLimit).toBe(64);
    expect(limitedInfo.HostConfig.Memory).toBe(256 * 1024 ** 2);
    expect(limitedInfo.HostConfig.NanoCpus).toBe(500_000_000);

    // What a step actually gets, not only what the engine was told.
    const output = collect();
    const probe = "grep -E '^(CapEff|NoNewPrivs)' /proc/self/status; echo uid=$(id -u); cat /proc/net/dev";
    await plain.exec({ command: ["sh", "-c", probe] }, output.onOutput);
    const stdout = output.text("stdout");
    expect(stdout).toMatch(/CapEff:\s+0{16}\n/);
    expect(stdout).toMatch(/NoNewPrivs:\s+1\n/);
    expect(stdout).toMatch(/^uid=[1-9]\d*$/m);
    const interfaces = stdout
      .split("\n")
      .filter((line) => line.includes(":") && !/^(CapEff|NoNewPrivs|Inter-|uid=)/.test(line) && !line.includes("|"))
      .map((line) => line.split(":")[0]!.trim());
    expect(interfaces).toEqual(["lo"]);
  });

  it("gives a bridge network when the definition asks for one", async ({ expect }) => {
    const container = await start({ network: "bridge" });
    const output = collect();
    await container.exec({ command: ["cat", "/proc/net/dev"] }, output.onOutput);
    expect(output.text("stdout")).toMatch(/eth0:/);
  });

  it("settles a running command at once when the container is killed", async ({ expect }) => {
    const container = await start();
    let sawStart!: () => void;
    const started = new Promise<void>((resolve) => (sawStart = resolve));
    const running = container.exec({ command: ["sh", "-c", "echo started; sleep 30"] }, () => sawStart());
    await started;

    const killedAt = Date.now();
    await container.kill();
    await expect(running).resolves.toEqual({ exitCode: 137 });
    expect(Date.now() - killedAt).toBeLessThan(2_500);

    await expect(container.kill()).resolves.toBeUndefined();
    await expect(container.exec({ command: ["true"] }, () => {})).rejects.toBeInstanceOf(ContainerError);
  });

  it("stops promptly on SIGTERM, so a plain docker stop does not wait out its timeout", async ({ expect }) => {
    const container = await start();
    const stoppingAt = Date.now();
    await docker.getContainer(container.id).stop({ t: 10 });
    expect(Date.now() - stoppingAt).toBeLessThan(3_000);
  });

  it("removes a container, and removing or killing it again is harmless", async ({ expect }) => {
    const container = await start();
    await container.remove();
    await expect(container.remove()).resolves.toBeUndefined();
    await expect(container.kill()).resolves.toBeUndefined();
    await expect(docker.getContainer(container.id).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it("removes every container with a label, running or stopped, and nothing else", async ({ expect }) => {
    const lost = randomUUID();
    const running = await start({ labels: { "automations.action": lost } });
    const stopped = await start({ labels: { "automations.action": lost } });
    await stopped.kill();
    const other = await start({ labels: { "automations.action": randomUUID() } });

    await expect(runtime.removeByLabel("automations.action", lost)).resolves.toBe(2);
    await expect(docker.getContainer(running.id).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await expect(docker.getContainer(stopped.id).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await expect(docker.getContainer(other.id).inspect()).resolves.toMatchObject({ Id: other.id });
    await expect(runtime.removeByLabel("automations.action", lost)).resolves.toBe(0);
  });

  it("tries to pull a missing image, then names it, the engine's reason and what to do", async ({ expect }) => {
    const image = `automations-test:missing-${randomUUID().slice(0, 8)}`;
    const lines: string[] = [];
    const error = await runtime
      .start({ image, workspaceDir: await workspace(), workspaceMount: "/workspace", env: {}, network: "none", resources: {}, labels: { [FILE_LABEL]: fileRun } }, (line) => lines.push(line))
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ContainerError);
    expect(error).toMatchObject({ kind: "image_missing" });
    expect((error as Error).message).toContain(`Image "${image}" is not present`);
    expect((error as Error).message).toContain("pulling it failed: ");
    expect((error as Error).message).toMatch(/pull or build/i);
    expect(lines).toEqual([`Image ${image} is not on the engine; pulling it`]);
  });

  it("pulls a missing image with its progress as lines, and fails the way the engine does midway", async ({ expect }) => {
    const image = `automations-test:missing-${randomUUID().slice(0, 8)}`;
    // What the engine streams for a pull that dies after its first layer.
    const engineLines = [
      { status: "Pulling from automations-test", id: "missing" },
      { status: "Pulling fs layer", id: "4f4fb700ef54" },
      { status: "Downloading", id: "4f4fb700ef54", progressDetail: { current: 32, total: 64 } },
      { errorDetail: { message: "unexpected EOF" }, error: "unexpected EOF" },
    ];
    const pulling = new DockerRuntime(docker, {
      startPull: async () => Readable.from(engineLines.map((line) => `${JSON.stringify(line)}\r\n`)),
    });
    const lines: string[] = [];
    const error = await pulling
      .start({ image, workspaceDir: await workspace(), workspaceMount: "/workspace", env: {}, network: "none", resources: {}, labels: { [FILE_LABEL]: fileRun } }, (line) => lines.push(line))
      .catch((err: unknown) => err);
    expect(lines).toEqual([
      `Image ${image} is not on the engine; pulling it`,
      "missing: Pulling from automations-test",
      "4f4fb700ef54: Pulling fs layer",
      "4f4fb700ef54: Downloading",
    ]);
    expect(error).toMatchObject({ kind: "image_missing" });
    expect((error as Error).message).toContain(`Image "${image}" is not present`);
    expect((error as Error).message).toContain("pulling it failed: unexpected EOF");
  });

  it("says what to do when the engine cannot see the workspace it is to mount, as when it runs on another machine", async ({ expect }) => {
    const elsewhere = join(tmpdir(), `automations-not-on-the-engine-${randomUUID()}`);
    const error = await runtime
      .start({ image: TEST_IMAGE, workspaceDir: elsewhere, workspaceMount: "/workspace", env: {}, network: "none", resources: {}, labels: { [FILE_LABEL]: fileRun } })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ContainerError);
    expect((error as Error).message).toContain(`bind source path does not exist: ${elsewhere}`);
    expect((error as Error).message).toContain("mounts each action's workspace by its path on the engine's own machine");
    expect((error as Error).message).toContain("mount its DATA_DIR at the same path inside as on the host");
  });

  it("reports a command killed for exceeding the memory limit as out of memory", async ({ expect }) => {
    const container = await start({ resources: { memoryBytes: 16 * 1024 ** 2 } });
    const before = new Date();
    expect(await container.outOfMemory(before)).toBe(false);
    // A string that doubles until the kernel kills the process.
    const result = await container.exec({ command: ["awk", 'BEGIN { s = "xxxxxxxx"; while (1) s = s s }'] }, () => {});
    expect(result.exitCode).toBe(137);
    expect(await container.outOfMemory(before)).toBe(true);
  });

  it("says where the engine was expected when it cannot be reached", async ({ expect }) => {
    const unreachable = new DockerRuntime(new Docker({ socketPath: "/nonexistent/docker.sock" }));
    const error = await unreachable.removeByLabel("any", "thing").catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ContainerError);
    expect(error).toMatchObject({ kind: "engine_unavailable" });
    expect((error as Error).message).toContain("unix:///nonexistent/docker.sock");
    expect((error as Error).message).toContain("DOCKER_HOST");
  });
});
