import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { describe, test } from 'node:test'
import { rampBin } from '../../support/world/process.js'

interface Piped { code: number | null; stderr: string }

/** `ramp args | true`: a real pipe whose reader exits before ramp (a node start later) writes; with pipefail bash exits with ramp's status. */
function intoClosedPipe(args: string[]): Promise<Piped> {
  const child = spawn('bash', ['-c', 'set -o pipefail; "$@" | true', '_', rampBin, ...args], { env: { PATH: process.env.PATH }, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stderr })))
}

// Found as `ramp bench --list | head -1` printing an EPIPE stack trace and exiting 1.
describe('a CLI whose stdout pipe closes early', { concurrency: true }, () => {
  for (const args of [['bench', '--list'], ['--help'], ['--version']]) {
    test(`ramp ${args.join(' ')} | true: exits 0 and says nothing`, async () => {
      const r = await intoClosedPipe(args)
      assert.deepEqual(r, { code: 0, stderr: '' })
    })
  }
})
