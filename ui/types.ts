// The admin API's answers, as the server's own types say them (type imports only: nothing of
// the server is bundled into the page).
import type { historyView } from '../src/admin/views.js'
import type { RolloutView } from '../src/cli/render-status.js'

export type { RolloutView }
export type { TrafficSecond, TrafficView, VersionSecond } from '../src/admin/traffic.js'
export type HistoryView = ReturnType<typeof historyView>
export type Verb = RolloutView['allowed'][number]
