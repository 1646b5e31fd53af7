// `npm run schema:print`: writes schema.graphql, the committed SDL (a test fails when it drifts).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../database/migrations.js';
import { printedSchema } from '../schema/index.js';

writeFileSync(path.join(projectRoot, 'schema.graphql'), printedSchema());
console.log('Wrote schema.graphql');
