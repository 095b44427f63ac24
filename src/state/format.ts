import { ajvProblems, formatProblem } from '../config/problems.js'
import type { StoredDoc } from './store.js'
import { validators } from './validator.js'

/** Bump on any change to the stored shape, and teach `decodeDoc` to migrate the older format. */
export const STATE_FORMAT = 1

/** The text every store writes: the doc wrapped with its format version. */
export function encodeDoc(doc: StoredDoc): string {
  return `${JSON.stringify({ format: STATE_FORMAT, state: doc.state, history: doc.history }, null, 2)}\n`
}

export type Decoded = { ok: true; doc: StoredDoc } | { ok: false; problem: string }

/**
 * Checks a stored document all the way down (a truncated write, another program's file, a
 * newer format, a hand edit gone wrong): the engine trusts what it is handed, so nothing
 * reaches it that does not have the shape of its state.
 */
export function decodeDoc(text: string, kept?: ReturnType<typeof validators>): Decoded {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    return { ok: false, problem: `it is not JSON (${(err as Error).message})` }
  }
  if (!isObject(value)) return { ok: false, problem: 'the top level is not a JSON object' }
  if (value.format !== STATE_FORMAT) {
    const newer = typeof value.format === 'number' && value.format > STATE_FORMAT ? ' (written by a newer ramp?)' : ''
    return { ok: false, problem: `"format" is ${JSON.stringify(value.format) ?? 'missing'}, this ramp reads format ${STATE_FORMAT}${newer}` }
  }
  const { state, history } = value
  if (!isObject(state)) return { ok: false, problem: '"state" is not an object' }
  if (typeof state.revision !== 'number' || !Number.isInteger(state.revision)) return { ok: false, problem: '"state.revision" is not an integer' }
  if (typeof state.phase !== 'string') return { ok: false, problem: '"state.phase" is not a string' }
  if (!Array.isArray(history)) return { ok: false, problem: '"history" is not an array' }
  const valid = kept ?? validators()
  if (!valid.state(state)) return { ok: false, problem: shapeProblem('state', valid.state.errors, state) }
  if (!valid.history(history)) return { ok: false, problem: shapeProblem('history', valid.history.errors, history) }
  return { ok: true, doc: { state, history } as unknown as StoredDoc }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function shapeProblem(root: string, errors: Parameters<typeof ajvProblems>[0] | null | undefined, data: unknown): string {
  const first = ajvProblems(errors ?? [], data)[0]
  if (first === undefined) return `"${root}" does not have the shape of a ramp state`
  const path = first.path === '' ? root : first.path.startsWith('[') ? `${root}${first.path}` : `${root}.${first.path}`
  return formatProblem({ path, message: first.message })
}
