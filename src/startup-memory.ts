import { setFlagsFromString } from 'node:v8'

/**
 * Start-up (loading modules, compiling schemas) allocates in bursts that grow V8's young
 * generation to its maximum, and V8 never gives that space back: ~25 MiB of RSS held for
 * nothing, which leaves that much less room before a large streamed transfer pushes RSS past
 * 150 MiB (test/e2e/streaming.test.ts). The young generation is held at its initial size
 * while ramp starts, then let grow again under traffic: holding it small for good costs ~40%
 * of the requests per second (bench/README.md). The flag is read each time V8 would grow the
 * space, so setting it at run time takes effect. src/buffer-sweep.ts does the other half of
 * keeping RSS down.
 */
export function holdYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=1')
}

/** V8's default growth factor. */
export function releaseYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=2')
}
