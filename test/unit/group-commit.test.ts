import { describe, expect, it } from "vitest";
import { groupCommit } from "../../src/ingress/group-commit.js";

/** A store whose writes finish when the test says so, recording each batch it was given. */
function controlledStore(refuse: (item: string) => boolean = () => false) {
  const batches: string[][] = [];
  const open: Array<() => void> = [];
  const write = (items: readonly string[]) =>
    new Promise<string[]>((resolve, reject) => {
      batches.push([...items]);
      open.push(() => (items.some(refuse) ? reject(new Error(`refused ${items.join(",")}`)) : resolve(items.map((i) => `stored ${i}`))));
    });
  return {
    write,
    batches,
    /** Commits the oldest write still open. */
    commitNext: () => open.shift()?.(),
  };
}

/** Lets the event loop go round a few times: writes scheduled by what settled get started. */
const turn = async () => {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** Settles `promise` into what it resolved or rejected with, without throwing. */
function track<T>(promise: Promise<T>) {
  const state: { result?: T; error?: string } = {};
  promise.then(
    (result) => (state.result = result),
    (error: Error) => (state.error = error.message),
  );
  return state;
}

describe("groupCommit", () => {
  it("writes what arrives while a batch is being written in the next batch, answering each caller once its own batch committed", async () => {
    const store = controlledStore();
    const commits = groupCommit(store.write, { maxBatch: 100, maxInFlight: 1 });
    const first = track(commits.add("a"));
    await turn();
    expect(store.batches).toEqual([["a"]]);

    const later = ["b", "c", "d"].map((item) => track(commits.add(item)));
    await turn();
    // Nothing answered before its commit, and the three wait for the first write to end.
    expect(store.batches).toEqual([["a"]]);
    expect([first, ...later].map((s) => s.result)).toEqual([undefined, undefined, undefined, undefined]);

    store.commitNext();
    await turn();
    expect(first.result).toBe("stored a");
    expect(store.batches).toEqual([["a"], ["b", "c", "d"]]);
    expect(later.map((s) => s.result)).toEqual([undefined, undefined, undefined]);
    expect(commits.pending).toBe(3);

    store.commitNext();
    await turn();
    expect(later.map((s) => s.result)).toEqual(["stored b", "stored c", "stored d"]);
    expect(commits.pending).toBe(0);
  });

  it("keeps batches within maxBatch and writes up to maxInFlight of them at once", async () => {
    const store = controlledStore();
    const commits = groupCommit(store.write, { maxBatch: 2, maxInFlight: 2 });
    const all = ["a", "b", "c", "d", "e"].map((item) => track(commits.add(item)));
    await turn();
    expect(store.batches).toEqual([
      ["a", "b"],
      ["c", "d"],
    ]);
    store.commitNext();
    await turn();
    expect(store.batches).toEqual([["a", "b"], ["c", "d"], ["e"]]);
    store.commitNext();
    store.commitNext();
    await turn();
    expect(all.map((s) => s.result)).toEqual(["stored a", "stored b", "stored c", "stored d", "stored e"]);
  });

  it("writes a refused batch again item by item, so only the item the store refuses fails", async () => {
    const store = controlledStore((item) => item === "bad");
    const commits = groupCommit(store.write, { maxBatch: 100, maxInFlight: 1 });
    const all = ["a", "bad", "c"].map((item) => track(commits.add(item)));
    await turn();
    store.commitNext();
    await turn();
    expect(store.batches).toEqual([["a", "bad", "c"], ["a"], ["bad"], ["c"]]);
    store.commitNext();
    store.commitNext();
    store.commitNext();
    await turn();
    expect(all).toEqual([{ result: "stored a" }, { error: "refused bad" }, { result: "stored c" }]);
    expect(commits.pending).toBe(0);
  });

  it("fails every caller of a batch when the store cannot write any of it", async () => {
    const commits = groupCommit<string, string>(
      async () => {
        throw new Error("connection refused");
      },
      { maxBatch: 100, maxInFlight: 2 },
    );
    const outcomes = await Promise.allSettled(["a", "b", "c"].map((item) => commits.add(item)));
    expect(outcomes.map((o) => (o.status === "rejected" ? (o.reason as Error).message : o.status))).toEqual([
      "connection refused",
      "connection refused",
      "connection refused",
    ]);
    // Nothing left waiting: the next caller is written again.
    expect(commits.pending).toBe(0);
  });
});
