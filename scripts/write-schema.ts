import { writeFileSync } from 'node:fs'
import { schemaDocument } from '../src/config/schema.js'

/** Regenerates config/schema.json from the TypeBox schema (a test fails when they differ). */
writeFileSync(new URL('../config/schema.json', import.meta.url), `${JSON.stringify(schemaDocument(), null, 2)}\n`)
