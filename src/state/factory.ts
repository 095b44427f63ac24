import { createFileStore } from './file.js'
import { createMemoryStore } from './memory.js'
import type { StateStore } from './store.js'

/** The `state:` block of the configuration, with `path` already absolute. */
export interface StoreSpec {
  store: 'file' | 'memory'
  path: string
}

export function createStore(spec: StoreSpec): StateStore {
  switch (spec.store) {
    case 'file':
      return createFileStore(spec.path)
    case 'memory':
      return createMemoryStore()
  }
}
