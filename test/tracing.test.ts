// OpenTelemetry traces, sent over OTLP/HTTP to a collector of the test's own: one trace per request, its
// HTTP span the parent of the GraphQL operation's spans, and one span per SQL statement below them;
// nothing from the caller's variables in any span. Off unless a collector is configured.

import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerProcess, startMain } from './helpers/process.js';

type Span = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: { key: string; value: { stringValue?: string; intValue?: string | number } }[];
};

describe('OpenTelemetry traces', () => {
  let collector: Server;
  const bodies: string[] = [];
  let api: ServerProcess;

  beforeAll(async () => {
    collector = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        if (req.url === '/v1/traces') bodies.push(body);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as { port: number };
    const dataDir = path.join(await mkdtemp(path.join(tmpdir(), 'tai-trace-')), 'pglite');
    api = await startMain({
      DATA_DIR: dataDir,
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
  }, 120_000);

  afterAll(async () => {
    if (api?.child.exitCode === null) await api.stop();
    collector?.close();
  });

  const spans = (): Span[] =>
    bodies.flatMap((b) =>
      (JSON.parse(b) as { resourceSpans: { scopeSpans: { spans: Span[] }[] }[] }).resourceSpans.flatMap((r) =>
        r.scopeSpans.flatMap((s) => s.spans),
      ),
    );
  const attribute = (span: Span, key: string) => {
    const value = span.attributes.find((a) => a.key === key)?.value;
    return value?.stringValue ?? (value?.intValue === undefined ? undefined : Number(value.intValue));
  };

  it('one trace per request: the HTTP span, the GraphQL operation below it, each SQL statement below that', async () => {
    const res = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'trace-test-1' },
      body: JSON.stringify({
        query: 'query TracedStory($name: String!) { campaign(name: $name) { name attributions { totalCount } } }',
        variables: { name: 'CryptoCore' },
        operationName: 'TracedStory',
      }),
    });
    expect((await res.json()).data.campaign.name).toBe('CryptoCore');
    let request: Span | undefined;
    for (let i = 0; i < 100 && !request; i++) {
      await new Promise((r) => setTimeout(r, 100));
      request = spans().find((s) => attribute(s, 'request.id') === 'trace-test-1' && s.name === 'POST graphql');
    }
    expect(request).toBeDefined();
    // The statements are exported when they end, before their request's span: wait for all of the trace.
    await new Promise((r) => setTimeout(r, 500));
    const trace = spans().filter((s) => s.traceId === request!.traceId);
    expect(attribute(request!, 'http.response.status_code')).toBe(200);
    expect(attribute(request!, 'graphql.operation.name')).toBe('TracedStory');
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const ancestors = (s: Span): string[] => {
      const parent = s.parentSpanId ? byId.get(s.parentSpanId) : undefined;
      return parent ? [parent.name, ...ancestors(parent)] : [];
    };
    const execute = trace.find((s) => s.name === 'query.TracedStory');
    expect(execute, JSON.stringify(trace.map((s) => s.name))).toBeDefined();
    expect(ancestors(execute!)).toContain('POST graphql');
    const sql = trace.filter((s) => s.name === 'sql');
    expect(sql.length).toBeGreaterThanOrEqual(1);
    for (const statement of sql) {
      expect(ancestors(statement)).toEqual(['query.TracedStory', 'POST graphql']);
      expect(String(attribute(statement, 'db.query.text'))).toMatch(/SELECT/i);
    }
    // The variables' values are the caller's: no span carries them (statements carry placeholders).
    expect(bodies.join('')).not.toContain('"CryptoCore"');
  });
});
