// Small seed files written by tests: one actor with its name and its source, in a dataset of the
// test's own (what an import by another process or a re-import is tried with).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Writes `<dir>/<key>.yaml` adding the actor `name` with one source, and returns its path. */
export async function actorSeedFile(dir: string, name: string, dataset: string) {
  const key = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const file = path.join(dir, `${key}.yaml`);
  await writeFile(
    file,
    [
      `dataset: ${dataset}`,
      'sources:',
      `  - { key: ${key}-source, title: "Test source for ${name}", kind: REPORT, url: "https://example.org/${key}" }`,
      'actors:',
      `  - key: ${key}`,
      `    name: ${name}`,
      '    names:',
      `      - { value: ${name}, sources: [${key}-source] }`,
    ].join('\n'),
  );
  return file;
}
