import { isValidWeight } from '../routing/weight.js'
import { adminTarget, callAdmin } from './client.js'
import { CliExit, exitCode } from './exit.js'
import type { RolloutView } from './render-status.js'

export interface AdminOpts { admin?: string; json?: boolean }

function report(view: RolloutView, opts: AdminOpts, out: NodeJS.WritableStream): void {
  out.write(opts.json === true ? `${JSON.stringify(view, null, 2)}\n` : `${view.message}\n`)
}

export async function verbCommand(verb: 'promote' | 'abort' | 'retry' | 'pause' | 'resume', opts: AdminOpts & { full?: boolean; message?: string }, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const body = verb === 'promote' ? (opts.full === true ? { full: true } : {}) : verb === 'abort' && opts.message !== undefined ? { message: opts.message } : {}
  report(await callAdmin<RolloutView>(adminTarget(opts), 'POST', `/api/v1/rollout/${verb}`, body), opts, out)
}

export async function setWeightCommand(weight: string, opts: AdminOpts, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  // Decimal only: Number() would also take 0x10 or 1e1, which nobody means as a weight.
  const n = /^[0-9]+(\.[0-9]+)?$/.test(weight) ? Number(weight) : Number.NaN
  if (!isValidWeight(n)) throw new CliExit(exitCode.usage, `weight ${JSON.stringify(weight)} is not a number from 0 to 100 with at most two decimals`)
  report(await callAdmin<RolloutView>(adminTarget(opts), 'PUT', '/api/v1/rollout/weight', { weight: n }), opts, out)
}

export async function deployCommand(opts: AdminOpts & { name: string; backend: string[]; supersede?: boolean }, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const body = { version: { name: opts.name, backends: opts.backend }, ...(opts.supersede === true ? { supersede: true } : {}) }
  report(await callAdmin<RolloutView>(adminTarget(opts), 'POST', '/api/v1/rollout', body), opts, out)
}
