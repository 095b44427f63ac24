import { rampError, type RampError } from '../errors.js'
import type { HistoryEntry, RolloutState } from '../rollout/types.js'

export interface StoredDoc {
  state: RolloutState
  history: HistoryEntry[]
}

/**
 * Where the rollout state lives between restarts. The only concurrency primitive is a
 * compare-and-set on `state.revision`, so a shared store needs no more than that: a Redis
 * store can keep the encoded document under one key and do the compare and the write in one
 * server-side step (a Lua script, or WATCH/MULTI on the key), with `load` a plain GET.
 */
export interface SaveOptions {
  /** A fleet leader's lease token: the write fails (RAMP_ERR_STATE_CONFLICT) once another instance leads. Stores without leases ignore it. */
  fence?: number
}

export interface StateStore {
  /** null when nothing was ever stored. Throws RAMP_ERR_STATE_CORRUPT (unparseable, wrong shape, wrong format version) leaving the stored data untouched, RAMP_ERR_STATE_UNAVAILABLE when unreadable. */
  load(): Promise<StoredDoc | null>
  /** Compare-and-set on doc.state.revision: succeeds only when the stored revision equals `expectedRevision` (null = nothing stored yet); otherwise RAMP_ERR_STATE_CONFLICT. Resolves only once the write is durable; RAMP_ERR_STATE_UNAVAILABLE when it cannot be. */
  save(doc: StoredDoc, expectedRevision: number | null, opts?: SaveOptions): Promise<void>
  /** A short description for logs/status, e.g. "file ramp-state.json" or "memory". */
  readonly description: string
  /** Resolves once every save already called has finished. */
  close(): Promise<void>
}

/** `whose` leads into the revision that disagreed: "the store holds", "this process last wrote". */
export function revisionConflict(store: string, whose: string, expected: number | null, actual: number | null): RampError {
  const want = expected === null ? 'an empty store' : `revision ${expected}`
  const got = actual === null ? 'nothing' : `revision ${actual}`
  return rampError('RAMP_ERR_STATE_CONFLICT', `${store}: save expected ${want}, but ${whose} ${got}; load the state again and retry`, {
    details: { expectedRevision: expected, actualRevision: actual },
  })
}
