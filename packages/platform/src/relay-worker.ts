// The outbox relay's thread (relay-thread.ts starts it): its own pool and producer, the same
// OutboxRelay as in process. Messages in: 'wake', 'stop'. Out: its state when it changes.
import { parentPort, workerData } from 'node:worker_threads'
import pino from 'pino'
import { createPool } from './database.ts'
import { Broker } from './kafka.ts'
import { loggerOptions } from './logger.ts'
import { OutboxRelay } from './outbox.ts'
import type { RelayWorkerData, RelayWorkerState } from './relay-thread.ts'

const data = workerData as RelayWorkerData
const port = parentPort!
const logger = pino(loggerOptions(data.service, data.logLevel))
// Two connections: the leader lock's (LISTEN) and one for the batches.
const pool = createPool(data.databaseUrl, 2)
const broker = new Broker({ ...data.broker, logger })
const relay = new OutboxRelay({ pool, broker, logger, lingerMs: data.lingerMs })

let last = ''
const report = (): void => {
  const state: RelayWorkerState = { isLeader: relay.isLeader, lastError: relay.lastError?.message ?? null }
  const text = JSON.stringify(state)
  if (text !== last) { last = text; port.postMessage(state) }
}
// The state changes inside the relay's loop; a look every 100 ms keeps the parent's copy fresh
// enough for readiness and for whether a commit wakes this relay or NOTIFYs.
const reporting = setInterval(report, 100)

port.on('message', (message: 'wake' | 'stop') => {
  if (message === 'wake') relay.wake()
  else void stop()
})

async function stop (): Promise<void> {
  clearInterval(reporting)
  await relay.stop()
  await broker.close()
  await pool.end()
  report()
  port.close()
}

relay.start()
report()
