#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8'

// A proxy's allocations are short-lived (headers, chunks), but start-up (module loading,
// schema compilation) grows V8's young generation to its maximum and it never shrinks back,
// which is ~30 MiB of RSS held for nothing; and the larger it is, the longer the garbage
// buffers of streamed bodies wait to be freed. Keeping it at its initial size holds a
// 200 MiB streamed transfer under 150 MiB of RSS (test/e2e/streaming.test.ts). It must be set
// before anything else is loaded, hence here and not in main.ts.
setFlagsFromString('--semi-space-growth-factor=1')

await import('../dist/main.js')
