/**
 * Writes items in shared batches: an item added while earlier batches are being written waits
 * for the next batch, so under load many callers share one statement and one commit, and an item
 * added to an idle group is written at once (on the next turn of the event loop, with whatever
 * else arrived in the same turn). Each caller's promise settles when its batch has committed.
 */
export interface GroupCommit<T, R> {
  /** Resolves with the item's result once its batch has committed; rejects when it could not be written. */
  add(item: T): Promise<R>;
  /** Items added and not yet settled: waiting for a batch or being written. */
  readonly pending: number;
}

export interface GroupCommitOptions {
  /** Items per batch at most. */
  maxBatch: number;
  /** Batches written at once at most; more is only useful while a commit waits on the disk. */
  maxInFlight: number;
}

interface Waiting<T, R> {
  item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/**
 * `write` stores a batch in one transaction and returns one result per item, in order. When it
 * fails for a batch of several, each item is written alone, so one item the database refuses
 * fails alone while the others are stored; when the database itself is unavailable, every item
 * fails.
 */
export function groupCommit<T, R>(write: (items: readonly T[]) => Promise<R[]>, options: GroupCommitOptions): GroupCommit<T, R> {
  const queue: Array<Waiting<T, R>> = [];
  let writing = 0;
  let unsettled = 0;
  let scheduled = false;

  const settle = (waiting: Waiting<T, R>, outcome: { result: R } | { error: unknown }) => {
    unsettled -= 1;
    if ("result" in outcome) waiting.resolve(outcome.result);
    else waiting.reject(outcome.error);
  };

  const writeAlone = async (waiting: Waiting<T, R>) => {
    try {
      const [result] = await write([waiting.item]);
      settle(waiting, { result: result as R });
    } catch (error) {
      settle(waiting, { error });
    }
  };

  const writeBatch = async (batch: Array<Waiting<T, R>>) => {
    try {
      const results = await write(batch.map((w) => w.item));
      batch.forEach((waiting, i) => settle(waiting, { result: results[i] as R }));
    } catch (error) {
      if (batch.length === 1) settle(batch[0]!, { error });
      else await Promise.all(batch.map(writeAlone));
    }
  };

  const start = () => {
    scheduled = false;
    while (writing < options.maxInFlight && queue.length > 0) {
      const batch = queue.splice(0, options.maxBatch);
      writing += 1;
      void writeBatch(batch).finally(() => {
        writing -= 1;
        schedule();
      });
    }
  };

  function schedule() {
    if (scheduled || writing >= options.maxInFlight || queue.length === 0) return;
    scheduled = true;
    setImmediate(start);
  }

  return {
    add(item) {
      unsettled += 1;
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        schedule();
      });
    },
    get pending() {
      return unsettled;
    },
  };
}
