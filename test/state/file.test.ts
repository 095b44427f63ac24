import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test, type TestContext } from 'node:test'
import { isRampError } from '../../src/errors.js'
import { createFileStore, resetStateFile } from '../../src/state/file.js'
import { docAt, hasCode, storeContract } from './contract.js'

/** A fresh directory for one test, removed after it. */
async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ramp-state-test-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  return dir
}

async function statePath(t: TestContext): Promise<string> {
  return join(await tempDir(t), 'ramp-state.json')
}

/** What another ramp process (or a person with an editor) would leave in the file. */
function fileText(revision: number): string {
  return JSON.stringify({ format: 1, ...docAt(revision) })
}

storeContract('file', async (t) => createFileStore(await statePath(t)))

describe('file store', () => {
  test('the file on disk is format-1 JSON holding the doc', async (t) => {
    const path = await statePath(t)
    await createFileStore(path).save(docAt(1), null)
    assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), { format: 1, ...docAt(1) })
  })

  test('a new store on the same path loads what was saved (a restart)', async (t) => {
    const path = await statePath(t)
    await createFileStore(path).save(docAt(3), null)
    const restarted = createFileStore(path)
    assert.deepEqual(await restarted.load(), docAt(3))
    await restarted.save(docAt(4), 3)
    assert.deepEqual(await createFileStore(path).load(), docAt(4))
  })

  test('saves leave no temp file behind', async (t) => {
    const dir = await tempDir(t)
    const store = createFileStore(join(dir, 'ramp-state.json'))
    await store.save(docAt(1), null)
    // The last one is a conflict: it must not leave its temp file either.
    await Promise.allSettled([store.save(docAt(2), 1), store.save(docAt(3), 2), store.save(docAt(9), 2)])
    assert.deepEqual(await readdir(dir), ['ramp-state.json'])
  })

  test('save creates a missing parent directory', async (t) => {
    const path = join(await tempDir(t), 'a', 'b', 'ramp-state.json')
    const store = createFileStore(path)
    await store.save(docAt(1), null)
    assert.deepEqual(await createFileStore(path).load(), docAt(1))
  })

  test('description names the file', async (t) => {
    const path = await statePath(t)
    assert.equal(createFileStore(path).description, `file ${path}`)
  })

  describe('a corrupt file is reported and left untouched', () => {
    const cases = [
      { name: 'garbage', text: 'not json {', problem: /not JSON/ },
      { name: 'an empty file (truncated write)', text: '', problem: /not JSON/ },
      { name: 'a JSON array', text: '[]', problem: /top level/ },
      { name: 'no format', text: JSON.stringify(docAt(1)), problem: /"format" is missing/ },
      { name: 'format 2', text: JSON.stringify({ format: 2, ...docAt(1) }), problem: /"format" is 2.*newer ramp/ },
      { name: 'state not an object', text: JSON.stringify({ format: 1, state: 'Paused', history: [] }), problem: /"state" is not an object/ },
      { name: 'revision not a number', text: JSON.stringify({ format: 1, state: { ...docAt(1).state, revision: '1' }, history: [] }), problem: /"state.revision"/ },
      { name: 'phase missing', text: JSON.stringify({ format: 1, state: { revision: 1 }, history: [] }), problem: /"state.phase"/ },
      { name: 'history not an array', text: JSON.stringify({ format: 1, state: docAt(1).state, history: {} }), problem: /"history" is not an array/ },
    ]
    for (const c of cases) {
      test(c.name, async (t) => {
        const path = await statePath(t)
        await writeFile(path, c.text)
        const store = createFileStore(path)
        const corrupt = (err: unknown): boolean => {
          assert.ok(isRampError(err))
          assert.equal(err.code, 'RAMP_ERR_STATE_CORRUPT')
          assert.match(err.message, c.problem)
          assert.ok(err.message.includes(path), err.message)
          assert.ok(err.hint.includes('ramp serve --reset-state'), err.hint)
          return true
        }
        await assert.rejects(store.load(), corrupt)
        // Not even a save that expects an empty store may write over it.
        await assert.rejects(store.save(docAt(1), null), corrupt)
        assert.equal(await readFile(path, 'utf8'), c.text)
      })
    }
  })

  test('an unreadable path is RAMP_ERR_STATE_UNAVAILABLE', async (t) => {
    const path = await statePath(t)
    await mkdir(path)
    await assert.rejects(createFileStore(path).load(), hasCode('RAMP_ERR_STATE_UNAVAILABLE'))
  })

  test('a save after another process wrote the file is a conflict, and the file keeps its write', async (t) => {
    const path = await statePath(t)
    const store = createFileStore(path)
    await store.save(docAt(1), null)
    await writeFile(path, fileText(5))
    await assert.rejects(store.save(docAt(2), 1), hasCode('RAMP_ERR_STATE_CONFLICT'))
    assert.equal(await readFile(path, 'utf8'), fileText(5))
  })

  test('a first save expecting an empty store is a conflict when another process created the file', async (t) => {
    const path = await statePath(t)
    await writeFile(path, fileText(3))
    await assert.rejects(createFileStore(path).save(docAt(1), null), hasCode('RAMP_ERR_STATE_CONFLICT'))
    assert.equal(await readFile(path, 'utf8'), fileText(3))
  })

  test('a crash mid-write (a stray temp file) leaves the old state readable and writable', async (t) => {
    const dir = await tempDir(t)
    const path = join(dir, 'ramp-state.json')
    await createFileStore(path).save(docAt(1), null)
    const stray = join(dir, '.ramp-state.json.4242.deadbeef.tmp')
    await writeFile(stray, fileText(2).slice(0, 40))

    const restarted = createFileStore(path)
    assert.deepEqual(await restarted.load(), docAt(1))
    await restarted.save(docAt(2), 1)
    assert.deepEqual(await createFileStore(path).load(), docAt(2))
  })
})

describe('resetStateFile', () => {
  test('moves the file aside to <path>.corrupt-<time> so the next load starts empty', async (t) => {
    const path = await statePath(t)
    await writeFile(path, 'not json {')
    const aside = await resetStateFile(path, new Date('2024-05-06T07:08:09.123Z'))
    assert.equal(aside, `${path}.corrupt-2024-05-06T07-08-09.123Z`)
    assert.equal(await readFile(aside, 'utf8'), 'not json {')
    const store = createFileStore(path)
    assert.equal(await store.load(), null)
    await store.save(docAt(1), null)
  })

  test('returns null when there is no file', async (t) => {
    assert.equal(await resetStateFile(await statePath(t), new Date()), null)
  })
})
