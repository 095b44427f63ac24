import type { AdminClient, HistoryEntry } from './admin.js'
import { eventually } from './eventually.js'

export type { HistoryEntry }

/** The entries of one event, oldest first. */
function entriesOf(history: readonly HistoryEntry[], event: string): HistoryEntry[] {
  return history.filter((e) => e.event === event)
}

/** Each entry of `event` as `from -> to`: the path of phases a test asserts. */
export function transitions(history: readonly HistoryEntry[], event: string): string[] {
  return entriesOf(history, event).map((e) => `${e.from} -> ${e.to}`)
}

/** Waits until the history has an entry of `event` whose detail matches, and returns it. */
export async function untilEntry(admin: AdminClient, event: string, detail: RegExp, timeoutMs = 5000): Promise<HistoryEntry> {
  const history = await eventually(`a ${event} entry matching ${detail}`, () => admin.history(), (h) => entriesOf(h, event).some((e) => detail.test(e.detail)), timeoutMs,
    (h) => JSON.stringify(entriesOf(h, event).map((e) => e.detail)))
  return entriesOf(history, event).find((e) => detail.test(e.detail)) as HistoryEntry
}
