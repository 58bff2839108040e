/**
 * `npm run schema`: writes campaigns/config.schema.json from the zod schemas, so editors
 * (yaml-language-server) autocomplete and check the YAML. A unit test fails when the
 * committed file is stale.
 */
import { writeFile } from 'node:fs/promises';
import { configJsonSchemaText } from '../core/config/json-schema.ts';

const target = new URL('../campaigns/config.schema.json', import.meta.url);
await writeFile(target, configJsonSchemaText());
console.log(`wrote ${target.pathname}`);
