import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { test } from 'node:test'
import { uiFiles } from '../../src/admin/ui-files.js'

test('the dashboard serves the page\'s kinds of file from its folder, each with its type and a content hash', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ramp-ui-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'index.html'), '<!doctype html>')
  writeFileSync(join(dir, 'dashboard.js'), 'export {}')
  writeFileSync(join(dir, 'dashboard.js.map'), '{}')
  const files = uiFiles(pathToFileURL(`${dir}/`))()
  assert.deepEqual([...files.keys()].sort(), ['dashboard.js', 'index.html'])
  assert.equal(files.get('index.html')?.type, 'text/html; charset=utf-8')
  assert.match(files.get('dashboard.js')?.etag ?? '', /^"[\w-]{22}"$/)
})

test('a build without the dashboard answers with the error that says to build it', () => {
  const read = uiFiles(pathToFileURL(join(tmpdir(), 'ramp-no-such-folder/')))
  assert.throws(read, (err: Error & { code?: string; statusCode?: number }) =>
    err.code === 'RAMP_ERR_ADMIN_DASHBOARD_MISSING' && err.statusCode === 503 && /the dashboard's files are not in .*ramp-no-such-folder/.test(err.message))
})
