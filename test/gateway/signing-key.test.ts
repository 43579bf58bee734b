// The gateway's own key: the tokens it signs for the consent ledger (reused until shortly before
// they expire) and for partners (one per request), verifiable with its public key, and a
// configured key file that must be Ed25519.
import t from 'tap'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createVerifier } from 'fast-jwt'
import { DEV_ISSUER } from '@wams/platform'
import { createGatewaySigner } from '../../services/gateway/src/signing-key.ts'

const base = { GATEWAY_OIN: '00000099000000009000', JWT_AUDIENCE: 'wams', DATA_DIR: process.env.DATA_DIR ?? '.data' }
const decode = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>

t.test('ledger token: role gateway, reused until a minute before it expires, then renewed', async (t) => {
  let clock = Date.UTC(2026, 0, 1, 12, 0, 0)
  const signer = createGatewaySigner(base, () => clock)
  t.equal(signer.iss, DEV_ISSUER, 'development: the dev issuer')
  const first = signer.ledgerToken()
  t.match(decode(first), { iss: DEV_ISSUER, sub: 'gateway', org: base.GATEWAY_OIN, roles: ['gateway'], aud: 'wams' })
  t.equal((decode(first).exp as number) - (decode(first).iat as number), 300)
  clock += 239_000
  t.equal(signer.ledgerToken(), first, 'the same token while more than a minute is left')
  clock += 1_000
  const second = signer.ledgerToken()
  t.not(second, first, 'a new one a minute before expiry')
  t.equal(decode(second).iat, Math.floor(clock / 1000))
})

t.test('partner token: audience the provider, bound to the request, 60 s, verifiable with the public key', async (t) => {
  const signer = createGatewaySigner(base)
  const token = signer.partnerToken('00000099000000000201', 'request-42')
  const verify = createVerifier({ key: signer.publicKeyPem, algorithms: ['EdDSA'], allowedAud: '00000099000000000201', allowedIss: signer.iss })
  t.match(verify(token), { sub: 'gateway', org: base.GATEWAY_OIN, aud: '00000099000000000201', requestId: 'request-42' })
  const other = createVerifier({ key: signer.publicKeyPem, algorithms: ['EdDSA'], allowedAud: '00000099000000000301' })
  t.throws(() => other(token), 'not valid at another partner')
  t.not(signer.partnerToken('00000099000000000201', 'request-43'), token, 'one token per request')
})

t.test('a configured key file: Ed25519 only; its issuer', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wams-gw-key-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const ed = join(dir, 'ed25519.pem')
  writeFileSync(ed, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }))
  const configured = createGatewaySigner({ ...base, GATEWAY_SIGNING_KEY_FILE: ed, GATEWAY_ISSUER: 'https://gateway.wams.example' })
  t.equal(configured.iss, 'https://gateway.wams.example')
  t.equal(decode(configured.ledgerToken()).iss, 'https://gateway.wams.example')
  t.equal(createGatewaySigner({ ...base, GATEWAY_SIGNING_KEY_FILE: ed }).iss, `urn:wams:gateway:${base.GATEWAY_OIN}`, 'a default issuer naming the OIN')

  const rsa = join(dir, 'rsa.pem')
  writeFileSync(rsa, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }))
  t.throws(() => createGatewaySigner({ ...base, GATEWAY_SIGNING_KEY_FILE: rsa }), /Ed25519/)
})
