// Prisma CLI configuration. The CLI is used for `prisma generate` only: migrations are created and
// applied through Prisma's schema engine compiled to WebAssembly (src/database/schema-engine.ts),
// because the native engine cannot be downloaded on air-gapped machines.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
