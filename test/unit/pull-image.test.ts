import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { pullImage, PullError, type StartPull } from "../../src/execution/docker/pull-image.js";

/** A pull answered with these JSON lines, the way the engine streams them (split anywhere). */
const streaming = (events: object[]): StartPull => async () => {
  const text = events.map((event) => `${JSON.stringify(event)}\r\n`).join("");
  return Readable.from([text.slice(0, 17), text.slice(17, 60), text.slice(60)]);
};

describe("pullImage", () => {
  it("writes one progress line per layer state, not per downloaded chunk", async () => {
    const lines: string[] = [];
    await pullImage(
      streaming([
        { status: "Pulling from library/node", id: "22" },
        { status: "Pulling fs layer", id: "a1" },
        { status: "Downloading", id: "a1", progressDetail: { current: 1, total: 9 }, progress: "[=>   ]" },
        { status: "Downloading", id: "a1", progressDetail: { current: 5, total: 9 }, progress: "[===> ]" },
        { status: "Download complete", id: "a1" },
        { status: "Pull complete", id: "a1" },
        { status: "Digest: sha256:abc" },
        { status: "Status: Downloaded newer image for node:22" },
      ]),
      "node:22",
      (line) => lines.push(line),
    );
    expect(lines).toEqual([
      "22: Pulling from library/node",
      "a1: Pulling fs layer",
      "a1: Downloading",
      "a1: Download complete",
      "a1: Pull complete",
      "Digest: sha256:abc",
      "Status: Downloaded newer image for node:22",
    ]);
  });

  it("fails with the engine's words when the stream reports an error midway", async () => {
    const lines: string[] = [];
    const pull = pullImage(
      streaming([
        { status: "Pulling fs layer", id: "a1" },
        { errorDetail: { message: "write /var/lib/docker/tmp: no space left on device" }, error: "no space left on device" },
      ]),
      "node:22",
      (line) => lines.push(line),
    );
    await expect(pull).rejects.toThrow(PullError);
    await expect(pull).rejects.toThrow("write /var/lib/docker/tmp: no space left on device");
    expect(lines).toEqual(["a1: Pulling fs layer"]);
  });

  it("fails with the engine's words when the engine refuses the pull, as dockerode rejects", async () => {
    // dockerode rejects with the HTTP status and the engine's JSON body.
    const refused: StartPull = () =>
      Promise.reject(
        Object.assign(new Error("(HTTP code 404) unexpected - pull access denied for private/app"), {
          statusCode: 404,
          json: { message: "pull access denied for private/app, repository does not exist or may require 'docker login'" },
        }),
      );
    await expect(pullImage(refused, "private/app", () => {})).rejects.toThrow(
      "pull access denied for private/app, repository does not exist or may require 'docker login' (HTTP 404)",
    );
  });
});
