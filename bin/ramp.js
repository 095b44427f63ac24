#!/usr/bin/env node
// Before anything else is loaded: see src/startup-memory.ts.
import { holdYoungGeneration } from '../dist/startup-memory.js'

holdYoungGeneration()
await import('../dist/main.js')
