import pg from 'pg'
import { startExchange, openCase, ask, OIN } from '/work/main/test/gateway/helpers.ts'
import { POSTGRES_SERVER } from '/work/main/test/support/infra.ts'
const caught: unknown[] = []
if (process.env.FIX === '1') {
  const origConnect = (pg.Pool.prototype as any).connect
  ;(pg.Pool.prototype as any).connect = function (this: any, cb?: any) {
    if (cb) return origConnect.call(this, cb)
    return new Promise((resolve, reject) => origConnect.call(this, (err: any, client: any) => {
      if (err) return reject(err)
      if (!client.__guard) { client.__guard = true; client.on('error', () => {}) } // a listener at once, in the same tick
      resolve(client)
    }))
  }
}
const origEmit = pg.Client.prototype.emit
const origQuery = pg.Client.prototype.query
;(pg.Client.prototype as any).query = function (this: any, ...args: any[]) { const q = args[0]; this.__last = typeof q === 'string' ? q.slice(0, 80) : (q?.name ?? q?.text?.slice(0, 80)); this.__lastStack = new Error('query site').stack; return (origQuery as any).apply(this, args) }
;(pg.Client.prototype as any).emit = function (this: any, ev: string, ...args: any[]) {
  if (ev === 'connect') { this.__connectedAt = performance.now(); let same = true; this.__sameTick = () => same; setImmediate(() => { same = false }) }
  if (ev === 'error' && this.listenerCount('error') === 0) console.error('ms since connect', (performance.now() - this.__connectedAt).toFixed(3), 'same tick as connect:', this.__sameTick?.())
  if (ev === 'error' && this.listenerCount('error') === 0) console.error('NO-LISTENER error on client; last query:', this.__last, 'release fn?', typeof this.release, 'ending', this._ending, 'queryable', this._queryable, '\n', this.__lastStack)
  return (origEmit as any).call(this, ev, ...args)
}
process.on('uncaughtException', (err, origin) => { caught.push(err); console.error('UNCAUGHT', origin, (err as Error).message, (err as Error).stack) })
process.on('unhandledRejection', (err) => { caught.push(err); console.error('UNHANDLED REJECTION', (err as Error).message, (err as Error).stack) })
const downs: Array<() => unknown> = []
const x = await startExchange({ teardown: (fn) => downs.push(fn) }, 'pgkill', { env: { EVIDENCE_INTERVAL_MS: '300', RATE_LIMIT_PER_MINUTE: '100000', LOG_LEVEL: 'silent' } })
const caseId = await openCase(x.ledger)
const admin = new URL(POSTGRES_SERVER); admin.pathname = '/postgres'
const client = new pg.Client({ connectionString: admin.toString() }); await client.connect()
const name = new URL(x.gatewayDatabaseUrl).pathname.slice(1)
const statuses: Record<string, number> = {}
let stop = false
const load = (async () => { const ps: Promise<unknown>[] = []; while (!stop) { ps.push(ask(x.gateway, caseId, { provider: OIN.ggd, category: 'health', fields: ['careInvolved'] }).then((r) => { statuses[r.statusCode] = (statuses[r.statusCode] ?? 0) + 1 })); await new Promise((r) => setTimeout(r, 20)) } await Promise.all(ps) })()
for (let i = 0; i < 40; i++) {
  const { rows } = await client.query('SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1', [name])
  await new Promise((r) => setTimeout(r, 150 + Math.random() * 300))
}
stop = true; await load
console.log('statuses', statuses, 'caught', caught.length)
await client.end()
for (const d of downs.reverse()) await d()
process.exit(0)
