import pg from "pg";
import type { Logger } from "pino";

export interface Listening {
  unlisten(): Promise<void>;
}

const firstRetryMs = 250;
// Short: until it listens again, this replica hears of new work only by polling.
const maxRetryMs = 2_000;

/**
 * LISTEN on one channel over a connection of its own, kept open across server restarts: when the
 * session ends, it reconnects with backoff and listens again, then calls `onListen` so the caller
 * can catch up on what was sent while it was away (NOTIFY is not queued for absent listeners).
 * The first connection must succeed: a listener that never started is a configuration error.
 */
export async function listenWithReconnect(
  config: pg.ClientConfig,
  channel: string,
  onNotify: (payload: string) => void,
  onListen: () => void,
  log: Logger,
): Promise<Listening> {
  let current: pg.Client | null = null;
  let retryTimer: NodeJS.Timeout | undefined;
  let failures = 0;
  let stopped = false;

  const open = async (): Promise<void> => {
    const client = new pg.Client(config);
    let lost = false;
    const onLost = (err?: Error) => {
      if (lost) return;
      lost = true;
      if (current === client) current = null;
      if (stopped) return;
      log.warn({ err, channel }, "the connection that listens for wake-ups was lost; reconnecting (polling covers the gap)");
      scheduleRetry();
    };
    // An error event without a listener would crash the process; a lost session is expected.
    client.on("error", onLost);
    client.on("end", () => onLost());
    client.on("notification", (message) => {
      if (message.channel === channel) onNotify(message.payload ?? "");
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
    } catch (err) {
      lost = true;
      client.end().catch(() => {});
      throw err;
    }
    if (stopped) {
      await client.end().catch(() => {});
      return;
    }
    current = client;
    failures = 0;
    onListen();
  };

  const nextDelay = () => Math.min(maxRetryMs, firstRetryMs * 2 ** failures);
  const scheduleRetry = () => {
    const delay = nextDelay();
    failures++;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      if (stopped) return;
      open().catch((err: unknown) => {
        log.warn({ err, channel, retryInMs: nextDelay() }, "could not listen for wake-ups again yet");
        scheduleRetry();
      });
    }, delay);
    retryTimer.unref();
  };

  await open();
  return {
    async unlisten() {
      stopped = true;
      clearTimeout(retryTimer);
      const client = current;
      current = null;
      await client?.end().catch(() => {});
    },
  };
}
