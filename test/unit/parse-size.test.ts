import { describe, expect, it } from "vitest";
import { parseSize } from "../../src/automations/parse-size.js";

const KiB = 1024;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

describe("parseSize", () => {
  it.each<[string | number, number]>([
    ["512m", 512 * MiB],
    ["4g", 4 * GiB],
    ["4G", 4 * GiB],
    ["4gb", 4 * GiB],
    ["4GiB", 4 * GiB],
    ["512Mi", 512 * MiB],
    ["1.5g", 1.5 * GiB],
    ["100k", 100 * KiB],
    ["1t", 1024 ** 4],
    ["2048b", 2048],
    ["2048", 2048],
    [" 64m ", 64 * MiB],
    ["64 m", 64 * MiB],
    [1_073_741_824, GiB],
  ])("reads %j as %d bytes", (input, bytes) => {
    expect(parseSize(input)).toBe(bytes);
  });

  it.each<string | number>(["", "lots", "4x", "g", "-1g", "4 gigabytes", "1e9", -1, Number.NaN])("rejects %j", (input) => {
    expect(parseSize(input)).toBeNull();
  });
});
