import { api, ApiError, token } from './api.js'
import { byId, el, fill } from './dom.js'
import type { RolloutView, Verb } from './types.js'

interface Action { label: string; method: string; path: string; body: () => unknown; confirm?: (v: RolloutView) => string }

const buttons: Array<[Verb, Action]> = [
  ['promote', { label: 'Promote', method: 'POST', path: '/api/v1/rollout/promote', body: () => ({}) }],
  ['promoteFull', { label: 'Promote full', method: 'POST', path: '/api/v1/rollout/promote', body: () => ({ full: true }),
    confirm: (v) => `Promote ${v.canary?.name ?? 'the canary'} fully? It skips every step left and takes 100% of the traffic now.` }],
  ['pause', { label: 'Pause', method: 'POST', path: '/api/v1/rollout/pause', body: () => ({}) }],
  ['resume', { label: 'Resume', method: 'POST', path: '/api/v1/rollout/resume', body: () => ({}) }],
  ['abort', { label: 'Abort', method: 'POST', path: '/api/v1/rollout/abort', body: () => ({ message: 'aborted from the dashboard' }),
    confirm: (v) => `Abort the rollout of ${v.canary?.name ?? 'the canary'}? ${v.stable.name} takes 100% of the traffic now.` }],
  ['retry', { label: 'Retry', method: 'POST', path: '/api/v1/rollout/retry', body: () => ({}) }],
]

/**
 * The verbs: each button is enabled when the API lists its verb in `allowed`, and otherwise
 * shows the reason the API gives in `notAllowed`. A call that needs the token and has none
 * (or a wrong one) asks for it and tries again; any other refusal is shown as worded.
 */
export class Actions {
  private view: RolloutView | null = null
  private offline: string | null = null
  private busy = false

  constructor(private readonly changed: (v: RolloutView) => void) {
    fill(byId('verbs'), ...buttons.map(([verb, a]) => el('div', { class: 'verb' },
      el('button', { type: 'button', 'data-verb': verb, 'aria-describedby': `why-${verb}` }, a.label), el('span', { class: 'why', id: `why-${verb}` }))))
    for (const [verb, a] of buttons) byId('verbs').querySelector(`[data-verb="${verb}"]`)?.addEventListener('click', () => { void this.run(a) })
    byId<HTMLFormElement>('weight-form').addEventListener('submit', (e) => {
      e.preventDefault()
      const weight = Number(byId<HTMLInputElement>('weight-input').value)
      void this.run({ label: 'Set weight', method: 'PUT', path: '/api/v1/rollout/weight', body: () => ({ weight }) })
    })
    byId<HTMLFormElement>('deploy-form').addEventListener('submit', (e) => {
      e.preventDefault()
      const name = byId<HTMLInputElement>('deploy-name').value.trim()
      const backends = byId<HTMLTextAreaElement>('deploy-backends').value.split(/\s+/).filter((b) => b !== '')
      void this.run({ label: 'Deploy', method: 'POST', path: '/api/v1/rollout', body: () => ({ version: { name, backends } }) })
    })
    const forget = byId<HTMLButtonElement>('forget-token')
    forget.hidden = !token.held()
    forget.addEventListener('click', () => { token.forget(); forget.hidden = true })
    for (const b of document.querySelectorAll<HTMLButtonElement>('button[data-verb]')) b.disabled = true
  }

  /** The rollout as the API last showed it; null with why while the API cannot be reached. */
  show(v: RolloutView | null, offline: string | null = null): void {
    if (v !== null) this.view = v
    this.offline = offline
    this.refresh()
  }

  private refresh(): void {
    const v = this.view
    for (const b of document.querySelectorAll<HTMLButtonElement>('button[data-verb]')) {
      const verb = b.dataset.verb as Verb
      const why = this.offline ?? (v === null ? 'loading…' : v.allowed.includes(verb) ? null : (v.notAllowed[verb] ?? `${verb} does not apply now`))
      b.disabled = why !== null || this.busy
      fill(byId(`why-${verb}`), why ?? '')
    }
  }

  private async run(a: Action): Promise<void> {
    const v = this.view
    if (v === null || this.busy) return
    if (a.confirm !== undefined && !(await confirmDialog(a.confirm(v), a.label))) return
    this.busy = true
    this.refresh()
    const error = byId('action-error')
    try {
      for (let asked = ''; ;) {
        try {
          this.changed(await api.verb(a.method, a.path, a.body()))
          error.hidden = true
          break
        } catch (err) {
          if (!(err instanceof ApiError) || err.status !== 401) throw err
          const given = await askToken(asked === '' ? `${a.label} needs the admin token: ${err.message}.` : `That token was not accepted: ${err.message}.`)
          if (given === null) throw err
          token.set(given)
          byId('forget-token').hidden = false
          asked = given
        }
      }
    } catch (err) {
      fill(error, err instanceof ApiError ? `${a.label}: ${err.message} (${err.code})` : `${a.label}: ramp did not answer (${(err as Error).message})`)
      error.hidden = false
    } finally {
      this.busy = false
      this.refresh()
    }
  }
}

function confirmDialog(text: string, label: string): Promise<boolean> {
  const d = byId<HTMLDialogElement>('confirm')
  fill(byId('confirm-text'), text)
  fill(byId('confirm-ok'), label)
  return new Promise((resolve) => {
    d.addEventListener('close', () => resolve(d.returnValue === 'ok'), { once: true })
    d.returnValue = ''
    d.showModal()
  })
}

/** The token dialog; resolves with what was typed, or null when cancelled. */
function askToken(why: string): Promise<string | null> {
  const d = byId<HTMLDialogElement>('token')
  const input = byId<HTMLInputElement>('token-input')
  fill(byId('token-why'), why)
  input.value = ''
  return new Promise((resolve) => {
    d.addEventListener('close', () => resolve(d.returnValue === 'ok' && input.value !== '' ? input.value : null), { once: true })
    d.returnValue = ''
    d.showModal()
  })
}
