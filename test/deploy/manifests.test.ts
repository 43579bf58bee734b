// The Kubernetes manifests (deploy/kubernetes) pass scripts/check-manifests.ts, offline; and the
// checker is not a rubber stamp: copies broken one way each (a probe path, a literal secret, the
// gateway's budget, a selector, a schema type, a network policy, an undocumented Secret, a
// committed Secret, a file outside the kustomization) are refused with a finding that names it.
import t, { type Test } from 'tap'
import { execFile } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { checkManifests, OPERATOR_PROVIDED, type Finding } from '../../scripts/check-manifests.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const manifests = join(root, 'deploy', 'kubernetes')
const run = promisify(execFile)

const render = (findings: Finding[]) => findings.map((f) => `${f.file}: ${f.object ? f.object + ': ' : ''}${f.message}`)

/** A copy of deploy/kubernetes in a temporary folder, changed by `change`, and what the checker finds in it. */
async function broken (t: Test, change: (dir: string) => void): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'wams-manifests-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  cpSync(manifests, dir, { recursive: true })
  change(dir)
  return render((await checkManifests(dir, dir)).findings)
}

/** Replaces `from` (which must be there) by `to` in one file of the copy. */
function edit (dir: string, file: string, from: string, to: string): void {
  const path = join(dir, file)
  const text = readFileSync(path, 'utf8')
  if (!text.includes(from)) throw new Error(`${file} does not contain ${JSON.stringify(from)}`)
  writeFileSync(path, text.replace(from, to))
}

t.test('the manifests in the repository pass', async (t) => {
  const result = await checkManifests(manifests, root)
  t.same(render(result.findings), [], 'no findings')
  t.ok(result.objects >= 20, `${result.objects} objects checked`)
  t.equal(result.builds, 3, 'deploy/kubernetes, base and acceptance')
})

t.test('the command passes on them and fails on a broken copy', async (t) => {
  const ok = await run(process.execPath, ['--import', 'tsx', 'scripts/check-manifests.ts'], { cwd: root })
  t.match(ok.stdout, /^manifests: no findings \(\d+ objects in \d+ files, 3 kustomization\(s\)/m)

  const dir = mkdtempSync(join(tmpdir(), 'wams-manifests-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  cpSync(manifests, dir, { recursive: true })
  edit(dir, 'base/gateway.yaml', 'path: /health/live\n              port: https\n              scheme: HTTPS\n            periodSeconds: 10', 'path: /live\n              port: https\n              scheme: HTTPS\n            periodSeconds: 10')
  const failed = await run(process.execPath, ['--import', 'tsx', 'scripts/check-manifests.ts', dir], { cwd: root }).then(() => null, (err: { code: number, stderr: string }) => err)
  t.equal(failed?.code, 1, 'exit code 1')
  t.match(failed?.stderr, /base\/gateway\.yaml: Deployment\/gateway container gateway: livenessProbe must ask \/health\/live, not \/live/)
  t.match(failed?.stderr, /manifests: \d+ finding\(s\)/)
})

t.test('a probe on another path, or on no port of the container', async (t) => {
  const findings = await broken(t, (dir) => {
    edit(dir, 'base/gateway.yaml', 'path: /health/ready', 'path: /ready')
    edit(dir, 'base/audit.yaml', 'path: /health/ready\n              port: https', 'path: /health/ready\n              port: 9999')
  })
  t.ok(findings.includes('base/gateway.yaml: Deployment/gateway container gateway: readinessProbe must ask /health/ready, not /ready'), 'the path')
  t.ok(findings.includes('base/audit.yaml: Deployment/audit container audit: readinessProbe port 9999 is not a port of the container'), 'the port')
})

t.test('a missing probe, a probe over HTTP to an HTTPS service', async (t) => {
  const findings = await broken(t, (dir) => {
    edit(dir, 'base/consent-ledger.yaml', '          livenessProbe:\n            httpGet:\n              path: /health/live\n              port: https\n              scheme: HTTPS\n            periodSeconds: 10\n            timeoutSeconds: 2\n            failureThreshold: 3\n', '')
    edit(dir, 'base/audit.yaml', 'path: /health/ready\n              port: https\n              scheme: HTTPS', 'path: /health/ready\n              port: https\n              scheme: HTTP')
  })
  t.ok(findings.includes('base/consent-ledger.yaml: Deployment/consent-ledger container consent-ledger: livenessProbe is missing (an httpGet on /health/live)'))
  t.ok(findings.some((f) => f.startsWith('base/audit.yaml: Deployment/audit container audit: readinessProbe asks over HTTP, the service speaks HTTPS')))
})

t.test('a literal secret, or a secret in a ConfigMap', async (t) => {
  const findings = await broken(t, (dir) => {
    edit(dir, 'base/gateway.yaml', '- name: PSEUDONYM_KEY\n              valueFrom:\n                secretKeyRef:\n                  name: wams-shared\n                  key: PSEUDONYM_KEY', '- name: PSEUDONYM_KEY\n              value: "0123456789abcdef0123456789abcdef"')
    edit(dir, 'base/audit.yaml', '  SERVICE: audit\n', '  SERVICE: audit\n  DATABASE_URL: postgres://wams:hunter2@db:5432/wams_audit\n')
  })
  t.ok(findings.includes('base/gateway.yaml: Deployment/gateway container gateway: env PSEUDONYM_KEY has a literal value: use envFrom a ConfigMap, or valueFrom'), 'the literal')
  t.ok(findings.includes('base/audit.yaml: ConfigMap/wams-audit-config: DATABASE_URL is a secret: it belongs in a Secret the operator creates'), 'a secret variable in a ConfigMap')
  t.ok(findings.includes('base/audit.yaml: ConfigMap/wams-audit-config: DATABASE_URL holds a URL with a password'), 'a password in a URL')
  t.ok(findings.some((f) => f.startsWith('base/audit.yaml: Deployment/audit container audit: DATABASE_URL comes from a ConfigMap: it is a secret')), 'and the pod that reads it')
})

t.test('a Secret committed with its value, a Secret nobody documented', async (t) => {
  const findings = await broken(t, (dir) => {
    writeFileSync(join(dir, 'base/secret.yaml'), 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: wams-extra\n  namespace: wams\nstringData:\n  PASSWORD: hunter2\n')
    edit(dir, 'base/kustomization.yaml', '  - network-policies.yaml\n', '  - network-policies.yaml\n  - secret.yaml\n')
    edit(dir, 'base/consent-ledger.yaml', 'name: wams-consent-ledger\n                  key: DATABASE_URL', 'name: wams-ledger-db\n                  key: DATABASE_URL')
  })
  t.ok(findings.includes('base/secret.yaml: Secret/wams-extra: a Secret in the repository: Secrets are created by the operator and only referenced here'))
  t.ok(findings.some((f) => f.startsWith('base/consent-ledger.yaml: Deployment/consent-ledger: Secret wams-ledger-db is neither in the manifests nor among the operator-provided ones')))
})

t.test('the gateway without its PodDisruptionBudget, or with one replica', async (t) => {
  const without = await broken(t, (dir) => {
    const text = readFileSync(join(dir, 'base/gateway.yaml'), 'utf8')
    writeFileSync(join(dir, 'base/gateway.yaml'), text.slice(0, text.lastIndexOf('---')))
  })
  t.ok(without.some((f) => f.startsWith('base/gateway.yaml: Deployment/gateway: no PodDisruptionBudget selects its pods')))
  const single = await broken(t, (dir) => edit(dir, 'base/gateway.yaml', 'replicas: 2', 'replicas: 1'))
  t.ok(single.some((f) => f.startsWith('base/gateway.yaml: Deployment/gateway: the gateway runs 1 replica(s): at least 2')))
  t.ok(single.some((f) => f.startsWith('base/gateway.yaml: PodDisruptionBudget/gateway: minAvailable 1 with 1 replicas')))
})

t.test('a Service whose selector does not match the Deployment', async (t) => {
  const findings = await broken(t, (dir) => {
    edit(dir, 'base/consent-ledger.yaml', 'type: ClusterIP\n  selector:\n    app.kubernetes.io/name: consent-ledger', 'type: ClusterIP\n  selector:\n    app.kubernetes.io/name: ledger')
  })
  t.ok(findings.some((f) => f.startsWith('base/consent-ledger.yaml: Deployment/consent-ledger: no Service selects its pods')))
  t.ok(findings.some((f) => f.startsWith('base/consent-ledger.yaml: Service/consent-ledger: its selector matches no Deployment')))
})

t.test('what the Kubernetes schema refuses', async (t) => {
  const findings = await broken(t, (dir) => {
    edit(dir, 'base/gateway.yaml', 'replicas: 2', 'replicas: two')
    edit(dir, 'base/audit.yaml', 'containerPort: 8082', 'containerPort: "eighty"')
    edit(dir, 'base/consent-ledger.yaml', 'memory: 640Mi', 'memory: lots')
    edit(dir, 'base/network-policies.yaml', 'policyTypes: ["Ingress", "Egress"]\n  ingress:\n    # The gateway', 'policyTypes: "Ingress"\n  ingress:\n    # The gateway')
  })
  t.ok(findings.includes('base/gateway.yaml: Deployment/gateway: schema: /spec/replicas must be integer'))
  t.ok(findings.includes('base/audit.yaml: Deployment/audit: schema: /spec/template/spec/containers/0/ports/0/containerPort must be integer'))
  t.ok(findings.includes('base/consent-ledger.yaml: Deployment/consent-ledger: schema: /spec/template/spec/containers/0/resources/limits/memory must match format "quantity"'))
  t.ok(findings.includes('base/network-policies.yaml: NetworkPolicy/gateway: schema: /spec/policyTypes must be array'))
  const unknown = await broken(t, (dir) => edit(dir, 'base/namespace.yaml', 'kind: Namespace', 'kind: Namespaec'))
  t.ok(unknown.includes('base/namespace.yaml: Namespaec/wams: no Kubernetes schema for v1 Namespaec'))
})

t.test('a NetworkPolicy that cuts a call the configuration makes', async (t) => {
  const findings = await broken(t, (dir) => {
    edit(dir, 'base/network-policies.yaml', '  egress:\n    - to:\n        - podSelector:\n            matchLabels:\n              app.kubernetes.io/name: consent-ledger\n              app.kubernetes.io/part-of: wams\n      ports:\n        - protocol: TCP\n          port: 8081\n    - to:', '  egress:\n    - to:')
  })
  t.ok(findings.some((f) => f.startsWith('base/gateway.yaml: Deployment/gateway container gateway: CONSENT_LEDGER_URL: the NetworkPolicies do not let gateway reach consent-ledger on 8081 (egress)')), 'egress')
  const noDeny = await broken(t, (dir) => edit(dir, 'base/network-policies.yaml', '  podSelector: {}\n  policyTypes: ["Ingress", "Egress"]\n', '  podSelector: {}\n  policyTypes: ["Ingress"]\n'))
  t.ok(noDeny.some((f) => f.startsWith('base/kustomization.yaml: no default-deny NetworkPolicy')), 'default deny')
})

t.test('a file no kustomization applies, a variable naming a file that is not mounted', async (t) => {
  const findings = await broken(t, (dir) => {
    edit(dir, 'base/kustomization.yaml', '  - network-policies.yaml\n', '')
    edit(dir, 'base/gateway.yaml', 'GATEWAY_SIGNING_KEY_FILE: /run/secrets/wams/signing-key.pem', 'GATEWAY_SIGNING_KEY_FILE: /run/secrets/wams/gateway.pem')
  })
  t.ok(findings.includes('base/network-policies.yaml: not a resource of any kustomization.yaml: kubectl apply -k would leave it out'))
  t.ok(findings.some((f) => f.startsWith('base/gateway.yaml: Deployment/gateway container gateway: GATEWAY_SIGNING_KEY_FILE names /run/secrets/wams/gateway.pem, which volume signing-key does not hold')))
})

t.test('an overlay inside the folder it builds on', async (t) => {
  const findings = await broken(t, (dir) => {
    cpSync(join(dir, 'acceptance'), join(dir, 'base', 'acceptance'), { recursive: true })
    edit(dir, 'base/acceptance/kustomization.yaml', '  - ../base\n', '  - ..\n')
  })
  t.ok(findings.some((f) => f.startsWith("base/acceptance/kustomization.yaml: resource .. contains this kustomization's own folder: kustomize refuses that cycle")))
})

// kubectl's own kustomize (Debian's package, which .ci/run installs when missing) renders both
// kustomizations: what `kubectl apply -k` would apply.
const kubectl = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p))
t.test('kubectl kustomize renders them', async (t) => {
  t.ok(kubectl, 'kubectl is installed (apt-get install kubectl)')
  if (kubectl === undefined) return
  for (const [folder, deployments] of [['deploy/kubernetes', 3], ['deploy/kubernetes/acceptance', 4]] as const) {
    const { stdout } = await run(kubectl, ['kustomize', folder], { cwd: root })
    const kinds = stdout.split('\n').filter((l) => l.startsWith('kind: ')).map((l) => l.slice(6))
    t.equal(kinds.filter((k) => k === 'Deployment').length, deployments, `${folder}: ${deployments} Deployments`)
    t.equal(kinds.filter((k) => k === 'Secret').length, 0, `${folder}: no Secret`)
    t.ok(kinds.includes('PodDisruptionBudget'), `${folder}: the budgets`)
  }
})

t.test('the README names every Secret and ConfigMap the operator creates, with its keys', async (t) => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const start = readme.indexOf('\n## Production')
  t.ok(start >= 0, 'a Production section')
  const end = readme.indexOf('\n## ', start + 1)
  const section = readme.slice(start, end < 0 ? undefined : end)
  for (const [kind, names] of Object.entries(OPERATOR_PROVIDED)) {
    for (const [name, keys] of Object.entries(names)) {
      t.match(section, `\`${name}\``, `${kind} ${name}`)
      for (const key of keys) t.match(section, `\`${key}\``, `${kind} ${name} key ${key}`)
    }
  }
  t.match(section, 'kubectl apply -k deploy/kubernetes')
})
