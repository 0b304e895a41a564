import { describe, expect, it } from "vitest";
import { createOutputDemuxer } from "../../src/execution/docker/demux-output.js";
import type { OutputStream } from "../../src/execution/container-runtime.js";

// Docker's multiplexed output: an 8-byte header (stream, 0, 0, 0, length as big-endian uint32)
// before each payload. The engine's reads split frames anywhere, headers included.

function frame(stream: 1 | 2, payload: string): Buffer {
  const body = Buffer.from(payload, "utf8");
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/** What the demuxer hands on, joined per stream, when `wire` arrives in pieces of `size` bytes. */
function demux(wire: Buffer, size: number) {
  const out: Record<OutputStream, Buffer[]> = { stdout: [], stderr: [] };
  const order: OutputStream[] = [];
  const demuxer = createOutputDemuxer((stream, piece) => {
    out[stream].push(Buffer.from(piece));
    if (order.at(-1) !== stream) order.push(stream);
  });
  for (let offset = 0; offset < wire.length; offset += size) demuxer.push(wire.subarray(offset, offset + size));
  return { stdout: Buffer.concat(out.stdout).toString("utf8"), stderr: Buffer.concat(out.stderr).toString("utf8"), order };
}

describe("createOutputDemuxer", () => {
  const wire = Buffer.concat([
    frame(1, "first line\n"),
    frame(2, "a warning ⚠\n"),
    frame(1, "x".repeat(20_000)),
    frame(1, ""),
    frame(2, "done\n"),
  ]);

  it.each([1, 3, 7, 8, 9, 64, 1000, 65_536, wire.length])("splits stdout from stderr whatever the reads' size (%i bytes)", (size) => {
    expect(demux(wire, size)).toEqual({
      stdout: `first line\n${"x".repeat(20_000)}`,
      stderr: "a warning ⚠\ndone\n",
      order: ["stdout", "stderr", "stdout", "stderr"],
    });
  });

  it("hands a payload on as it arrives, before its frame is complete", () => {
    const pieces: string[] = [];
    const demuxer = createOutputDemuxer((_stream, piece) => pieces.push(piece.toString()));
    const long = frame(1, "abcdef");
    demuxer.push(long.subarray(0, 10));
    expect(pieces).toEqual(["ab"]);
    demuxer.push(long.subarray(10));
    expect(pieces).toEqual(["ab", "cdef"]);
  });

  it("passes output that is not multiplexed (a TTY) through as stdout", () => {
    expect(demux(Buffer.from("plain terminal output\n"), 5)).toEqual({ stdout: "plain terminal output\n", stderr: "", order: ["stdout"] });
  });
});
