#!/usr/bin/env node
// Before anything else is loaded: see src/startup-memory.ts and src/wasm-tier-up.ts.
import { holdYoungGeneration } from '../dist/startup-memory.js'
import { deferParserTierUp } from '../dist/wasm-tier-up.js'

holdYoungGeneration()
deferParserTierUp()
// dist/bundle/ is ramp bundled (scripts/bundle.ts); RAMP_UNBUNDLED=1 runs the modules it was
// made of instead, as `ramp bench --profile` does so that a profile can tell packages apart.
await import(process.env.RAMP_UNBUNDLED === '1' ? '../dist/main.js' : '../dist/bundle/main.js')
