// Checks the Kubernetes manifests under deploy/kubernetes offline, in `npm run lint`:
//  1. every YAML document parses (YAML 1.1, as kubectl reads it) and is valid against the
//     Kubernetes OpenAPI schema of its apiVersion and kind (the validators that the npm package
//     kubernetes-models compiled from it; nothing is fetched);
//  2. the project's own rules: every container has a liveness probe on /health/live and a
//     readiness probe on /health/ready on one of its ports (HTTPS when it serves TLS), requests and
//     limits, a locked-down securityContext and no literal environment values; a secret reaches a
//     pod only by reference, to a Secret the operator creates (OPERATOR_PROVIDED); every file a
//     variable names is mounted; every Deployment has a Service that selects it and, with more than
//     one replica, a PodDisruptionBudget (the gateway always); the NetworkPolicies deny by default
//     and let each service reach the services its configuration calls.
// The cross-object rules run per kustomization (each one is what `kubectl apply -k` applies).
//   node --import tsx scripts/check-manifests.ts [dir]      (default: deploy/kubernetes)
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseAllDocuments } from 'yaml'

export interface Finding { file: string, object?: string, message: string }
export interface CheckResult { findings: Finding[], files: number, objects: number, builds: number }

/**
 * What the operator creates before `kubectl apply -k` (README, "Production"): the names and keys
 * the manifests may reference. Nothing of it is in the repository.
 */
export const OPERATOR_PROVIDED: Record<'Secret' | 'ConfigMap', Record<string, readonly string[]>> = {
  Secret: {
    'wams-shared': ['PSEUDONYM_KEY'],
    'wams-gateway': ['DATABASE_URL', 'RATE_LIMIT_REDIS_URL', 'signing-key.pem'],
    'wams-consent-ledger': ['DATABASE_URL'],
    'wams-audit': ['DATABASE_URL', 'signing-key.pem'],
    'wams-tls': ['tls.crt', 'tls.key', 'ca.crt']
  },
  ConfigMap: {
    'wams-site': ['KAFKA_BROKERS', 'JWT_TRUSTED_ISSUERS', 'AUDIT_LOG_KEY', 'AUDIT_LOG_ORIGIN', 'GATEWAY_OIN', 'GATEWAY_ISSUER', 'BRP_URL', 'WITNESS_KEYS', 'gateway-signing.pub.pem'],
    'wams-party-register': ['party-register.json']
  }
}

/** Variables that carry a secret: they come from a Secret, never from a ConfigMap or a literal. */
const SECRET_VARIABLES = new Set(['PSEUDONYM_KEY', 'DATABASE_URL', 'RATE_LIMIT_REDIS_URL'])
const SECRET_NAME = /PASSWORD|SECRET|TOKEN|PRIVATE|CREDENTIAL/i
const PRIVATE_KEY_PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----/
const URL_WITH_PASSWORD = /\b[a-z][a-z0-9+.-]*:\/\/[^\s/@:]+:[^\s/@]+@/i
const LIVE_PATH = '/health/live'
const READY_PATH = '/health/ready'
const GATEWAY = 'gateway'
const NAME_LABEL = 'app.kubernetes.io/name'
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/

type Obj = Record<string, unknown>
interface Manifest { file: string, doc: Obj, kind: string, name: string, namespace: string | undefined }
interface Build { file: string, namespace: string | undefined, manifests: Manifest[] }
interface LabelSelector { matchLabels?: Record<string, string>, matchExpressions?: Array<{ key: string, operator: string, values?: string[] }> }
interface Port { name?: string, containerPort?: number }
interface Container {
  name: string
  image?: string
  ports?: Port[]
  env?: Array<{ name: string, value?: unknown, valueFrom?: Obj }>
  envFrom?: Array<{ configMapRef?: { name: string, optional?: boolean }, secretRef?: { name: string, optional?: boolean } }>
  livenessProbe?: Probe
  readinessProbe?: Probe
  startupProbe?: Probe
  resources?: { requests?: Record<string, unknown>, limits?: Record<string, unknown> }
  securityContext?: Obj
  volumeMounts?: Array<{ name: string, mountPath: string, subPath?: string }>
}
interface Probe { httpGet?: { path?: string, port?: number | string, scheme?: string } }
interface Volume { name: string, secret?: { secretName?: string, items?: KeyPath[], optional?: boolean }, configMap?: { name?: string, items?: KeyPath[], optional?: boolean }, emptyDir?: Obj }
interface KeyPath { key: string, path: string }
interface PodSpec { containers?: Container[], initContainers?: Container[], volumes?: Volume[], securityContext?: Obj, automountServiceAccountToken?: boolean }
interface NetworkPolicyPeer { podSelector?: LabelSelector, namespaceSelector?: LabelSelector, ipBlock?: Obj }
interface NetworkPolicyRule { from?: NetworkPolicyPeer[], to?: NetworkPolicyPeer[], ports?: Array<{ port?: number | string, protocol?: string }> }
interface NetworkPolicySpec { podSelector?: LabelSelector, policyTypes?: string[], ingress?: NetworkPolicyRule[], egress?: NetworkPolicyRule[] }

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const asObj = (v: unknown): Obj => (isObj(v) ? v : {})
const labelsOf = (v: unknown): Record<string, string> => asObj(v) as Record<string, string>

export async function checkManifests (dir: string, base: string = process.cwd()): Promise<CheckResult> {
  const findings: Finding[] = []
  const rel = (file: string) => relative(base, file) || file
  const find = (file: string, object: string | undefined, message: string) => {
    findings.push({ file: rel(file), ...(object ? { object } : {}), message })
  }

  const files = listYaml(dir)
  const manifestsByFile = new Map<string, Manifest[]>()
  const kustomizations = new Map<string, Obj>()
  let objects = 0
  for (const file of files) {
    const docs = parseAllDocuments(readFileSync(file, 'utf8'), { version: '1.1', uniqueKeys: true })
    const list: Manifest[] = []
    for (const doc of Array.isArray(docs) ? docs : [docs]) {
      for (const err of [...doc.errors, ...doc.warnings]) find(file, undefined, `YAML: ${err.message.split('\n')[0]}`)
      if (doc.errors.length > 0) continue
      const value: unknown = doc.toJS()
      if (value === null || value === undefined) continue
      if (!isObj(value)) { find(file, undefined, 'a document is not a mapping'); continue }
      if (isKustomizationFile(file)) { kustomizations.set(file, value); continue }
      objects++
      const m = await checkObject(file, value, find)
      if (m) list.push(m)
    }
    if (!isKustomizationFile(file)) manifestsByFile.set(file, list)
  }

  for (const manifests of manifestsByFile.values()) for (const m of manifests) checkObjectRules(m, find)

  // What each kustomization applies; every other YAML file must be part of one.
  const builds: Build[] = []
  const included = new Set<string>()
  for (const [file, k] of kustomizations) {
    const build = resolveBuild(file, k, kustomizations, manifestsByFile, find, new Set())
    if (!build) continue
    for (const m of build.manifests) included.add(m.file)
    builds.push(build)
  }
  if (kustomizations.size === 0) find(dir, undefined, 'no kustomization.yaml')
  for (const file of manifestsByFile.keys()) {
    if (!included.has(file)) find(file, undefined, 'not a resource of any kustomization.yaml: kubectl apply -k would leave it out')
  }

  const referenced = new Set<string>()
  for (const build of builds) checkBuild(build, find, referenced, rel)
  for (const [kind, names] of Object.entries(OPERATOR_PROVIDED)) {
    for (const [name, keys] of Object.entries(names)) {
      for (const key of keys) {
        if (!referenced.has(`${kind}/${name}/${key}`)) find(dir, undefined, `${kind} ${name} key ${key} is documented as operator-provided but no manifest uses it`)
      }
    }
  }
  return { findings, files: files.length, objects, builds: builds.length }
}

function listYaml (dir: string): string[] {
  if (!existsSync(dir)) return []
  const out: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...listYaml(path))
    else if (/\.ya?ml$/.test(entry.name)) out.push(path)
  }
  return out
}

const isKustomizationFile = (file: string) => /(^|\/)kustomization\.ya?ml$/.test(file)

type Find = (file: string, object: string | undefined, message: string) => void

/** Shape and schema: apiVersion, kind, name, and the Kubernetes schema of that apiVersion/kind. */
async function checkObject (file: string, doc: Obj, find: Find): Promise<Manifest | undefined> {
  const { apiVersion, kind } = doc
  const meta = asObj(doc.metadata)
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') { find(file, undefined, 'an object without apiVersion and kind'); return undefined }
  const name = typeof meta.name === 'string' ? meta.name : ''
  const id = `${kind}/${name || '?'}`
  if (!name) find(file, id, 'metadata.name is missing')
  else if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) find(file, id, 'metadata.name is not a DNS subdomain name')
  for (const message of await schemaErrors(apiVersion, kind, doc)) find(file, id, message)
  return { file, doc, kind, name, namespace: typeof meta.namespace === 'string' ? meta.namespace : undefined }
}

interface ModelClass { new (data: unknown): { validate: () => void }, apiVersion?: string, kind?: string }

/** Validates with the model class kubernetes-models generated for apiVersion/kind. */
async function schemaErrors (apiVersion: string, kind: string, doc: Obj): Promise<string[]> {
  if (!/^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) {
    return [`no Kubernetes schema for ${apiVersion} ${kind}`]
  }
  let model: ModelClass | undefined
  try {
    const mod = await import(`kubernetes-models/${apiVersion}/${kind}`) as Record<string, unknown>
    model = mod[kind] as ModelClass | undefined
  } catch { /* no such module: reported below */ }
  if (typeof model !== 'function' || model.apiVersion !== apiVersion || model.kind !== kind) {
    return [`no Kubernetes schema for ${apiVersion} ${kind}`]
  }
  try {
    new model(doc).validate() // eslint-disable-line new-cap
    return []
  } catch (err) {
    const errors = (err as { errors?: Array<{ instancePath?: string, message?: string }> }).errors
    if (!Array.isArray(errors) || errors.length === 0) return [`schema: ${(err as Error).message}`]
    return errors.map((e) => `schema: ${e.instancePath || '/'} ${e.message ?? 'is invalid'}`)
  }
}

/** Rules of one object on its own. */
function checkObjectRules (m: Manifest, find: Find): void {
  const id = `${m.kind}/${m.name}`
  if (m.kind !== 'Namespace' && !m.namespace) find(m.file, id, 'metadata.namespace is missing: the object would land in whatever namespace kubectl points at')
  if (m.kind === 'Secret') {
    find(m.file, id, 'a Secret in the repository: Secrets are created by the operator and only referenced here')
  }
  if (m.kind === 'ConfigMap') {
    for (const [key, value] of Object.entries(asObj(m.doc.data))) {
      if (isSecretVariable(key)) find(m.file, id, `${key} is a secret: it belongs in a Secret the operator creates`)
      if (typeof value === 'string' && PRIVATE_KEY_PEM.test(value)) find(m.file, id, `${key} holds a private key`)
      if (typeof value === 'string' && URL_WITH_PASSWORD.test(value)) find(m.file, id, `${key} holds a URL with a password`)
    }
  }
  const pod = podSpecOf(m)
  if (!pod) return
  const spec = asObj(m.doc.spec)
  const template = asObj(spec.template)
  const podLabels = labelsOf(asObj(template.metadata).labels)
  if (m.kind === 'Deployment' && !selectorMatches(asObj(spec.selector) as LabelSelector, podLabels)) {
    find(m.file, id, 'spec.selector does not match the pod template labels')
  }
  if (pod.automountServiceAccountToken !== false) find(m.file, id, 'automountServiceAccountToken must be false: no service talks to the Kubernetes API')
  const podSecurity = asObj(pod.securityContext)
  const volumes = new Map((pod.volumes ?? []).map((v) => [v.name, v]))
  for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
    const cid = `${id} container ${c.name}`
    const ports = c.ports ?? []
    const isInit = (pod.initContainers ?? []).includes(c)
    if (!isInit) {
      checkProbe(m.file, cid, 'livenessProbe', c.livenessProbe, LIVE_PATH, ports, find)
      checkProbe(m.file, cid, 'readinessProbe', c.readinessProbe, READY_PATH, ports, find)
    }
    if (!c.image || /:latest$/.test(c.image) || !/[:@]/.test(c.image.split('/').pop() ?? '')) find(m.file, cid, 'image needs a fixed tag or digest (not latest)')
    for (const part of ['requests', 'limits'] as const) {
      for (const r of ['cpu', 'memory']) {
        if (c.resources?.[part]?.[r] === undefined) find(m.file, cid, `resources.${part}.${r} is not set`)
      }
    }
    const sc = asObj(c.securityContext)
    if (sc.runAsNonRoot !== true && podSecurity.runAsNonRoot !== true) find(m.file, cid, 'runAsNonRoot must be true')
    if (sc.allowPrivilegeEscalation !== false) find(m.file, cid, 'allowPrivilegeEscalation must be false')
    if (sc.privileged === true) find(m.file, cid, 'privileged')
    if (sc.readOnlyRootFilesystem !== true) find(m.file, cid, 'readOnlyRootFilesystem must be true (mount an emptyDir where the service writes)')
    const drop = asObj(sc.capabilities).drop
    if (!Array.isArray(drop) || !drop.includes('ALL')) find(m.file, cid, 'capabilities.drop must include ALL')
    if (Array.isArray(asObj(sc.capabilities).add) && (asObj(sc.capabilities).add as unknown[]).length > 0) find(m.file, cid, 'capabilities.add: no capability is needed')
    if (!isObj(sc.seccompProfile) && !isObj(podSecurity.seccompProfile)) find(m.file, cid, 'seccompProfile is not set (RuntimeDefault)')
    for (const e of c.env ?? []) {
      if (e.value !== undefined || !isObj(e.valueFrom)) {
        find(m.file, cid, `env ${e.name} has a literal value: use envFrom a ConfigMap, or valueFrom`)
        continue
      }
      if (isSecretVariable(e.name) && !isObj(e.valueFrom.secretKeyRef)) find(m.file, cid, `env ${e.name} is a secret: valueFrom.secretKeyRef only`)
    }
    for (const mount of c.volumeMounts ?? []) {
      if (!volumes.has(mount.name)) find(m.file, cid, `volumeMount ${mount.name} names no volume`)
    }
  }
}

function isSecretVariable (name: string): boolean {
  return SECRET_VARIABLES.has(name) || SECRET_NAME.test(name)
}

function checkProbe (file: string, id: string, which: string, probe: Probe | undefined, path: string, ports: Port[], find: Find): void {
  const get = probe?.httpGet
  if (!get) { find(file, id, `${which} is missing (an httpGet on ${path})`); return }
  if (get.path !== path) find(file, id, `${which} must ask ${path}, not ${get.path ?? 'nothing'}`)
  if (!ports.some((p) => p.name === get.port || p.containerPort === get.port)) find(file, id, `${which} port ${String(get.port)} is not a port of the container`)
}

function podSpecOf (m: Manifest): PodSpec | undefined {
  if (!['Deployment', 'StatefulSet', 'DaemonSet'].includes(m.kind)) return undefined
  return asObj(asObj(asObj(m.doc.spec).template).spec) as PodSpec
}

/** The objects one kustomization applies, with the namespace it sets. */
function resolveBuild (file: string, k: Obj, all: Map<string, Obj>, byFile: Map<string, Manifest[]>, find: Find, seen: Set<string>): Build | undefined {
  if (seen.has(file)) { find(file, undefined, 'kustomizations include each other in a cycle'); return undefined }
  seen.add(file)
  if (k.apiVersion !== 'kustomize.config.k8s.io/v1beta1' || k.kind !== 'Kustomization') {
    find(file, undefined, 'apiVersion kustomize.config.k8s.io/v1beta1, kind Kustomization expected')
  }
  const namespace = typeof k.namespace === 'string' ? k.namespace : undefined
  const manifests: Manifest[] = []
  const resources = Array.isArray(k.resources) ? k.resources : []
  if (resources.length === 0) find(file, undefined, 'no resources')
  for (const entry of resources) {
    if (typeof entry !== 'string' || /^[a-z]+:\/\//i.test(entry)) { find(file, undefined, `resource ${String(entry)}: only files and folders of the repository (offline)`); continue }
    const path = resolve(dirname(file), entry)
    if (!existsSync(path)) { find(file, undefined, `resource ${entry} does not exist`); continue }
    if (statSync(path).isDirectory()) {
      if (dirname(file) === path || dirname(file).startsWith(path + '/')) {
        find(file, undefined, `resource ${entry} contains this kustomization's own folder: kustomize refuses that cycle (keep what both share in a sibling folder, such as base/)`)
        continue
      }
      const inner = ['kustomization.yaml', 'kustomization.yml'].map((n) => join(path, n)).find((p) => all.has(p))
      if (!inner) { find(file, undefined, `resource ${entry} is a folder without kustomization.yaml`); continue }
      const sub = resolveBuild(inner, all.get(inner)!, all, byFile, find, new Set(seen))
      if (sub) manifests.push(...sub.manifests)
      continue
    }
    const list = byFile.get(path)
    if (!list) { find(file, undefined, `resource ${entry} is not a YAML manifest`); continue }
    manifests.push(...list)
  }
  // kustomize's namespace transformer: every namespaced object ends up in `namespace`.
  const applied = manifests.map((m) => (namespace && m.kind !== 'Namespace' ? { ...m, namespace } : m))
  return { file, namespace, manifests: applied }
}

/** Rules across the objects one kustomization applies. */
function checkBuild (build: Build, find: Find, referenced: Set<string>, rel: (file: string) => string): void {
  const where = ` (in ${rel(build.file)})`
  const of = (kind: string) => build.manifests.filter((m) => m.kind === kind)
  const seen = new Set<string>()
  for (const m of build.manifests) {
    const key = `${m.kind}/${m.namespace ?? ''}/${m.name}`
    if (seen.has(key)) find(m.file, `${m.kind}/${m.name}`, `defined twice${where}`)
    seen.add(key)
  }
  const configMaps = new Map(of('ConfigMap').map((m) => [m.name, labelsOf(m.doc.data)]))
  const namespaces = of('Namespace')
  const namespaceLabels = (name: string | undefined): Record<string, string> | undefined => {
    const ns = namespaces.find((n) => n.name === name)
    return name ? { ...labelsOf(asObj(ns?.doc.metadata).labels), 'kubernetes.io/metadata.name': name } : undefined
  }
  if (build.namespace && !namespaces.some((n) => n.name === build.namespace)) find(build.file, undefined, `the Namespace ${build.namespace} is not among the resources`)

  const workloads = build.manifests.filter((m) => podSpecOf(m)).map((m) => {
    const spec = asObj(m.doc.spec)
    const pod = podSpecOf(m)!
    // A replicas of the wrong type is a schema finding already; the rules below then say nothing of it.
    const replicas = spec.replicas === undefined ? 1 : typeof spec.replicas === 'number' ? spec.replicas : Number.NaN
    return { m, pod, labels: labelsOf(asObj(asObj(spec.template).metadata).labels), replicas }
  })
  const services = of('Service')
  const pdbs = of('PodDisruptionBudget')
  const policies = of('NetworkPolicy').map((m) => ({ m, spec: asObj(m.doc.spec) as NetworkPolicySpec }))

  // References to ConfigMaps and Secrets: in this build, or created by the operator.
  const ref = (m: Manifest, kind: 'Secret' | 'ConfigMap', name: string, key: string | undefined, optional: boolean) => {
    const id = `${m.kind}/${m.name}`
    if (kind === 'ConfigMap' && configMaps.has(name)) {
      if (key !== undefined && !optional && !(key in configMaps.get(name)!)) find(m.file, id, `ConfigMap ${name} has no key ${key}${where}`)
      return
    }
    const keys = OPERATOR_PROVIDED[kind][name]
    if (!keys) { find(m.file, id, `${kind} ${name} is neither in the manifests nor among the operator-provided ones (OPERATOR_PROVIDED)${where}`); return }
    if (key === undefined) { for (const k of keys) referenced.add(`${kind}/${name}/${k}`); return }
    if (!keys.includes(key)) find(m.file, id, `${kind} ${name} has no documented key ${key} (OPERATOR_PROVIDED)${where}`)
    referenced.add(`${kind}/${name}/${key}`)
  }

  for (const w of workloads) {
    const { m, pod } = w
    const id = `${m.kind}/${m.name}`
    for (const v of pod.volumes ?? []) {
      if (v.secret) for (const item of v.secret.items ?? [{ key: undefined }]) ref(m, 'Secret', v.secret.secretName ?? '', item.key, v.secret.optional === true)
      if (v.configMap) for (const item of v.configMap.items ?? [{ key: undefined }]) ref(m, 'ConfigMap', v.configMap.name ?? '', item.key, v.configMap.optional === true)
    }
    for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
      const cid = `${id} container ${c.name}`
      const env: Record<string, string> = {}
      for (const from of c.envFrom ?? []) {
        if (from.configMapRef) {
          ref(m, 'ConfigMap', from.configMapRef.name, undefined, from.configMapRef.optional === true)
          Object.assign(env, configMaps.get(from.configMapRef.name) ?? {})
        }
        if (from.secretRef) ref(m, 'Secret', from.secretRef.name, undefined, from.secretRef.optional === true)
      }
      for (const e of c.env ?? []) {
        const vf = asObj(e.valueFrom)
        const cmk = asObj(vf.configMapKeyRef)
        const sk = asObj(vf.secretKeyRef)
        if (typeof cmk.name === 'string') {
          ref(m, 'ConfigMap', cmk.name, String(cmk.key), cmk.optional === true)
          const value = configMaps.get(cmk.name)?.[String(cmk.key)]
          if (value !== undefined) env[e.name] = value
        }
        if (typeof sk.name === 'string') ref(m, 'Secret', sk.name, String(sk.key), sk.optional === true)
      }
      for (const name of Object.keys(env)) {
        if (isSecretVariable(name)) find(m.file, cid, `${name} comes from a ConfigMap: it is a secret${where}`)
      }
      // HTTPS when the service serves TLS, so the kubelet asks the port in the protocol it speaks.
      const scheme = env.TLS_CERT_FILE ? 'HTTPS' : 'HTTP'
      for (const which of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
        const get = c[which]?.httpGet
        if (get && (get.scheme ?? 'HTTP') !== scheme) find(m.file, cid, `${which} asks over ${get.scheme ?? 'HTTP'}, the service speaks ${scheme}${where}`)
      }
      // Every file a variable names must be in a mounted volume (and among its items).
      for (const [name, value] of Object.entries(env)) {
        if (!(/_FILE$/.test(name) || name === 'NODE_EXTRA_CA_CERTS') || !value.startsWith('/')) continue
        const mount = (c.volumeMounts ?? []).find((vm) => value.startsWith(vm.mountPath.replace(/\/?$/, '/')))
        if (!mount) { find(m.file, cid, `${name} names ${value}, which no volume mount provides${where}`); continue }
        const volume = (pod.volumes ?? []).find((v) => v.name === mount.name)
        const items = volume?.secret?.items ?? volume?.configMap?.items
        const inner = value.slice(mount.mountPath.replace(/\/?$/, '/').length)
        if (items && !items.some((i) => i.path === inner)) find(m.file, cid, `${name} names ${value}, which volume ${mount.name} does not hold${where}`)
      }
      // A URL to a Service of this build: the Service has the port, and the policies let it through.
      for (const [name, value] of Object.entries(env)) {
        if (!/_URL$/.test(name)) continue
        const url = parseUrl(value)
        if (!url || url.hostname.includes('.')) continue
        const svc = services.find((s) => s.name === url.hostname)
        if (!svc) { find(m.file, cid, `${name} calls ${url.hostname}, which is no Service here${where}`); continue }
        const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80))
        const sp = (asArray(asObj(svc.doc.spec).ports) as Array<{ port?: number, targetPort?: number | string }>).find((p) => p.port === port)
        if (!sp) { find(m.file, cid, `${name}: Service ${svc.name} has no port ${port}${where}`); continue }
        const selector = labelsOf(asObj(svc.doc.spec).selector)
        for (const target of workloads.filter((t) => Object.keys(selector).length > 0 && subset(selector, t.labels))) {
          const targetPort = resolvePort(sp.targetPort ?? sp.port, target.pod)
          if (targetPort === undefined) continue
          if (!allowed(policies, 'Egress', w.labels, m.namespace, target.labels, target.m.namespace, targetPort, target.pod, namespaceLabels)) {
            find(m.file, cid, `${name}: the NetworkPolicies do not let ${m.name} reach ${target.m.name} on ${targetPort} (egress)${where}`)
          }
          if (!allowed(policies, 'Ingress', target.labels, target.m.namespace, w.labels, m.namespace, targetPort, target.pod, namespaceLabels)) {
            find(m.file, cid, `${name}: the NetworkPolicies do not let ${target.m.name} accept ${m.name} on ${targetPort} (ingress)${where}`)
          }
        }
      }
    }

    // Every workload has a Service that selects it and that reaches one of its ports.
    const mine = services.filter((s) => {
      const sel = labelsOf(asObj(s.doc.spec).selector)
      return Object.keys(sel).length > 0 && subset(sel, w.labels)
    })
    if (mine.length === 0) find(m.file, id, `no Service selects its pods${where}`)
    for (const s of mine) {
      for (const p of asArray(asObj(s.doc.spec).ports) as Array<{ port?: number, targetPort?: number | string }>) {
        if (resolvePort(p.targetPort ?? p.port, pod) === undefined) find(s.file, `Service/${s.name}`, `targetPort ${String(p.targetPort ?? p.port)} is not a port of ${m.name}${where}`)
        else if (!allowedFromAnyone(policies, w.labels, m.namespace, resolvePort(p.targetPort ?? p.port, pod)!, pod)) {
          find(m.file, id, `no NetworkPolicy lets anything in on port ${String(p.targetPort ?? p.port)}${where}`)
        }
      }
    }

    // Voluntary disruptions (drains, upgrades) keep at least one pod: a budget per replicated workload.
    const budgets = pdbs.filter((p) => {
      const sel = asObj(asObj(p.doc.spec).selector) as LabelSelector
      return p.namespace === m.namespace && !isEmptySelector(sel) && selectorMatches(sel, w.labels)
    })
    const isGateway = w.labels[NAME_LABEL] === GATEWAY || m.name === GATEWAY
    if (Number.isNaN(w.replicas)) continue
    if (isGateway && w.replicas < 2) find(m.file, id, `the gateway runs ${w.replicas} replica(s): at least 2${where}`)
    if ((isGateway || w.replicas > 1) && budgets.length === 0) find(m.file, id, `no PodDisruptionBudget selects its pods${where}`)
    if (budgets.length > 1) find(m.file, id, `${budgets.length} PodDisruptionBudgets select its pods: eviction refuses pods with more than one${where}`)
    for (const b of budgets) {
      const bs = asObj(b.doc.spec)
      const min = bs.minAvailable
      const maxU = bs.maxUnavailable
      if (typeof min === 'number' && (min < 1 || min >= w.replicas)) find(b.file, `PodDisruptionBudget/${b.name}`, `minAvailable ${min} with ${w.replicas} replicas: keep at least 1 and let one go${where}`)
      if (min === undefined && maxU === undefined) find(b.file, `PodDisruptionBudget/${b.name}`, `neither minAvailable nor maxUnavailable${where}`)
      if (maxU === 0 || maxU === '0%') find(b.file, `PodDisruptionBudget/${b.name}`, `maxUnavailable 0 blocks every drain${where}`)
    }
  }
  if (!workloads.some((w) => w.labels[NAME_LABEL] === GATEWAY || w.m.name === GATEWAY)) find(build.file, undefined, `no gateway Deployment${where}`)
  for (const p of pdbs) {
    const sel = asObj(asObj(p.doc.spec).selector) as LabelSelector
    if (!workloads.some((w) => selectorMatches(sel, w.labels))) find(p.file, `PodDisruptionBudget/${p.name}`, `selects no pods${where}`)
  }
  for (const s of services) {
    const sel = labelsOf(asObj(s.doc.spec).selector)
    if (!workloads.some((w) => Object.keys(sel).length > 0 && subset(sel, w.labels))) find(s.file, `Service/${s.name}`, `its selector matches no Deployment's pod labels${where}`)
  }

  // NetworkPolicies: deny by default, and no peer that selects nothing (a typo lets nobody in).
  const denyAll = policies.some(({ spec }) => isEmptySelector(spec.podSelector ?? {}) &&
    (spec.policyTypes ?? []).includes('Ingress') && (spec.policyTypes ?? []).includes('Egress') &&
    (spec.ingress ?? []).length === 0 && (spec.egress ?? []).length === 0)
  if (!denyAll) find(build.file, undefined, `no default-deny NetworkPolicy (podSelector {}, Ingress and Egress, no rules)${where}`)
  for (const { m, spec } of policies) {
    const id = `NetworkPolicy/${m.name}`
    if (!isEmptySelector(spec.podSelector ?? {}) && !workloads.some((w) => selectorMatches(spec.podSelector ?? {}, w.labels))) find(m.file, id, `podSelector selects no pods${where}`)
    for (const rule of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) {
      for (const peer of [...(rule.from ?? []), ...(rule.to ?? [])]) {
        if (peer.podSelector && !peer.namespaceSelector && !isEmptySelector(peer.podSelector) && !workloads.some((w) => selectorMatches(peer.podSelector!, w.labels))) {
          find(m.file, id, `a peer's podSelector selects no pods${where}`)
        }
      }
    }
  }
}

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])
const subset = (a: Record<string, string>, b: Record<string, string>) => Object.entries(a).every(([k, v]) => b[k] === v)
const isEmptySelector = (s: LabelSelector) => Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0

function selectorMatches (s: LabelSelector, labels: Record<string, string>): boolean {
  if (!subset(s.matchLabels ?? {}, labels)) return false
  return (s.matchExpressions ?? []).every((e) => {
    const has = e.key in labels
    switch (e.operator) {
      case 'In': return has && (e.values ?? []).includes(labels[e.key]!)
      case 'NotIn': return !has || !(e.values ?? []).includes(labels[e.key]!)
      case 'Exists': return has
      case 'DoesNotExist': return !has
      default: return false
    }
  })
}

function parseUrl (value: string): URL | undefined {
  try { return new URL(value) } catch { return undefined }
}

/** A Service port or a NetworkPolicy port (number or container port name) as a number. */
function resolvePort (port: number | string | undefined, pod: PodSpec): number | undefined {
  const ports = (pod.containers ?? []).flatMap((c) => c.ports ?? [])
  if (typeof port === 'number') return ports.some((p) => p.containerPort === port) ? port : undefined
  return ports.find((p) => p.name === port)?.containerPort
}

type Policy = { m: Manifest, spec: NetworkPolicySpec }
type NsLabels = (name: string | undefined) => Record<string, string> | undefined

function policyTypes (spec: NetworkPolicySpec): string[] {
  return spec.policyTypes ?? (spec.egress ? ['Ingress', 'Egress'] : ['Ingress'])
}

/**
 * Whether NetworkPolicy semantics let traffic through on `direction` for the pod `self` (the
 * sender for Egress, the receiver for Ingress) with the peer `other`, to `port` of the receiver.
 */
function allowed (policies: Policy[], direction: 'Ingress' | 'Egress', self: Record<string, string>, selfNs: string | undefined,
  other: Record<string, string>, otherNs: string | undefined, port: number, receiver: PodSpec, nsLabels: NsLabels): boolean {
  const selecting = policies.filter(({ m, spec }) => m.namespace === selfNs && selectorMatches(spec.podSelector ?? {}, self) && policyTypes(spec).includes(direction))
  if (selecting.length === 0) return true
  return selecting.some(({ spec }) => ((direction === 'Ingress' ? spec.ingress : spec.egress) ?? []).some((rule) => {
    const peers = direction === 'Ingress' ? rule.from : rule.to
    const peerOk = !peers || peers.length === 0 || peers.some((p) => peerMatches(p, other, otherNs, selfNs, nsLabels))
    return peerOk && portMatches(rule, port, receiver)
  }))
}

function allowedFromAnyone (policies: Policy[], self: Record<string, string>, selfNs: string | undefined, port: number, pod: PodSpec): boolean {
  const selecting = policies.filter(({ m, spec }) => m.namespace === selfNs && selectorMatches(spec.podSelector ?? {}, self) && policyTypes(spec).includes('Ingress'))
  return selecting.length === 0 || selecting.some(({ spec }) => (spec.ingress ?? []).some((rule) => portMatches(rule, port, pod)))
}

function peerMatches (peer: NetworkPolicyPeer, labels: Record<string, string>, ns: string | undefined, policyNs: string | undefined, nsLabels: NsLabels): boolean {
  if (peer.ipBlock) return false // pod addresses are not known here
  if (peer.namespaceSelector) {
    const l = nsLabels(ns)
    if (!l || !selectorMatches(peer.namespaceSelector, l)) return false
  } else if (ns !== policyNs) return false
  return selectorMatches(peer.podSelector ?? {}, labels)
}

function portMatches (rule: NetworkPolicyRule, port: number, receiver: PodSpec): boolean {
  if (!rule.ports || rule.ports.length === 0) return true
  return rule.ports.some((p) => (p.protocol ?? 'TCP') === 'TCP' && (p.port === undefined || p.port === port || resolvePort(p.port, receiver) === port))
}

async function main (): Promise<void> {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..')
  const dir = resolve(process.argv[2] ?? join(root, 'deploy', 'kubernetes'))
  const result = await checkManifests(dir)
  for (const f of result.findings) console.error(`${f.file}: ${f.object ? f.object + ': ' : ''}${f.message}`)
  const summary = `${result.objects} objects in ${result.files} files, ${result.builds} kustomization(s)`
  if (result.findings.length > 0) {
    console.error(`manifests: ${result.findings.length} finding(s) (${summary})`)
    process.exitCode = 1
  } else {
    console.log(`manifests: no findings (${summary}, Kubernetes schemas of kubernetes-models, offline)`)
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main()
