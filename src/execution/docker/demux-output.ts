import type { OutputStream } from "../container-runtime.js";

// Docker sends a command's stdout and stderr over one connection, in frames: an 8-byte header
// (stream type, three zero bytes, the payload's length as a big-endian 32-bit number), then the
// payload. This splits them without copying: each piece of a payload is handed on as a view of
// the chunk it arrived in, as soon as it arrives, so a step printing hundreds of megabytes costs
// no more memory than the chunk being read (docker-modem's demuxStream copies the rest of its
// buffer at every frame).

const HEADER_BYTES = 8;

export interface OutputDemuxer {
  /** Takes the next chunk read from the engine; calls `onOutput` for each piece of payload in it. */
  push(chunk: Buffer): void;
}

export function createOutputDemuxer(onOutput: (stream: OutputStream, piece: Buffer) => void): OutputDemuxer {
  // A header split across two chunks waits here; it is the only thing ever copied.
  let header = Buffer.alloc(0);
  // The stream of the frame being read and how many of its payload bytes are still to come.
  let current: OutputStream = "stdout";
  let remaining = 0;
  // Output that does not start with a valid header (a container with a TTY) is passed on whole.
  let raw = false;

  return {
    push(chunk) {
      if (raw) {
        if (chunk.length > 0) onOutput("stdout", chunk);
        return;
      }
      let offset = 0;
      while (offset < chunk.length) {
        if (remaining > 0) {
          const end = Math.min(chunk.length, offset + remaining);
          remaining -= end - offset;
          onOutput(current, chunk.subarray(offset, end));
          offset = end;
          continue;
        }
        // A new frame: its header, whole or completed from the last chunk.
        const needed = HEADER_BYTES - header.length;
        if (chunk.length - offset < needed) {
          header = Buffer.concat([header, chunk.subarray(offset)]);
          return;
        }
        const full = header.length === 0 ? chunk.subarray(offset, offset + HEADER_BYTES) : Buffer.concat([header, chunk.subarray(offset, offset + needed)]);
        header = Buffer.alloc(0);
        const type = full[0];
        if (type !== 0 && type !== 1 && type !== 2) {
          raw = true;
          onOutput("stdout", Buffer.concat([full, chunk.subarray(offset + needed)]));
          return;
        }
        offset += needed;
        current = type === 2 ? "stderr" : "stdout";
        remaining = full.readUInt32BE(4);
      }
    },
  };
}
