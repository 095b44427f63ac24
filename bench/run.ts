// npm run bench -- [scenario] [--duration s] [--connections n] [--json file]
import { readdirSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os'
import { parseArgs } from 'node:util'
import { stopAll } from './lib/children.js'
import type { Scenario } from './lib/scenario.js'

const scenariosDir = new URL('./scenarios/', import.meta.url)
const known = readdirSync(scenariosDir).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort()

const usage = `usage: npm run bench -- [${known.join('|')}] [--duration <s>] [--connections <n>] [--json <file>]`

function positiveInt(flag: string, raw: string): number {
  const n = Number(raw)
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${flag} must be a positive integer, got ${JSON.stringify(raw)}\n${usage}`)
  return n
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '100' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help === true) {
    process.stdout.write(`${usage}\n`)
    return 0
  }
  const name = positionals[0] ?? 'overhead'
  // Checked against the folder listing, so a name can never reach outside bench/scenarios/.
  if (!known.includes(name) || positionals.length > 1) throw new Error(`unknown scenario ${JSON.stringify(positionals.join(' '))}\n${usage}`)
  const opts = { duration: positiveInt('duration', values.duration), connections: positiveInt('connections', values.connections) }

  const machine = {
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memGiB: Math.round(totalmem() / 2 ** 30 * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    // Anything else running on the machine takes cores from the targets; this says how much.
    loadavg1mAtStart: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  }
  process.stdout.write(`machine: ${machine.nproc} cores (${machine.cpu}), ${machine.memGiB} GiB, node ${machine.node}, ${machine.platform}, load average ${machine.loadavg1mAtStart} before the run\n`)

  const scenario = (await import(new URL(`${name}.ts`, scenariosDir).href) as { default: Scenario }).default
  process.stdout.write(`scenario ${name}: ${scenario.description}\n`)
  process.stdout.write(`load: ${opts.connections} connections, ${opts.duration} s per target\n\n`)
  const report = await scenario.run(opts)

  if (values.json !== undefined) {
    writeFileSync(values.json, `${JSON.stringify({ scenario: name, at: new Date().toISOString(), machine, options: opts, ...report }, null, 2)}\n`)
    process.stdout.write(`\nwrote ${values.json}\n`)
  }
  return report.ok ? 0 : 1
}

try {
  process.exitCode = await main()
} catch (err) {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exitCode = 1
} finally {
  await stopAll()
}
