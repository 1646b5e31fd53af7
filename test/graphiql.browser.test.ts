// GraphiQL in a real browser (Debian's Chromium, driven by playwright-core): the page the API serves
// renders offline, opens on the example query, runs it and shows the CryptoCore story. The browser
// may reach nothing but the server. Skipped where Chromium is not installed, unless REQUIRE_BROWSER
// is set (as `.ci/run` does after installing it).
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(chromiumPath);
if (!available && process.env.REQUIRE_BROWSER)
  throw new Error(`REQUIRE_BROWSER is set but there is no Chromium at ${chromiumPath}`);

describe.runIf(available)('GraphiQL in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startTestServer();
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('runs the example query and shows the story, loading nothing from elsewhere', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const foreign: string[] = [];
    page.on('request', (req) => {
      const url = new URL(req.url());
      if (!['127.0.0.1', 'localhost'].includes(url.hostname) && url.protocol.startsWith('http'))
        foreign.push(req.url());
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await page.goto(`${server.url}/graphql`);
    await page.getByText('campaign(name: "Dangerous Password")').first().waitFor({ timeout: 30_000 });
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/graphql') && r.request().method() === 'POST'),
      page.locator('.graphiql-execute-button').click(),
    ]);
    const body = await response.json();
    expect(body.errors).toBeUndefined();
    expect(body.data.campaign.attributions.nodes.map((a: any) => a.status)).toEqual([
      'SUPERSEDED',
      'CURRENT',
      'CURRENT',
    ]);
    expect(body.data.campaign.attributions.nodes[2].actor.name).toBe('Lazarus Group');
    // The response pane shows it (CodeMirror renders the visible lines only).
    const result = page.locator('.graphiql-response');
    await expect
      .poll(async () => ((await result.textContent()) ?? '').replace(/\s+/g, ' '), { timeout: 30_000 })
      .toContain('"name": "CryptoCore"');

    const shot = path.join(
      process.env.SCREENSHOT_DIR ?? (await mkdtemp(path.join(tmpdir(), 'graphiql-'))),
      'graphiql.png',
    );
    await page.screenshot({ path: shot });
    expect(existsSync(shot)).toBe(true);
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
