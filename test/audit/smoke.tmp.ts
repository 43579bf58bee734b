import { freshInfra, startAudit, producer, send, decision, waitForCheckpoint, ORG } from './support.ts'
import { randomUUID } from 'node:crypto'
const tds: Array<() => unknown> = []
const t = { teardown: (fn: () => unknown) => { tds.unshift(fn) } }
let t0 = Date.now()
const lap = (s: string) => { console.log(s, Date.now() - t0); t0 = Date.now() }
const infra = await freshInfra(t, 'smoke')
lap('db')
const app = await startAudit(t, infra)
lap('app')
const b = await producer(t, infra)
lap('producer')
await send(b, [decision({ caseId: randomUUID(), requester: ORG.voorbeeldstad, requesterType: 'gemeente', provider: ORG.zorggroep, subjectRef: null, outcome: 'permit' })])
lap('send')
await waitForCheckpoint(app, 1)
lap('checkpoint')
await b.close(); lap('producer close')
await app.close(); lap('app close')
for (const fn of tds) await fn()
lap('rest')
