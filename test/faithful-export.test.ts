// The faithful export: the ATT&CK TAXII collection serves MITRE's objects exactly as they came (every
// property, the identity and marking-definition objects), with the versions kept, over HTTP, and the
// OASIS TAXII client reads it.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual, promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetFiles } from '../src/config.js';
import { loadSeeds } from '../src/ingest/load-seeds.js';
import { databaseLabel } from './helpers/database.js';
import { projectRoot } from './helpers/process.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ SEED_DATASETS: 'curated,mitre-attack,misp-galaxy' });
}, 180_000);
afterAll(() => server?.stop());

const ATTACK = '2b7e9a4c-5a5f-4b1e-9d0e-6a1c3f0b7e03';
const taxii = async (path_: string) => {
  const res = await fetch(`${server.url}/taxii2/api/collections/${ATTACK}/${path_}`, {
    headers: { accept: 'application/taxii+json;version=2.1' },
  });
  expect(res.status, path_).toBe(200);
  return (await res.json()) as { objects?: Record<string, any>[]; versions?: string[]; more?: boolean; next?: string };
};

/** Every object of the collection, page by page as a client reads it. */
async function collection() {
  const objects: Record<string, any>[] = [];
  let next: string | undefined;
  do {
    const page = await taxii(`objects/?limit=1000${next ? `&next=${next}` : ''}`);
    objects.push(...(page.objects ?? []));
    next = page.more ? page.next : undefined;
  } while (next);
  return objects;
}

describe(`faithful export of ATT&CK (${databaseLabel})`, () => {
  it('the ATT&CK collection serves every shipped object exactly as it came', async () => {
    const shipped = JSON.parse(await readFile(datasetFiles['mitre-attack'][0], 'utf8')).objects as Record<
      string,
      any
    >[];
    const served = new Map((await collection()).map((o) => [o.id, o]));
    expect(served.size).toBe(shipped.length);
    const different = shipped.filter((o) => !isDeepStrictEqual(served.get(o.id), o)).map((o) => o.id);
    expect(different).toEqual([]);
    // What the resolved view dropped is there: platforms, domains, deprecation, the creator and its marking.
    const group = served.get('intrusion-set--c93fccb1-e8e8-42cf-ae33-2ad1d183913a')!;
    expect(group.x_mitre_domains).toContain('enterprise-attack');
    expect(group.created_by_ref).toBe('identity--c78cb6e5-0c4b-4611-8297-d1b8b55e40b5');
    expect(served.has(group.created_by_ref)).toBe(true);
    expect(served.has(group.object_marking_refs[0])).toBe(true);
  });

  it('a newer version imported under any file name is served, and the one it replaced is a version', async () => {
    const shipped = JSON.parse(await readFile(datasetFiles['mitre-attack'][0], 'utf8')).objects as Record<
      string,
      any
    >[];
    const tool = shipped.find((o) => o.type === 'tool' && o.name === 'Mimikatz')!;
    const newer = { ...tool, modified: '2026-11-30T12:00:00.000Z', x_mitre_version: '9.9' };
    const dir = await mkdtemp(path.join(tmpdir(), 'faithful-'));
    const file = path.join(dir, 'tools-update.json');
    await writeFile(
      file,
      JSON.stringify({ type: 'bundle', id: 'bundle--6d1f5b1e-3a1c-4f55-8b0e-2f7c9a1d4e01', objects: [newer] }),
    );
    await loadSeeds(server.app.prisma, [file]);
    const current = await taxii(`objects/${tool.id}/`);
    expect(current.objects).toEqual([newer]);
    const versions = await taxii(`objects/${tool.id}/versions/`);
    expect(versions.versions?.sort()).toEqual([tool.modified, newer.modified].sort());
    const first = await taxii(`objects/${tool.id}/?match[version]=first`);
    expect(first.objects).toEqual([tool]);
    const all = await taxii(`objects/?match[id]=${tool.id}&match[version]=all`);
    expect(all.objects?.length).toBe(2);
  });

  it.runIf(existsSync(path.join(projectRoot, '../shared/tools/stix-clients/taxii-check')))(
    'the OASIS TAXII client walks every collection, versions included',
    async () => {
      const run = await promisify(execFile)(path.join(projectRoot, '../shared/tools/stix-clients/taxii-check'), [
        `${server.url}/taxii2/`,
      ]).catch((e) => e);
      expect(run.code ?? 0, `${run.stdout}\n${run.stderr}`).toBe(0);
    },
    180_000,
  );
});
