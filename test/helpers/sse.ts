// A GraphQL subscription over Server-Sent Events, as a browser's EventSource or graphql-sse would ask
// it (POST, Accept: text/event-stream): the `next` events' payloads, read as they arrive.
export type Subscription<T> = {
  /** The next `count` payloads (waits for them, failing after `timeoutMs`). */
  take(count: number, timeoutMs?: number): Promise<T[]>;
  /** Payloads that arrive within `ms` (for "nothing else came"). */
  drain(ms: number): Promise<T[]>;
  close(): void;
};

export async function subscribe<T = any>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  key?: string,
): Promise<Subscription<T>> {
  const abort = new AbortController();
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      accept: 'text/event-stream',
      'content-type': 'application/json',
      ...(key ? { authorization: `Bearer ${key}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  });
  if (!res.ok || !res.body) throw new Error(`subscription refused: HTTP ${res.status} ${await res.text()}`);
  const queue: T[] = [];
  const listener: { wake: (() => void) | null } = { wake: null };
  let failed: unknown = null;
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block.split('\n');
          if (lines.includes('event: next')) {
            const data = lines
              .filter((l) => l.startsWith('data: '))
              .map((l) => l.slice(6))
              .join('\n');
            queue.push(JSON.parse(data) as T);
            listener.wake?.();
          }
          end = buffer.indexOf('\n\n');
        }
      }
    } catch (error) {
      if (!abort.signal.aborted) failed = error;
      listener.wake?.();
    }
  })();
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      listener.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  return {
    async take(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (queue.length < count && Date.now() < deadline && !failed) await wait(deadline - Date.now());
      if (failed) throw failed;
      if (queue.length < count)
        throw new Error(`expected ${count} events, got ${queue.length}: ${JSON.stringify(queue).slice(0, 1000)}`);
      return queue.splice(0, count);
    },
    async drain(ms) {
      await new Promise((r) => setTimeout(r, ms));
      return queue.splice(0);
    },
    close: () => abort.abort(),
  };
}
