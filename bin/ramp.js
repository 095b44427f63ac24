#!/usr/bin/env -S MALLOC_MMAP_THRESHOLD_=65536 node
// A streamed body is a run of 64 KiB buffers that die as soon as they are written; from the
// allocator's heap their freed memory stays in the process as fragments, so RSS climbs tens
// of MiB above what is in use. At or above this threshold glibc maps each buffer on its own
// and gives it back to the system when it is freed. It is an environment variable read when
// the process starts, hence set here, by the launcher, and only when this file is run as a
// program (`ramp`, `npx ramp`, `bin/ramp.js`), as every documented way of starting ramp does.
//
// Before anything else is loaded: see src/startup-memory.ts.
import { holdYoungGeneration } from '../dist/startup-memory.js'

holdYoungGeneration()
await import('../dist/main.js')
