import type { StoredDoc } from './store.js'

/** Bump on any change to the stored shape, and teach `decodeDoc` to migrate the older format. */
export const STATE_FORMAT = 1

/** The text every store writes: the doc wrapped with its format version. */
export function encodeDoc(doc: StoredDoc): string {
  return `${JSON.stringify({ format: STATE_FORMAT, state: doc.state, history: doc.history }, null, 2)}\n`
}

export type Decoded = { ok: true; doc: StoredDoc } | { ok: false; problem: string }

/**
 * Checks what tells a ramp state document from anything else (a truncated write, another
 * program's file, a newer format); the meaning of each state field is the engine's business.
 */
export function decodeDoc(text: string): Decoded {
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
  return { ok: true, doc: { state, history } as unknown as StoredDoc }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
