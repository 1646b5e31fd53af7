// The OASIS STIX 2.1 JSON schemas as a validator (tests that check what the export gives).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/** The OASIS STIX 2.1 schemas (test/fixtures, BSD 3-clause), all given to ajv up front: nothing is fetched. */
export function stixValidator() {
  // The OASIS patterns use escapes (\\-) that unicode-mode regular expressions reject.
  const ajv = new Ajv2020.default({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats.default(ajv);
  const root = path.resolve('test/fixtures/stix2.1-json-schemas/schemas');
  for (const dir of readdirSync(root))
    for (const f of readdirSync(path.join(root, dir)))
      ajv.addSchema(JSON.parse(readFileSync(path.join(root, dir, f), 'utf8')));
  const base = 'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas';
  const bundle = ajv.getSchema(`${base}/common/bundle.json`)!;
  const byType = (type: string) => ajv.getSchema(`${base}/${type === 'relationship' ? 'sros' : 'sdos'}/${type}.json`)!;
  return (b: { objects: { type: string; id: string }[] }) => {
    const errors: string[] = [];
    // The OASIS bundle schema does not list location (nor note, opinion, grouping, incident) among its
    // objects, and its catch-all for custom objects rejects them: those are checked by their own
    // schema below, and the bundle schema checks the rest.
    const unlisted = new Set(['location', 'note', 'opinion', 'grouping', 'incident']);
    const listed = { ...b, objects: b.objects.filter((o) => !unlisted.has(o.type)) };
    if (!bundle(listed)) errors.push(`bundle: ${ajv.errorsText(bundle.errors)}`);
    for (const o of b.objects) {
      const validate = byType(o.type);
      if (!validate(o)) errors.push(`${o.id}: ${ajv.errorsText(validate.errors)}`);
    }
    return errors;
  };
}
