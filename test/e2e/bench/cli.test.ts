import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import type { Report } from '../../../src/bench/report.js'
import { benchCommand, type BenchCommandOptions } from '../../../src/cli/bench.js'
import { CliExit, exitCode } from '../../../src/cli/exit.js'
import { spawnRamp } from '../../support/world/process.js'
import { resultsDir } from './support.js'

// These run the built package (bin/ramp.js over dist/, scenarios from dist/bench/scenarios/), as `ramp bench` ships.

test('ramp bench --list names every scenario in bench/scenarios/', async (t) => {
  const s = spawnRamp(t, ['bench', '--list'])
  assert.equal((await s.exit).code, 0, s.stderr())
  assert.deepEqual(s.stdout().trim().split('\n').map((l) => l.split(' ')[0]), ['canary-fails', 'flip-under-load', 'grpc', 'metrics-stall', 'overhead', 'soak', 'split', 'startup'])
})

test('ramp bench refuses an unknown scenario with exit status 2 and names the ones there are', async (t) => {
  const s = spawnRamp(t, ['bench', 'nope'])
  assert.equal((await s.exit).code, 2, s.stderr())
  assert.match(s.stderr(), /unknown scenario "nope"; one of: canary-fails, flip-under-load, grpc, metrics-stall, overhead, soak, split, startup/)
})

test('ramp bench refuses bad flags as usage errors that name the problem, before starting anything', async () => {
  const base: BenchCommandOptions = { duration: '10', latency: [], size: [], errorRate: [] }
  const cases: Array<[Partial<BenchCommandOptions>, RegExp]> = [
    [{ latency: ['normal:5ms'] }, /--latency normal:5ms: latency "normal:5ms" is not/],
    [{ errorRate: ['v2=2'] }, /--error-rate v2=2: the error rate is a share from 0 to 1/],
    [{ size: ['v1=1.5'] }, /--size v1=1.5: the body size is a whole number of bytes/],
    [{ cpus: 'proxy=99' }, /core 99 does not exist/],
    [{ requests: '0' }, /--requests 0: give a whole number of at least 1/],
    [{ duration: '0' }, /--duration 0: give a number of seconds above 0/],
    [{ target: 'ftp://x' }, /--target "ftp:\/\/x" is not an http\(s\) URL/],
    [{ workers: '1' }, /--workers 1: give a whole number of at least 2/],
    [{ workers: 'auto' }, /--workers auto: give a whole number of at least 2/],
    [{ workers: '2' }, /--workers: scenario soak does not take it \(overhead does\)/],
  ]
  for (const [flags, message] of cases) {
    await assert.rejects(benchCommand('soak', { ...base, ...flags }), (err: unknown) => err instanceof CliExit && err.status === exitCode.usage && message.test(err.message), JSON.stringify(flags))
  }
  const overhead: Array<[Partial<BenchCommandOptions>, RegExp]> = [
    [{ workers: '2', target: 'http://127.0.0.1:1' }, /--workers starts ramp with that many workers; a --target ramp runs with its own config/],
    [{ workers: '2', profile: true }, /--workers with --profile: ramp's workers cannot be profiled .*one and the same profile file/],
  ]
  for (const [flags, message] of overhead) {
    await assert.rejects(benchCommand('overhead', { ...base, ...flags }), (err: unknown) => err instanceof CliExit && err.status === exitCode.usage && message.test(err.message), JSON.stringify(flags))
  }
})

test('ramp bench overhead --workers 2 from the built package, pinned with --cpus: a second ramp with a primary and two workers, every one of them on the proxy\'s core, its CPU summed over all three', async (t) => {
  const out = join(resultsDir(t), 'overhead-workers-cli')
  const s = spawnRamp(t, ['bench', 'overhead', '--workers', '2', '--duration', '0.5', '--warmup', '0.3', '--connections', '20', '--cpus', 'proxy=0,load=1,backends=1', '--out', out])
  const { code } = await s.exit
  assert.equal(code, 0, `${s.stdout()}\n${s.stderr()}`)
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report
  assert.equal(report.options.workers, 2)
  assert.deepEqual(report.runs.map((r) => r.label.split(' ').slice(0, 2).join(' ')), ['direct (demo', 'plain @fastify/http-proxy', 'ceiling: node:http', 'ramp, weight', 'ramp, 2', 'direct (demo', 'ceiling: node:http', 'ramp, weight', 'ramp, 2'])
  assert.ok(report.runs[8]!.label.startsWith('ramp, 2 workers, weight 20 (v1 + v2) at '), 'the workers\' fixed-rate row, at the one process\'s rate')
  // The primary forks its workers once ramp is pinned, so they inherit its core.
  const tree = /ramp runs as 3 processes \(a primary and its workers\), each allowed on cores \(pid: cores\) (.*)/.exec(s.stdout())
  assert.ok(tree !== null, s.stdout())
  assert.deepEqual(tree[1]!.split(', ').map((p) => p.split(': ')[1]), ['0', '0', '0'])
  const [one, multi] = [report.runs[3]!, report.runs[4]!]
  // Counting the primary alone would leave the workers' time out: a few hundredths of a core.
  assert.ok(multi.cpu!.target >= one.cpu!.target / 2, `2 workers used ${multi.cpu!.target} cores, one process ${one.cpu!.target}`)
  const f = report.figures as { workers: { workers: number; coresWorkers: number; perCpuToOneProcess: number } }
  assert.equal(f.workers.workers, 2)
  assert.equal(f.workers.coresWorkers, multi.cpu!.target)
  assert.equal(f.workers.perCpuToOneProcess, (multi.rps / multi.cpu!.target) / (one.rps / one.cpu!.target))
  assert.match(s.stdout(), /ramp with 2 workers \(a primary and 2 worker processes, their CPU summed\) against ramp in one process/)
})

test('ramp bench soak from the built package, pinned with --cpus: ramp\'s RSS after a tenth and after all the requests, and its event-loop delay, from its /metrics, in report.json and report.html under --out', async (t) => {
  const out = join(resultsDir(t), 'soak-cli')
  const s = spawnRamp(t, ['bench', 'soak', '--requests', '1500', '--connections', '10', '--cpus', 'proxy=0,load=1,backends=1', '--latency', 'fixed:1ms', '--size', '512', '--out', out])
  const { code } = await s.exit
  assert.equal(code, 0, `${s.stdout()}\n${s.stderr()}`)
  assert.ok(existsSync(join(out, 'report.html')))
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report
  assert.deepEqual(report.pinning, { proxy: '0', load: '1', backends: '1' })
  assert.equal(report.machine.node, process.version)
  assert.deepEqual(report.options.backends, { '*': { latency: 'fixed:1ms', bytes: 512 } })
  assert.equal(report.ok, true, JSON.stringify(report.checks.filter((c) => !c.ok)))
  assert.equal(report.runs[0]?.requests, 1500)
  assert.ok(report.checks.some((c) => c.name === 'the backends served exactly the requests sent' && c.ok))
  const f = report.figures as { rssAfterTenthBytes: number; rssAfterAllBytes: number; rssRatio: number; eventLoopP99MeanMs: number | null }
  assert.ok(f.rssAfterTenthBytes > 10 * 2 ** 20 && f.rssAfterAllBytes > 10 * 2 ** 20, 'plausible RSS readings')
  assert.equal(f.rssRatio, f.rssAfterAllBytes / f.rssAfterTenthBytes)
  assert.ok(report.runs[0].samples.some((s) => s.eventLoopP99Ms !== null), 'the event-loop delay was read')
  assert.match(s.stdout(), /pinned: proxy on core 0, load on core 1, backends on core 1/)
  assert.doesNotMatch(s.stdout(), /\[#+-*\]/, 'no progress bar when stdout is not a terminal')
})
