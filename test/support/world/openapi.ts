import { request } from 'undici'
import responseValidator from 'openapi-response-validator'
import { parseConfig } from '../../../src/config/load.js'
import { startRamp } from '../../../src/ramp.js'
import { createMemoryStore } from '../../../src/state/memory.js'
import { captureLog } from './logs.js'

interface Operation { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }
interface Document { paths: Record<string, Record<string, Operation>>; components?: Record<string, unknown> }

let document: Promise<Document> | null = null

/**
 * The admin API's OpenAPI document, as a ramp started once in this process serves it (on
 * loopback, no token: every test's ramp serves the same document, whatever its token or
 * address lets a client read).
 */
export function adminDocument(): Promise<Document> {
  return (document ??= (async () => {
    const config = parseConfig('stable: { name: v1, backends: ["http://127.0.0.1:9"] }\nlisten: { host: 127.0.0.1, port: 0 }\nadmin: { host: 127.0.0.1, port: 0 }\n', null, {})
    const ramp = await startRamp(config, { log: captureLog('silent').log, store: createMemoryStore(), processMetrics: false, env: {} })
    try {
      const res = await request(`${ramp.urls.admin}/api/v1/openapi.json`)
      return await res.body.json() as Document
    } finally {
      await ramp.close()
    }
  })())
}

// A CommonJS module whose class is its `default` export.
const Validator = responseValidator.default
const validators = new Map<Operation, InstanceType<typeof Validator>>()

function validatorOf(op: Operation, doc: Document): InstanceType<typeof Validator> {
  let validator = validators.get(op)
  if (validator === undefined) {
    validator = new Validator({ responses: op.responses as never, components: doc.components })
    validators.set(op, validator)
  }
  return validator
}

/**
 * Builds the document and the validator of the rollout view that every wait polls. A world
 * does this before its ramp starts: built on a test's first admin call instead, it took a
 * second of CPU on a loaded machine from the ramp, its backends and its load in the same
 * process, and an analysis window saw one canary request where it needed 20.
 */
export async function documentReady(): Promise<void> {
  const doc = await adminDocument()
  const op = doc.paths['/api/v1/rollout']?.get
  if (op !== undefined) validatorOf(op, doc)
}

/**
 * Why an admin answer breaks the document, or null when it keeps to it: its status is one the
 * operation lists, and its body matches that status's schema. A method the path does not have
 * must be a 405, a path the document does not have a 404.
 */
export async function offDocument(method: string, path: string, status: number, body: unknown): Promise<string | null> {
  const doc = await adminDocument()
  const bare = path.split('?')[0] as string
  const ops = doc.paths[bare]
  const op = ops?.[method.toLowerCase()]
  if (op === undefined) {
    const want = ops === undefined ? 404 : 405
    return status === want ? null : `${method} ${bare} is not in the document, so it must answer ${want}, and it answered ${status}`
  }
  const error = validatorOf(op, doc).validateResponse(status, body)
  return error === undefined ? null : `${method} ${bare} answered ${status}: ${error.message} ${JSON.stringify(error.errors ?? []).slice(0, 800)}`
}
