import { describe, expect, it } from "vitest";
import { containerUser, formatMemory } from "../../src/security/container-hardening.js";

describe("containerUser", () => {
  const root = { uid: 0, gid: 0 };
  const app = { uid: 1234, gid: 1234 };
  const cases: { behaviour: string; imageUser: string | undefined; host: { uid: number; gid: number } | null; expected: string }[] = [
    { behaviour: "an image without USER runs as uid 1000 under a root app", imageUser: undefined, host: root, expected: "1000:1000" },
    { behaviour: "an image whose USER is root runs as uid 1000", imageUser: "root", host: root, expected: "1000:1000" },
    { behaviour: "an image whose USER is uid 0 runs as uid 1000", imageUser: "0:0", host: root, expected: "1000:1000" },
    { behaviour: "an image's own non-root USER is kept", imageUser: "node", host: root, expected: "node" },
    { behaviour: "a non-root app runs containers as itself, so it owns what steps write", imageUser: undefined, host: app, expected: "1234:1234" },
    { behaviour: "a non-root app wins over the image's user", imageUser: "node", host: app, expected: "1234:1234" },
    { behaviour: "without host ids the image's non-root user is kept", imageUser: "node", host: null, expected: "node" },
    { behaviour: "without host ids or image user, uid 1000", imageUser: "", host: null, expected: "1000:1000" },
  ];
  it.each(cases)("$behaviour", ({ imageUser, host, expected }) => {
    expect(containerUser(imageUser, host)).toBe(expected);
  });
});

describe("formatMemory", () => {
  const cases: { bytes: number; expected: string }[] = [
    { bytes: 512 * 1024 ** 2, expected: "512 MiB" },
    { bytes: 2 * 1024 ** 3, expected: "2 GiB" },
    { bytes: 1.5 * 1024 ** 3, expected: "1.5 GiB" },
    { bytes: 6 * 1024 ** 2 + 300 * 1024, expected: "6.3 MiB" },
    { bytes: 1000, expected: "1000 bytes" },
  ];
  it.each(cases)("$bytes bytes read as $expected", ({ bytes, expected }) => {
    expect(formatMemory(bytes)).toBe(expected);
  });
});
