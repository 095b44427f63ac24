import { mkdirSync } from 'node:fs'
import { after, type TestContext } from 'node:test'
import { chromium, type Browser, type Page } from 'playwright-core'

/** Debian's chromium (installed by .ci/run); playwright-core never downloads a browser of its own. */
const executablePath = '/usr/bin/chromium'

/** Where screenshots go: kept as test artefacts, ignored by git. */
export const artefacts = new URL('../../test-results/dashboard/', import.meta.url).pathname

export const sizes = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const

export interface Opened {
  page: Page
  /** Console errors and uncaught exceptions of the page, in order. */
  errors: string[]
  /** Every URL the page (or its workers) asked for that is not on `origin`. */
  foreign: string[]
  shot: (name: string) => Promise<void>
}

let browser: Promise<Browser> | null = null
after(async () => { await (await browser)?.close() })

/** One headless chromium for the test file, closed after it. */
function launched(): Promise<Browser> {
  if (browser === null) {
    browser = chromium.launch({
      executablePath,
      headless: true,
      // Without these, chromium reaches for Google's hosts at start, which this machine refuses.
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    })
  }
  return browser
}

/** Opens `url` in a new browser context of the given size, watching its console and requests. */
export async function open(t: TestContext, url: string, size: { width: number; height: number } = sizes.desktop): Promise<Opened> {
  const context = await (await launched()).newContext({ viewport: size })
  t.after(() => context.close())
  const page = await context.newPage()
  const origin = new URL(url).origin
  const errors: string[] = []
  const foreign: string[] = []
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()) })
  page.on('pageerror', (e) => { errors.push(e.message) })
  context.on('request', (r) => { if (new URL(r.url()).origin !== origin) foreign.push(r.url()) })
  await page.goto(url)
  mkdirSync(artefacts, { recursive: true })
  return { page, errors, foreign, shot: async (name) => { await page.screenshot({ path: `${artefacts}${name}.png`, fullPage: true }) } }
}
