import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { createInterface } from 'node:readline'
import { test } from 'node:test'
import { processTree, treeTicks } from '../../../src/bench/process-tree.js'

/**
 * A parent that, told "go" on its stdin, starts two children that each burn `burnMs` of their
 * own CPU, reports their pids, waits for both to exit and reports what each measured of itself.
 */
const burnMs = 300
const child = `const t = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }
const from = t(); while (t() - from < ${burnMs}); console.log(JSON.stringify({ cpuMs: t() }))`
const parent = `const { spawn } = require('node:child_process')
process.stdin.once('data', () => {
  const kids = [0, 1].map(() => spawn(process.execPath, ['-e', ${JSON.stringify(child)}], { stdio: ['ignore', 'pipe', 'inherit'] }))
  console.log(JSON.stringify({ children: kids.map((k) => k.pid) }))
  const cpuMs = kids.map((k) => new Promise((resolve) => { let out = ''; k.stdout.on('data', (c) => { out += c }); k.once('close', () => resolve(JSON.parse(out).cpuMs)) }))
  Promise.all(cpuMs).then((ms) => console.log(JSON.stringify({ cpuMs: ms })))
})
console.log(JSON.stringify({ ready: true }))`

test('process tree: a parent and its live children are found; their CPU is summed, and a child that exited is still counted through its parent', async (t) => {
  const p = spawn(process.execPath, ['-e', parent], { stdio: ['pipe', 'pipe', 'inherit'] })
  t.after(() => { p.kill('SIGKILL') })
  const lines = createInterface({ input: p.stdout })[Symbol.asyncIterator]()
  const next = async (): Promise<Record<string, unknown>> => JSON.parse((await lines.next()).value as string) as Record<string, unknown>
  assert.deepEqual(await next(), { ready: true })
  const pid = p.pid!
  assert.deepEqual(processTree(pid), [pid], 'no children yet')

  const before = treeTicks(pid)
  const startedAt = Date.now()
  p.stdin.write('go\n')
  const { children } = await next() as { children: number[] }
  // Each child burns 300 ms of CPU, so both are alive when their pids arrive.
  assert.deepEqual(processTree(pid).sort(), [pid, ...children].sort())
  const { cpuMs } = await next() as { cpuMs: number[] }
  const after = treeTicks(pid)
  const wallMs = Date.now() - startedAt

  assert.deepEqual(processTree(pid), [pid], 'the children exited')
  const countedMs = (after - before) * 10
  const childrenMs = cpuMs.reduce((a, b) => a + b, 0)
  // Ticks are whole hundredths of a second per field: allow a few per process.
  assert.ok(countedMs >= childrenMs - 40, `the tree counted ${countedMs} ms, its children alone used ${childrenMs} ms`)
  assert.ok(countedMs <= wallMs * availableParallelism() + 40, `the tree counted ${countedMs} ms in ${wallMs} ms on ${availableParallelism()} cores`)
})

test('process tree: a pid that does not exist has no CPU', () => {
  assert.equal(treeTicks(2 ** 22 + 1), 0)
})
