import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { describe, test } from 'node:test'
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1'
import { PodDisruptionBudget, type IPodDisruptionBudget } from 'kubernetes-models/policy/v1'
import { ConfigMap, Service, type IConfigMap, type IContainer, type IService } from 'kubernetes-models/v1'
import { parseAllDocuments, parse, stringify } from 'yaml'
import { parseConfig } from '../../../src/config/load.js'
import { execForm, imageStage } from '../../support/dockerfile.js'
import { backends } from '../../support/world/backends.js'
import { world } from '../../support/world/world.js'

// The manifests a user copies: valid for Kubernetes, and true to what ramp serves with the
// configuration they hold. kubernetes-models checks each object against Kubernetes' schemas;
// the rest checks what a schema cannot: that the pieces agree with each other and with ramp.

const root = new URL('../../../', import.meta.url)
const folder = new URL('deploy/kubernetes/', root)
const version = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string }).version
const image = imageStage(readFileSync(new URL('Dockerfile', root), 'utf8'))
const exposed = image.filter((i) => i.op === 'EXPOSE').flatMap((i) => i.args.split(/\s+/).map(Number))
const volumes = image.filter((i) => i.op === 'VOLUME').flatMap((i) => i.args.split(/\s+/))
const token = { RAMP_ADMIN_TOKEN: 'a-token-for-the-test', POD_NAME: 'pod-from-env' }

type Manifest = (IConfigMap | IDeployment | IService | IPodDisruptionBudget) & { apiVersion: string; kind: string }
const models: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
}

const files = readdirSync(folder).filter((f) => f.endsWith('.yaml'))
test('deploy/kubernetes/ has the sidecar and the ingress examples', () => {
  assert.deepEqual(files.sort(), ['ingress.yaml', 'sidecar.yaml'])
})

for (const file of files) {
  describe(`deploy/kubernetes/${file}`, () => {
    const docs = parseAllDocuments(readFileSync(new URL(file, folder), 'utf8')).map((d) => d.toJS() as Manifest)
    const of = <T extends Manifest>(kind: string): T[] => docs.filter((d) => d.kind === kind) as T[]
    const [deployment] = of<IDeployment & Manifest>('Deployment')
    const pod = deployment?.spec?.template
    const containers = pod?.spec?.containers ?? []
    const ramp = containers.find((c) => c.name === 'ramp') as IContainer
    const portOf = (c: IContainer, port: number | string | undefined): number | undefined => typeof port === 'number' ? port : c.ports?.find((p) => p.name === port)?.containerPort
    // The ConfigMap mounted where ramp's `-c` points, and the ramp.yaml in it.
    const configPath = ramp?.args?.[(ramp.args.indexOf('-c')) + 1] ?? ''
    const mount = ramp?.volumeMounts?.find((m) => m.mountPath === dirname(configPath))
    const configMapName = pod?.spec?.volumes?.find((v) => v.name === mount?.name)?.configMap?.name
    const configText = of<IConfigMap & Manifest>('ConfigMap').find((c) => c.metadata?.name === configMapName)?.data?.[configPath.slice(dirname(configPath).length + 1)] ?? ''

    test('every object is valid against Kubernetes\' schemas', () => {
      for (const doc of docs) {
        const Model = models[`${doc.apiVersion}/${doc.kind}`]
        assert.ok(Model !== undefined, `${doc.apiVersion} ${doc.kind} has no model here: add it to the test`)
        new Model(doc as never).validate()
      }
      assert.equal(of('Deployment').length, 1)
    })

    test('ramp runs the image of this version with the ConfigMap\'s ramp.yaml, which ramp\'s own loader accepts', () => {
      assert.equal(ramp.image, `ramp:${version}`)
      assert.deepEqual(ramp.args, execForm(image, 'CMD'), 'the image\'s default command, written out')
      assert.ok(configText !== '', `${configPath} is not a key of a ConfigMap mounted there`)
      const config = parseConfig(configText, `${file} ${configMapName}`, token)
      assert.ok(ramp.env?.some((e) => e.name === 'RAMP_ADMIN_TOKEN' && e.valueFrom?.secretKeyRef !== undefined), 'the admin token comes from a Secret')
      if (config.state.store === 'redis') {
        // A fleet: every pod names itself after its Pod, and the Redis password, if any, comes from a Secret.
        assert.equal(config.state.instance, 'pod-from-env')
        assert.ok(ramp.env?.some((e) => e.name === 'POD_NAME' && e.valueFrom?.fieldRef?.fieldPath === 'metadata.name'), 'POD_NAME from the downward API')
        assert.ok(ramp.env?.some((e) => e.name === 'RAMP_REDIS_PASSWORD' && e.valueFrom?.secretKeyRef !== undefined), 'the Redis password comes from a Secret')
        return
      }
      const stateDir = dirname(config.state.path)
      assert.equal(config.state.store, 'file')
      assert.ok(volumes.includes(stateDir), `the state is kept in the image's VOLUME (${volumes.join(', ')})`)
      assert.ok(ramp.volumeMounts?.some((m) => m.mountPath === stateDir && m.readOnly !== true), `${stateDir} is a writable volume: the root filesystem is read-only`)
    })

    test('ramp\'s container ports are its listeners\', on every address and documented by the image; its probes are /readyz and /healthz on the admin port', () => {
      const config = parseConfig(configText, file, token)
      const listeners = { http: config.listen, preview: config.preview, admin: config.admin }
      for (const [name, listener] of Object.entries(listeners)) {
        assert.ok(listener !== undefined, `the config has no ${name} listener`)
        assert.equal(portOf(ramp, name), listener.port, `container port ${name}`)
        assert.equal(listener.host, '0.0.0.0', `${name}: Services and the kubelet reach the pod's address, not its loopback`)
        assert.ok(exposed.includes(listener.port), `the Dockerfile EXPOSEs ${listener.port}`)
      }
      assert.equal(ramp.readinessProbe?.httpGet?.path, '/readyz')
      assert.equal(portOf(ramp, ramp.readinessProbe?.httpGet?.port), config.admin.port)
      assert.equal(ramp.livenessProbe?.httpGet?.path, '/healthz')
      assert.equal(portOf(ramp, ramp.livenessProbe?.httpGet?.port), config.admin.port)
      assert.ok(ramp.resources?.requests?.cpu !== undefined && ramp.resources.requests.memory !== undefined, 'resource requests')
    })

    test('the grace period covers the preStop wait and ramp\'s drain, and every other container outlives the drain', () => {
      const config = parseConfig(configText, file, token)
      const preStop = ramp.lifecycle?.preStop?.sleep?.seconds ?? 0
      assert.ok(preStop > 0, 'ramp waits for the endpoints to drop the pod before the drain starts')
      const drained = preStop + config.drainTimeoutMs / 1000
      assert.ok((pod?.spec?.terminationGracePeriodSeconds ?? 30) >= drained + 5, `terminationGracePeriodSeconds >= ${drained} s (preStop + drainTimeoutMs) + 5`)
      for (const c of containers.filter((x) => x !== ramp)) {
        assert.ok((c.lifecycle?.preStop?.sleep?.seconds ?? 0) >= drained, `${c.name} is stopped only after ramp drained the requests it forwarded there`)
      }
      for (const backend of [...config.stable.backends, ...(config.canary?.backends ?? [])].map((b) => new URL(b))) {
        if (backend.hostname !== '127.0.0.1') continue
        assert.ok(containers.some((c) => c !== ramp && c.ports?.some((p) => p.containerPort === Number(backend.port))), `${backend.href}: a container of the pod listens on ${backend.port}`)
      }
    })

    test('the Services and the PodDisruptionBudget select the Deployment\'s pods; the Services send to ramp\'s main and preview listeners', () => {
      const labels = pod?.metadata?.labels ?? {}
      const selects = (selector: Record<string, string> | undefined): boolean => selector !== undefined && Object.entries(selector).every(([k, v]) => labels[k] === v)
      assert.deepEqual(deployment?.spec?.selector.matchLabels, labels)
      const services = of<IService & Manifest>('Service')
      assert.deepEqual(services.map((s) => s.spec?.ports?.map((p) => p.targetPort)).flat().sort(), ['http', 'preview'])
      for (const s of services) assert.ok(selects(s.spec?.selector), `Service ${s.metadata?.name}`)
      const [pdb] = of<IPodDisruptionBudget & Manifest>('PodDisruptionBudget')
      assert.ok(selects(pdb?.spec?.selector?.matchLabels), 'PodDisruptionBudget')
      const replicas = deployment?.spec?.replicas ?? 1
      const allowed = pdb?.spec?.maxUnavailable ?? replicas - Number(pdb?.spec?.minAvailable ?? 0)
      assert.ok(Number(allowed) >= 1 && Number(allowed) < replicas, `the budget lets a node drain (${String(allowed)} of ${replicas} may go) and keeps a pod serving`)
    })

    test('ramp started with the ConfigMap\'s ramp.yaml answers the probes and proxies on the main and preview listeners', async (t) => {
      // The same file, on this machine: listeners on the loopback (the world puts them there),
      // demo backends for the versions, the state where the world keeps it.
      const tree = parse(configText) as Record<string, Record<string, unknown>>
      const [v1, v2] = await backends(t, 'v1', 'v2')
      for (const name of ['listen', 'preview', 'admin']) tree[name] = {}
      delete tree.state
      ;(tree.stable as { backends: string[] }).backends = [v1.url]
      if (tree.canary !== undefined) (tree.canary as { backends: string[] }).backends = [v2.url]
      const w = await world(t, { config: stringify(tree) })
      for (const probe of [ramp.readinessProbe, ramp.livenessProbe]) {
        const res = await w.admin.call('GET', probe?.httpGet?.path ?? '')
        assert.equal(res.status, 200, probe?.httpGet?.path)
      }
      assert.ok(((await w.count(10)).v1 ?? 0) > 0, 'the main listener serves the stable version')
      // The preview listener reaches the canary once it passed readiness, the stable without one.
      if (tree.canary !== undefined) await w.routed('v2')
      assert.deepEqual(await w.count(4, { listener: 'preview' }), { [tree.canary === undefined ? 'v1' : 'v2']: 4 })
    })
  })
}
