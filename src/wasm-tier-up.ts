import { setFlagsFromString } from 'node:v8'

/**
 * V8's budget before it recompiles a WebAssembly function with its optimizing compiler
 * (default 1 800 000). undici parses HTTP with llhttp compiled to WebAssembly, and the first
 * response ramp reads (a readiness probe) spends the default budget of llhttp's big parsing
 * function at once: V8 then compiles it with TurboFan on a worker thread, ~35 MiB of
 * compiler memory that glibc keeps in that thread's arena afterwards, ~10 MiB of RSS in an
 * idle ramp about one run in two. With this budget the parser is optimized once it is
 * actually hot: within the first thousand requests of a load (measured), which run on the
 * baseline (Liftoff) code until then. Read when undici compiles the module, so it is set by
 * bin/ramp.js before anything loads.
 */
export function deferParserTierUp(): void {
  setFlagsFromString('--wasm-tiering-budget=100000000')
}
