// The partner token thread (token-signer-thread.ts starts it): the same fast-jwt signer as
// signing-key.ts, one token per message.
import { parentPort, workerData } from 'node:worker_threads'
import { createSigner } from 'fast-jwt'
import type { TokenAnswer, TokenRequest, TokenSignerWorkerData } from './token-signer-thread.ts'

const data = workerData as TokenSignerWorkerData
const sign = createSigner({ key: data.keyPem, algorithm: 'EdDSA', expiresIn: data.ttlS * 1000 })
const port = parentPort!
port.on('message', ({ id, provider, requestId }: TokenRequest) => {
  const token = sign({ iss: data.iss, sub: 'gateway', org: data.org, aud: provider, requestId })
  port.postMessage({ id, token } satisfies TokenAnswer)
})
