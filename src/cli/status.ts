import { request } from 'undici'
import { adminTarget, callAdmin, type AdminTarget } from './client.js'
import { CliExit, exitCode } from './exit.js'
import { renderStatus, type RolloutView } from './render-status.js'

export interface StatusOptions { admin?: string; json?: boolean; watch?: boolean }

export async function statusCommand(opts: StatusOptions, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const target = adminTarget(opts)
  const tty = opts.watch === true && (out as NodeJS.WriteStream).isTTY === true
  const show = async (): Promise<void> => {
    const view = await callAdmin<RolloutView>(target, 'GET', '/api/v1/rollout')
    const text = opts.json === true ? JSON.stringify(view, null, 2) : renderStatus(view)
    out.write(tty ? `\x1b[2J\x1b[H${text}\n` : `${text}\n${opts.watch === true ? '\n' : ''}`)
  }
  if (opts.watch === true) await watch(target, show, tty)
  else await show()
}

/**
 * Redraws on every message of `GET /api/v1/events`. It subscribes first and draws on the
 * stream's opening `status` message, so no change can fall between the first picture and
 * the subscription; each redraw re-reads the whole state, so a missed event never leaves a
 * stale picture. On a terminal a countdown also redraws every second.
 */
async function watch(target: AdminTarget, show: () => Promise<void>, tty: boolean): Promise<void> {
  const lost = (err: unknown): CliExit => new CliExit(exitCode.refused, `lost the ramp admin API at ${target.url} (${(err as { code?: string }).code ?? (err as Error).message})`)
  let res
  try {
    res = await request(`${target.url}/api/v1/events`, { headers: { accept: 'text/event-stream' }, bodyTimeout: 0 })
  } catch (err) {
    throw new CliExit(exitCode.refused, `cannot reach the ramp admin API at ${target.url} (${(err as { code?: string }).code ?? (err as Error).message}); is ramp running? set --admin or RAMP_ADMIN_URL`)
  }
  if (res.statusCode !== 200) throw new CliExit(exitCode.refused, `the ramp admin API at ${target.url} answered ${res.statusCode} to GET /api/v1/events`)
  const tick = tty ? setInterval(() => void show().catch(() => undefined), 1000) : null
  let buffer = ''
  try {
    for await (const chunk of res.body) {
      buffer += (chunk as Buffer).toString('utf8')
      let idx
      while ((idx = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, idx)
        buffer = buffer.slice(idx + 2)
        if (block.startsWith('event: ')) await show()
      }
    }
  } catch (err) {
    if (err instanceof CliExit) throw err
    throw lost(err)
  } finally {
    if (tick !== null) clearInterval(tick)
  }
  throw lost(new Error('the event stream ended'))
}
