import { revisionConflict, type StateStore, type StoredDoc } from './store.js'

export function createMemoryStore(): StateStore {
  let stored: StoredDoc | null = null
  const description = 'memory'

  // Nothing here awaits, so each compare-and-set runs whole before any other call.
  return {
    description,
    load() {
      return Promise.resolve(stored === null ? null : copy(stored))
    },
    save(doc, expectedRevision) {
      const actual = stored === null ? null : stored.state.revision
      if (actual !== expectedRevision) return Promise.reject(revisionConflict(description, 'the store holds', expectedRevision, actual))
      stored = copy(doc)
      return Promise.resolve()
    },
    close: () => Promise.resolve(),
  }
}

/**
 * A JSON round trip rather than structuredClone: a load then returns exactly what the file
 * store would return after a restart (no `undefined` fields, no Dates), so tests on memory
 * see what production sees.
 */
function copy(doc: StoredDoc): StoredDoc {
  return JSON.parse(JSON.stringify(doc)) as StoredDoc
}
