import { Command, CommanderError, Option } from 'commander'
import { endOnClosedStdout } from './cli/closed-stdout.js'
import { CliExit, exitCode } from './cli/exit.js'
import { rampVersion } from './cli/version.js'

// Each command loads its own modules when it runs: `ramp promote` should not pay for
// loading fastify, the proxy and the config schema that only `ramp serve` needs.
const serve = () => import('./cli/serve.js')
const demo = () => import('./cli/demo.js')
const demoBackend = () => import('./cli/demo-backend.js')
const validate = () => import('./cli/validate.js')
const importer = () => import('./cli/import.js')
const status = () => import('./cli/status.js')
const verbs = () => import('./cli/verbs.js')
const reload = () => import('./cli/reload.js')
const bench = () => import('./cli/bench.js')
const dashboard = () => import('./cli/dashboard.js')

const adminOption = (): Option => new Option('--admin <url>', 'admin API of the ramp to talk to (default: RAMP_ADMIN_URL or http://127.0.0.1:9191)')
const jsonOption = (): Option => new Option('--json', 'print the JSON the admin API answered')

function program(): Command {
  const p = new Command('ramp')
    .description('A traffic-splitting reverse proxy that releases a new version step by step.\nAdmin commands read RAMP_ADMIN_URL and RAMP_ADMIN_TOKEN.')
    .version(rampVersion(), '-V, --version', 'print ramp\'s version')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })

  p.command('serve').description('run ramp with a configuration file')
    .requiredOption('-c, --config <file>', 'YAML or JSON configuration')
    .option('--reset-state', 'move an existing state file aside and start from the config')
    .action(async (o: { config: string; resetState?: boolean }) => (await serve()).serveCommand(o))
  p.command('demo').description('run ramp in front of built-in demo backends v1/v2/v3 (what `npm start` runs)')
    .option('--faulty-canary [share]', 'make v2 answer this share of requests with 500 (default 0.05): the analysis aborts it')
    .option('--no-traffic', 'do not send the demo\'s own 40 requests/s through the main listener')
    .option('--exact', 'split with balance: exact (and no sticky cookie): every 100 requests at 20% bring exactly 20 from v2')
    .action(async (o: { faultyCanary?: string | true; traffic: boolean; exact?: boolean }) => (await demo()).demoCommand({ faultyCanary: o.faultyCanary === true ? '0.05' : o.faultyCanary, traffic: o.traffic, exact: o.exact === true }))
  p.command('validate').description('check a configuration file and print every problem').argument('<file>')
    .action(async (file: string) => (await validate()).validateCommand(file))
  p.command('import').description('print a ramp config from an Argo Rollouts Rollout or a Flagger Canary manifest').argument('<file>')
    .option('--name <rollout>', 'the Rollout or Canary to import from a file holding several')
    .action(async (file: string, o: { name?: string }) => (await importer()).importCommand(file, o))
  p.command('status').description('show the rollout, like `kubectl argo rollouts get rollout`')
    .addOption(adminOption()).addOption(jsonOption()).option('-w, --watch', 'redraw on every rollout event')
    .action(async (o: { admin?: string; json?: boolean; watch?: boolean }) => (await status()).statusCommand(o))
  p.command('dashboard').description('print the URL of the dashboard, the web page of the admin listener (opens nothing)')
    .addOption(adminOption())
    .action(async (o: { admin?: string }) => (await dashboard()).dashboardCommand(o))
  p.command('deploy').description('start a rollout of a new version')
    .requiredOption('--name <version>', 'name of the new version, e.g. v3')
    .requiredOption('--backend <url...>', 'backend origins of the new version (repeat or list)')
    .option('--supersede', 'abort the rollout in progress and start this one')
    .addOption(adminOption()).addOption(jsonOption())
    .action(async (o: { name: string; backend: string[]; supersede?: boolean; admin?: string; json?: boolean }) => (await verbs()).deployCommand(o))
  p.command('promote').description('finish the current pause or step and go on')
    .option('--full', 'skip the remaining steps and finish now').addOption(adminOption()).addOption(jsonOption())
    .action(async (o: { full?: boolean; admin?: string; json?: boolean }) => (await verbs()).verbCommand('promote', o))
  p.command('abort').description('send 100% to the stable version now')
    .option('-m, --message <why>', 'reason, kept in the history').addOption(adminOption()).addOption(jsonOption())
    .action(async (o: { message?: string; admin?: string; json?: boolean }) => (await verbs()).verbCommand('abort', o))
  for (const [verb, text] of [['retry', 'restart an aborted rollout from step 0'], ['pause', 'hold the rollout where it is'], ['resume', 'clear a manual pause or manual weight']] as const) {
    p.command(verb).description(text).addOption(adminOption()).addOption(jsonOption())
      .action(async (o: { admin?: string; json?: boolean }) => (await verbs()).verbCommand(verb, o))
  }
  p.command('set-weight').description('set the canary weight by hand (pauses the rollout)').argument('<weight>', 'percent, 0 to 100, up to two decimals')
    .addOption(adminOption()).addOption(jsonOption())
    .action(async (w: string, o: { admin?: string; json?: boolean }) => (await verbs()).setWeightCommand(w, o))
  p.command('reload').description('re-read the config file of a running ramp and apply what changed (as SIGHUP does)')
    .addOption(adminOption()).addOption(jsonOption())
    .action(async (o: { admin?: string; json?: boolean }) => (await reload()).reloadCommand(o))
  p.command('demo-backend').description('run one demo backend (docker-compose runs v1 and v2 this way)')
    .requiredOption('--name <version>').option('--color <color>', 'colour it answers', 'blue')
    .option('--host <host>', 'address to bind', '127.0.0.1').option('--port <port>', 'port', '9001')
    .option('--fail-rate <share>', 'share of requests answered with 500', '0')
    .action(async (o: { name: string; color: string; host: string; port: string; failRate: string }) => (await demoBackend()).demoBackendCommand(o))
  const collect = (value: string, previous: string[]): string[] => [...previous, value]
  p.command('bench').description('load-test ramp: start demo backends and ramp, drive load, write report.json and report.html')
    .argument('[scenario]', 'overhead, split, flip-under-load, canary-fails, soak, metrics-stall, startup (--list describes them)')
    .option('--list', 'list the scenarios')
    .option('--duration <s>', 'measured seconds per load run', '10')
    .option('--connections <n>', 'concurrent connections (default: the scenario\'s, mostly 100)')
    .option('--requests <n>', 'soak: requests to send (default 1000000)')
    .option('--warmup <s>', 'seconds of load thrown away before a measured run (default: the scenario\'s)')
    .option('--out <dir>', 'where report.json and report.html go (default bench/results/<scenario>-<timestamp>/)')
    .option('--target <url>', 'load a running ramp at this main-listener URL instead of starting one')
    .addOption(adminOption())
    .option('--direct <url>', 'with --target: a backend to compare with (the overhead scenario\'s direct row)')
    .option('--cpus <spec>', 'pin processes to cores, e.g. proxy=0,load=1 (also backends=<cores>)')
    .option('--profile', 'run ramp under node --cpu-prof and report where its CPU went, by package')
    .option('--workers <n>', 'overhead: also measure ramp with workers: n (a primary and n worker processes), beside the one-process ramp')
    .option('--latency <[version=]dist>', 'demo backend latency: fixed:5ms, normal:20ms,5ms, uniform:2ms,8ms (repeatable)', collect, [])
    .option('--size <[version=]bytes>', 'demo backend response body size (repeatable)', collect, [])
    .option('--error-rate <[version=]share>', 'share of demo backend responses that are 500 (repeatable)', collect, [])
    .action(async (scenario: string | undefined, o: Parameters<Awaited<ReturnType<typeof bench>>['benchCommand']>[1]) => (await bench()).benchCommand(scenario, o))
  return p
}

/** The commands whose stdout is their log, which a closed pipe must not end (src/log.ts). */
const logging = new Set(['serve', 'demo'])

async function main(argv: string[]): Promise<void> {
  const keepStdout = endOnClosedStdout()
  try {
    await program().hook('preAction', (_, action) => { if (logging.has(action.name())) keepStdout() }).parseAsync(argv)
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0 ? exitCode.ok : exitCode.usage
      return
    }
    if (err instanceof CliExit) {
      process.stderr.write(`${err.message}\n`)
      process.exitCode = err.status
      return
    }
    process.stderr.write(`ramp: unexpected error: ${(err as Error).stack ?? String(err)}\n`)
    process.exitCode = 1
  }
}

// A worker forked by `ramp serve` with `workers:` (src/link/primary.ts) runs as the primary
// orders, whatever its argv says. RAMP_WORKER rather than node:cluster's own marker, which a
// process manager running ramp in cluster mode sets too.
if (process.env.RAMP_WORKER === '1' && process.send !== undefined) (await import('./link/worker.js')).runWorker()
else await main(process.argv)
