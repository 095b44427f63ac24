// Bundles dist/main.js and everything it loads into dist/bundle/ (the last step of `npm run
// build`), which bin/ramp.js runs. Loading ~300 of ramp's modules and ~500 of its packages'
// one file at a time was most of what `ramp serve` did before it listened (~250 ms of
// ~650 ms here), and their sources, kept by V8 for lazy compilation, a few MiB of an idle
// ramp's heap: one file per command with its share of shared chunks, whitespace and syntax
// minified (names kept, so stack traces name their functions), loads in a fraction of that.
//
// What stays in dist/ unbundled, and why:
// - the modules themselves: `ramp bench --profile` runs ramp from them (RAMP_UNBUNDLED=1,
//   see bin/ramp.js), so that its profile can tell the packages apart by file;
// - pino (its transports start worker threads from its own files, found by __dirname),
//   @fastify/swagger (reads its package.json by __dirname; loaded at the first OpenAPI
//   request), autocannon and @fastify/http-proxy (the bench's): loaded from node_modules;
// - what is found relative to `import.meta.url` (the precompiled validators' code, the demo's
//   config, the bench's scenarios and helpers): every bundle file sits at dist/bundle/, one
//   level below dist/ as the modules that refer to them are, so those paths hold.
import { rmSync } from 'node:fs'
import { build } from 'esbuild'

const outdir = new URL('../dist/bundle/', import.meta.url).pathname
rmSync(outdir, { recursive: true, force: true })
await build({
  entryPoints: [new URL('../dist/main.js', import.meta.url).pathname],
  outdir,
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  legalComments: 'none',
  external: ['pino', 'pino-pretty', '@fastify/swagger', 'autocannon', '@fastify/http-proxy', '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler', 'light-my-request'],
  // The packages are CommonJS: their `require('node:http')` needs a require in an ES module.
  banner: { js: "import { createRequire as __rampCreateRequire } from 'node:module'; const require = __rampCreateRequire(import.meta.url);" },
  logLevel: 'warning',
})
