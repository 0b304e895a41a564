import { describe, expect, it } from "vitest";
import { createMasker, maskingStream } from "../../src/security/mask-secrets.js";

const SECRET = "s3cr3t-Value_42!";

describe("createMasker", () => {
  const masker = createMasker([SECRET, "another-token-xyz"]);
  const b64 = (text: string) => Buffer.from(text).toString("base64");

  const cases: { behaviour: string; text: string; expected: string }[] = [
    { behaviour: "the raw value is masked", text: `token=${SECRET} done`, expected: "token=*** done" },
    { behaviour: "every occurrence is masked", text: `${SECRET}${SECRET} and another-token-xyz`, expected: "****** and ***" },
    { behaviour: "its base64 form is masked", text: `header: ${b64(SECRET)}`, expected: "header: ***" },
    {
      behaviour: "its base64 inside a longer base64 text is masked at offset 1",
      text: b64(`x${SECRET}yz`),
      expected: expect.stringContaining("***") as unknown as string,
    },
    { behaviour: "text without secrets is unchanged", text: "nothing to hide here", expected: "nothing to hide here" },
  ];

  it.each(cases)("$behaviour", ({ text, expected }) => {
    expect(masker.mask(text)).toEqual(expected);
  });

  it.each([0, 1, 2, 3, 4, 5])("hides the value inside a base64 text whatever its byte offset (%i bytes before it)", (before) => {
    const encoded = b64(`${"p".repeat(before)}${SECRET}${"q".repeat(before % 3)}`);
    const masked = masker.mask(encoded);
    expect(masked).toContain("***");
    // What is left cannot be decoded back into the value.
    expect(Buffer.from(masked.replace(/\*/g, "A"), "base64").toString("latin1")).not.toContain(SECRET.slice(2, -2));
  });

  it("masks the whole of a longer secret rather than a shorter one it starts with", () => {
    const overlapping = createMasker(["abcd", "abcdefgh"]);
    expect(overlapping.mask("xabcdefghx abcdx")).toBe("x***x ***x");
  });

  it("masks each line of a multi-line secret when a tool prints it line by line", () => {
    const key = "-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0B\n-----END KEY-----";
    const multi = createMasker([key]);
    expect(multi.mask("line: MIIEvQIBADANBgkqhkiG9w0B")).toBe("line: ***");
  });

  it("leaves text alone when there are no secrets", () => {
    expect(createMasker([]).mask(`plain ${SECRET}`)).toBe(`plain ${SECRET}`);
    expect(createMasker([""]).mask("a b")).toBe("a b");
  });
});

describe("maskingStream", () => {
  const masker = createMasker([SECRET]);

  function streamed(chunks: string[]): string {
    const stream = maskingStream(masker);
    return chunks.map((chunk) => stream.write(chunk)).join("") + stream.end();
  }

  const text = `before ${SECRET} middle ${Buffer.from(SECRET).toString("base64")} after\n`;
  const splits = Array.from({ length: text.length - 1 }, (_, i) => i + 1);

  it.each(splits)("masks a value split across two chunks (split at %i)", (at) => {
    expect(streamed([text.slice(0, at), text.slice(at)])).toBe("before *** middle *** after\n");
  });

  it("masks a value arriving one character at a time", () => {
    expect(streamed([...text])).toBe("before *** middle *** after\n");
  });

  it("passes output on at once when its end cannot be the start of a secret", () => {
    const stream = maskingStream(masker);
    expect(stream.write("progress: 10%\n")).toBe("progress: 10%\n");
    expect(stream.end()).toBe("");
  });

  it("holds back only an end that could be the start of a secret, and lets it go at the end", () => {
    const stream = maskingStream(masker);
    expect(stream.write(`value ${SECRET.slice(0, 5)}`)).toBe("value ");
    expect(stream.end()).toBe(SECRET.slice(0, 5));
  });
});
