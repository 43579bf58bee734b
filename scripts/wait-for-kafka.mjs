// Readiness probe: the broker answers metadata, creates a topic with a leader, and a consumer
// group can join (which forces __consumer_offsets into existence before the tests need it).
import { Kafka, logLevel } from 'kafkajs'

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',')
const timeoutMs = Number(process.env.KAFKA_READY_TIMEOUT_MS ?? 60000)
const topic = '__wams_readiness'
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const kafka = new Kafka({ clientId: 'wams-readiness', brokers, logLevel: logLevel.NOTHING, connectionTimeout: 1000, retry: { retries: 0 } })

async function adminReady () {
  const admin = kafka.admin()
  await admin.connect()
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true })
  } finally { await admin.disconnect() }
}

async function groupReady () {
  // A short fetch wait: disconnect() waits for the fetch in flight (kafkajs' default is 5 s).
  const consumer = kafka.consumer({ groupId: '__wams_readiness', retry: { retries: 0 }, maxWaitTimeInMs: 100 })
  let timer
  try {
    // The timer keeps the event loop alive and bounds a join that kafkajs gave up on.
    const joined = new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new Error('consumer group join timed out')), 15000)
      consumer.on(consumer.events.GROUP_JOIN, resolve)
      consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error))
    })
    await consumer.connect()
    await consumer.subscribe({ topics: [topic] })
    await consumer.run({ eachMessage: async () => {} })
    await joined
  } finally {
    clearTimeout(timer)
    await consumer.disconnect().catch(() => {})
  }
}

async function main () {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try { await adminReady(); await groupReady(); return } catch (err) {
      if (process.env.DEBUG_READY) console.error(err)
      if (Date.now() > deadline) throw new Error(`kafka not ready after ${timeoutMs} ms: ${err.message}`)
      await sleep(500)
    }
  }
}

main().then(() => { console.log(`kafka ready at ${brokers.join(',')}`); process.exit(0) },
  (err) => { console.error(err.message); process.exit(1) })
