import { request } from 'undici'
import { adminTarget, callAdmin, type AdminTarget } from './client.js'
import { renderStatus, type RolloutView } from './render-status.js'

export interface StatusOptions { admin?: string; json?: boolean; watch?: boolean }

export async function statusCommand(opts: StatusOptions, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const target = adminTarget(opts)
  const show = async (): Promise<void> => {
    const view = await callAdmin<RolloutView>(target, 'GET', '/api/v1/rollout')
    const text = opts.json === true ? JSON.stringify(view, null, 2) : renderStatus(view)
    const clear = opts.watch === true && (out as NodeJS.WriteStream).isTTY === true ? '\x1b[2J\x1b[H' : ''
    out.write(`${clear}${text}\n${opts.watch === true && clear === '' ? '\n' : ''}`)
  }
  await show()
  if (opts.watch === true) await watch(target, show)
}

/**
 * Redraws on every event from `GET /api/v1/events`. The stream is read line by line; each
 * `event: rollout` block triggers one redraw (which re-reads the whole state, so a missed
 * event never leaves a stale picture). A countdown on a terminal also redraws each second.
 */
async function watch(target: AdminTarget, show: () => Promise<void>): Promise<void> {
  const headers: Record<string, string> = { accept: 'text/event-stream' }
  const res = await request(`${target.url}/api/v1/events`, { headers, bodyTimeout: 0 })
  const tick = process.stdout.isTTY ? setInterval(() => void show().catch(() => undefined), 1000) : null
  let buffer = ''
  try {
    for await (const chunk of res.body) {
      buffer += (chunk as Buffer).toString('utf8')
      let idx
      while ((idx = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, idx)
        buffer = buffer.slice(idx + 2)
        if (block.startsWith('event: rollout')) await show()
      }
    }
  } finally {
    if (tick !== null) clearInterval(tick)
  }
}
