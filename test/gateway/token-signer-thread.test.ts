// The partner tokens signed on their own thread (PARTNER_TOKEN_THREAD, the default): the same
// token as in process — audience the provider, bound to the request, 60 s, verifiable with the
// gateway's public key — and none is lost when the thread dies: the requests it held and those
// that come before it is started again are signed in process.
import t from 'tap'
import pino from 'pino'
import { createVerifier } from 'fast-jwt'
import { createGatewaySigner, partnerTokenSigning } from '../../services/gateway/src/signing-key.ts'
import { TokenSignerThread } from '../../services/gateway/src/token-signer-thread.ts'

const base = { GATEWAY_OIN: '00000099000000009000', JWT_AUDIENCE: 'wams', DATA_DIR: process.env.DATA_DIR ?? '.data' }
const ZORG = '00000099000000000201'

function setup (t: { teardown: (fn: () => unknown) => void }) {
  const signer = createGatewaySigner(base)
  let local = 0
  const thread = new TokenSignerThread({
    data: partnerTokenSigning(base),
    local: (provider, requestId) => { local++; return signer.partnerToken(provider, requestId) },
    logger: pino({ level: 'silent' })
  })
  t.teardown(() => thread.stop())
  const verify = createVerifier({ key: signer.publicKeyPem, algorithms: ['EdDSA'], allowedAud: ZORG, allowedIss: signer.iss })
  return { thread, verify, signer, locals: () => local }
}

t.test('the thread signs the same token as the process does', async (t) => {
  const { thread, verify, locals } = setup(t)
  thread.start()
  const tokens = await Promise.all(Array.from({ length: 50 }, (_, i) => thread.sign(ZORG, `request-${i}`)))
  for (const [i, token] of tokens.entries()) {
    const claims = verify(token) as Record<string, unknown>
    if (claims.requestId !== `request-${i}`) t.fail(`token ${i} is bound to ${String(claims.requestId)}`)
  }
  t.match(verify(tokens[0]!), { sub: 'gateway', org: base.GATEWAY_OIN, aud: ZORG, requestId: 'request-0' })
  const claims = verify(tokens[7]!) as { iat: number, exp: number }
  t.equal(claims.exp - claims.iat, 60, 'valid 60 s')
  t.equal(locals(), 0, 'all signed on the thread')
})

t.test('a dead thread loses no token: in process until it is started again', async (t) => {
  const { thread, verify, locals } = setup(t)
  t.match(verify(await thread.sign(ZORG, 'before-start')), { requestId: 'before-start' }, 'not started: signed in process')
  t.equal(locals(), 1)
  thread.start()
  await thread.sign(ZORG, 'warm')
  const held = thread.sign(ZORG, 'held')
  await thread.crashForTest()
  t.match(verify(await held), { requestId: 'held' }, 'a request the dead thread held is answered all the same')
  t.match(verify(await thread.sign(ZORG, 'while-dead')), { requestId: 'while-dead' })
  const deadline = Date.now() + 20_000
  let before = locals()
  for (;;) {
    await thread.sign(ZORG, 'probe')
    if (locals() === before) break // signed on the (new) thread
    before = locals()
    if (Date.now() > deadline) throw new Error('the thread was not started again')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  t.pass('the thread was started again')
})
