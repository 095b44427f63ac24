import { startDemoBackend } from '../demo/backend.js'
import { CliExit, exitCode } from './exit.js'

export interface DemoBackendCommandOptions { name: string; color: string; host: string; port: string; failRate: string }

/** `ramp demo-backend`: one demo backend on its own, as docker-compose runs v1 and v2. */
export async function demoBackendCommand(opts: DemoBackendCommandOptions, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const port = Number(opts.port)
  const failRate = Number(opts.failRate)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliExit(exitCode.usage, `--port ${opts.port} is not a TCP port`)
  if (!(failRate >= 0 && failRate <= 1)) throw new CliExit(exitCode.usage, `--fail-rate ${opts.failRate} is not a share from 0 to 1`)
  const backend = await startDemoBackend({ name: opts.name, color: opts.color, host: opts.host, port, failRate })
  out.write(`demo backend ${opts.name} (${opts.color}) listening on ${backend.url}\n`)
  const stop = (): void => { void backend.close().then(() => process.exit(0)) }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
}
