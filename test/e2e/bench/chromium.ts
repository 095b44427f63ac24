import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'

/** Opens `html` in headless Chromium (Debian's `chromium`, installed by .ci/run) and writes a PNG of it to `png`. */
export async function screenshot(html: string, png: string): Promise<void> {
  const profile = mkdtempSync(join(tmpdir(), 'ramp-chromium-'))
  try {
    await promisify(execFile)('chromium', [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      `--user-data-dir=${profile}`, `--screenshot=${png}`, '--window-size=1200,1600', '--hide-scrollbars',
      pathToFileURL(html).href,
    ], { timeout: 60_000 })
  } finally {
    rmSync(profile, { recursive: true, force: true })
  }
}
