// Dev secrets are created once even when several processes start at the same moment (npm start,
// parallel tests): every process ends up with the same issuer key and pseudonym key.
import t from 'tap'
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const script = `
import { devIssuer, devPseudonymKey } from '@wams/platform'
const issuer = devIssuer(process.env.DIR)
process.stdout.write(JSON.stringify({ pub: issuer.publicKeyPem, key: devPseudonymKey(process.env.DIR) }))
`

t.test('six processes racing to create the dev secrets agree on them', async (t) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'wams-secrets-')), 'data')
  const outputs = await Promise.all(Array.from({ length: 6 }, () => new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, DIR: dir } })
    let out = ''
    child.stdout.on('data', (c: Buffer) => { out += c.toString() })
    child.on('exit', (code) => code === 0 ? resolve(out) : reject(new Error(`exit ${code}`)))
  })))
  const parsed = outputs.map((o) => JSON.parse(o) as { pub: string, key: string })
  t.equal(new Set(parsed.map((p) => p.pub)).size, 1, 'one issuer key')
  t.equal(new Set(parsed.map((p) => p.key)).size, 1, 'one pseudonym key')
  t.ok(parsed[0]!.key.length >= 32)
})

t.test('production refuses the dev secrets', async (t) => {
  const { devIssuer, devPseudonymKey } = await import('@wams/platform')
  const before = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  t.teardown(() => { process.env.NODE_ENV = before })
  t.throws(() => devIssuer(), /JWT_TRUSTED_ISSUERS must be configured in production/)
  t.throws(() => devPseudonymKey(), /PSEUDONYM_KEY must be configured in production/)
})
