#!/usr/bin/env node
// Before anything else is loaded: see src/startup-memory.ts and src/wasm-tier-up.ts.
import { holdYoungGeneration } from '../dist/startup-memory.js'
import { deferParserTierUp } from '../dist/wasm-tier-up.js'

holdYoungGeneration()
deferParserTierUp()
await import('../dist/main.js')
