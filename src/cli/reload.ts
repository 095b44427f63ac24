import type { ReloadReport } from '../config/changes.js'
import { AdminRefusal, adminTarget, callAdmin } from './client.js'
import { CliExit, exitCode } from './exit.js'
import type { AdminOpts } from './verbs.js'

/** What a reload did, one line per kind of outcome. */
export function renderReload(r: ReloadReport): string {
  const lines = [`reloaded ${r.source}`, `changed: ${r.changed.length === 0 ? 'nothing' : r.changed.join(', ')}`]
  if (r.needsRestart.length > 0) lines.push(`needs a restart: ${r.needsRestart.join(', ')}`)
  for (const n of r.notApplied) lines.push(`not applied: ${n.field}: ${n.message}`)
  for (const w of r.warnings) lines.push(`warning: ${w}`)
  return `${lines.join('\n')}\n`
}

/**
 * `ramp reload`: POST /api/v1/reload. A file ramp refused to load exits 2 (a bad file, as
 * `ramp validate` does) with its problems; any other refusal exits 1.
 */
export async function reloadCommand(opts: AdminOpts, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  let report: ReloadReport
  try {
    report = await callAdmin<ReloadReport>(adminTarget(opts), 'POST', '/api/v1/reload', {})
  } catch (err) {
    if (err instanceof AdminRefusal && (err.code === 'RAMP_ERR_CONFIG_INVALID' || err.code === 'RAMP_ERR_CONFIG_READ')) throw new CliExit(exitCode.usage, err.message)
    throw err
  }
  out.write(opts.json === true ? `${JSON.stringify(report, null, 2)}\n` : renderReload(report))
}
