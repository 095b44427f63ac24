import { randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { rampError } from '../errors.js'
import { decodeDoc, encodeDoc } from './format.js'
import { revisionConflict, type StateStore, type StoredDoc } from './store.js'

/**
 * One JSON file, written by one ramp process. The compare-and-set is against the revision
 * this process last read or wrote; the file is also re-read before each write so a second
 * process writing the same file shows up as a conflict. That re-check narrows the window
 * between two processes but cannot close it without a lock: sharing state between processes
 * is the job of a shared store that does the compare-and-set itself.
 */
export function createFileStore(path: string): StateStore {
  const description = `file ${path}`
  // undefined until the first load or save: nothing is known yet, so only the disk decides.
  let known: number | null | undefined
  // The file's text as this process last read or wrote it (revision `known`). The re-read
  // before a write finds it unchanged nearly always, and then needs no decoding: checking a
  // document's whole shape loads the state validator (~0.4 MB of code to compile), which a
  // ramp that never reads another process's file then never loads at all.
  let lastText: string | null = null
  // Loads and saves run one at a time, so a save's check-then-rename never interleaves with
  // another save, and `known` is updated in the order the file changed.
  let queue: Promise<unknown> = Promise.resolve()
  function serial<T>(job: () => Promise<T>): Promise<T> {
    const run = queue.then(job)
    queue = run.catch(() => undefined)
    return run
  }

  return {
    description,
    load() {
      return serial(async () => {
        const text = await readText(path)
        const doc = text === null ? null : decodeOrThrow(path, text)
        known = doc === null ? null : doc.state.revision
        lastText = text
        return doc
      })
    },
    async save(doc, expectedRevision) {
      // Encoded now, not when the queue gets to it, so the caller may change `doc` right away.
      const text = encodeDoc(doc)
      const revision = doc.state.revision
      await serial(async () => {
        if (known !== undefined && known !== expectedRevision) {
          throw revisionConflict(description, 'this process last read or wrote', expectedRevision, known)
        }
        const onDisk = await readText(path)
        const diskRevision = onDisk === null ? null : onDisk === lastText && known !== undefined ? known : decodeOrThrow(path, onDisk).state.revision
        if (diskRevision !== expectedRevision) {
          throw revisionConflict(description, 'the file on disk (changed by another process?) holds', expectedRevision, diskRevision)
        }
        await writeAtomically(path, text)
        known = revision
        lastText = text
      })
    },
    async close() {
      await queue
    },
  }
}

/**
 * Moves the state file aside to `<path>.corrupt-<time>` so ramp can start fresh while the old
 * file stays for inspection. Returns the new path, or null when there was no file.
 */
export async function resetStateFile(path: string, now: Date): Promise<string | null> {
  // ':' is not allowed in Windows file names.
  const aside = `${path}.corrupt-${now.toISOString().replaceAll(':', '-')}`
  // No directory fsync: the fresh state's save fsyncs the same directory, which makes the move
  // durable too, and a move lost in a crash only brings the corrupt file back.
  try {
    await rename(path, aside)
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return null
    throw rampError('RAMP_ERR_STATE_UNAVAILABLE', `cannot move state file ${path} aside to ${aside}: ${(err as Error).message}`, {
      cause: err,
      details: { path },
    })
  }
  return aside
}

/** The file's text, or null when there is no file. */
async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return null
    throw rampError('RAMP_ERR_STATE_UNAVAILABLE', `cannot read state file ${path}: ${(err as Error).message}`, { cause: err, details: { path } })
  }
}

function decodeOrThrow(path: string, text: string): StoredDoc {
  const decoded = decodeDoc(text)
  if (!decoded.ok) {
    throw rampError(
      'RAMP_ERR_STATE_CORRUPT',
      `state file ${path} is corrupt: ${decoded.problem}. It was left as it is`,
      { details: { path, problem: decoded.problem } },
    )
  }
  return decoded.doc
}

/**
 * Readers see the old file or the new one, never a part: the bytes go to a temp file, reach
 * the disk, and only then replace the target by rename. A crash before the rename leaves a
 * stray temp file that nothing reads.
 */
async function writeAtomically(path: string, text: string): Promise<void> {
  const dir = dirname(path)
  // In the same directory because rename is only atomic within one file system.
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  try {
    await mkdir(dir, { recursive: true })
    const file = await open(temp, 'wx')
    try {
      await file.writeFile(text, 'utf8')
      await file.sync()
    } finally {
      await file.close()
    }
    await rename(temp, path)
    // Without this the rename itself may be lost in a crash, bringing the old revision back.
    await syncDirectory(dir)
  } catch (err) {
    // The write error is the one worth reporting, not a failure to clean up after it.
    await rm(temp, { force: true }).catch(() => undefined)
    throw rampError('RAMP_ERR_STATE_UNAVAILABLE', `cannot write state file ${path}: ${(err as Error).message}`, { cause: err, details: { path } })
  }
}

async function syncDirectory(dir: string): Promise<void> {
  // Windows cannot open a directory to fsync it; NTFS journals the rename itself.
  if (process.platform === 'win32') return
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

function errorCode(err: unknown): unknown {
  return (err as NodeJS.ErrnoException | undefined)?.code
}
