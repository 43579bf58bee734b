// The only module that touches kafkajs. An idempotent producer (acks=all, one request in flight
// so that order per partition holds across retries), topic creation with explicit settings, and
// a consumer that commits an offset only after the handler's work is durable.
import { Kafka, logLevel, type Producer, type Admin, type IHeaders } from 'kafkajs'
import type { Logger } from 'pino'

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'

export const TOPICS = {
  audit: 'wams.audit.v1',
  cases: 'wams.cases.v1',
  checkpoints: 'wams.checkpoints.v1'
} as const
export type TopicKey = keyof typeof TOPICS

export interface BrokerSettings {
  brokers: string
  clientId: string
  topicPrefix: string
  partitions: number
  replicationFactor: number
  logger?: Logger
}

export interface OutgoingMessage { key: string, value: string, headers?: Record<string, string> }
export interface Subscription { stop: () => Promise<void> }
export interface ConsumedMessage {
  topic: string
  partition: number
  offset: string
  key: string | null
  value: string
  headers: Record<string, string>
}

// Audit and checkpoints are evidence: kept forever, never compacted. Case events feed caches.
const TOPIC_CONFIG: Record<TopicKey, Record<string, string>> = {
  audit: { 'retention.ms': '-1', 'retention.bytes': '-1', 'cleanup.policy': 'delete', 'min.insync.replicas': '1' },
  cases: { 'retention.ms': String(30 * 24 * 3600 * 1000), 'cleanup.policy': 'delete' },
  checkpoints: { 'retention.ms': '-1', 'retention.bytes': '-1', 'cleanup.policy': 'delete' }
}

/** Keeps `work` in `set` until it settles, so a stop can wait for every batch in hand. */
function track (set: Set<Promise<void>>, work: Promise<void>): Promise<void> {
  set.add(work)
  work.then(() => set.delete(work), () => set.delete(work))
  return work
}

function headersOf (raw: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(raw ?? {})) if (v !== undefined) out[k] = Array.isArray(v) ? String(v[0]) : String(v)
  return out
}

export class Broker {
  readonly kafka: Kafka
  readonly settings: BrokerSettings
  private producer: Producer | null = null
  private readonly subscriptions = new Set<Subscription>()

  constructor (settings: BrokerSettings) {
    this.settings = settings
    const log = settings.logger
    this.kafka = new Kafka({
      clientId: settings.clientId,
      brokers: settings.brokers.split(','),
      connectionTimeout: 3000,
      requestTimeout: 10000,
      retry: { retries: 5, initialRetryTime: 200 },
      logLevel: logLevel.WARN,
      logCreator: () => ({ namespace, level, log: entry }) => {
        if (!log) return
        const { message, ...rest } = entry
        // Retries are limited on purpose: a send that gives up is resent by the outbox relay with
        // the same event ids, which consumers deduplicate; the producer's warning says nothing new.
        if (message.startsWith('Limiting retries for the idempotent producer')) return
        const fields = { namespace, broker: rest.broker, error: rest.error }
        if (level <= logLevel.ERROR) log.error(fields, message)
        else log.warn(fields, message)
      }
    })
  }

  topic (key: TopicKey): string {
    return this.settings.topicPrefix + TOPICS[key]
  }

  /** Creates the topics with explicit settings; existing topics are left as they are. */
  async ensureTopics (keys: TopicKey[] = ['audit', 'cases', 'checkpoints']): Promise<void> {
    const admin = this.kafka.admin()
    await admin.connect()
    try {
      const existing = new Set(await admin.listTopics())
      const missing = keys.filter((k) => !existing.has(this.topic(k)))
      if (missing.length === 0) return
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((k) => ({
          topic: this.topic(k),
          numPartitions: this.settings.partitions,
          replicationFactor: this.settings.replicationFactor,
          configEntries: Object.entries(TOPIC_CONFIG[k]).map(([name, value]) => ({ name, value }))
        }))
      })
    } finally {
      await admin.disconnect()
    }
  }

  async connectProducer (): Promise<void> {
    if (this.producer) return
    const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false })
    await producer.connect()
    this.producer = producer
  }

  /** Sends messages to one topic and resolves once the broker acknowledged all (acks=all). */
  async send (key: TopicKey, messages: OutgoingMessage[]): Promise<void> {
    if (!this.producer) await this.connectProducer()
    await this.producer!.send({ topic: this.topic(key), acks: -1, messages })
  }

  /** Sends to several topics in one batch request. */
  async sendBatch (batches: Array<{ topic: TopicKey, messages: OutgoingMessage[] }>): Promise<void> {
    if (!this.producer) await this.connectProducer()
    await this.producer!.sendBatch({
      acks: -1,
      topicMessages: batches.map((b) => ({ topic: this.topic(b.topic), messages: b.messages }))
    })
  }

  /**
   * Consumes `topics` in group `groupId`. The handler gets the messages of one partition batch;
   * the batch's offsets are committed only after the handler resolved, so a crash redelivers.
   */
  async consume (options: {
    groupId: string
    topics: TopicKey[]
    fromBeginning?: boolean
    /** How long a fetch waits for data; also bounds how long a clean stop waits. */
    maxWaitMs?: number
    /** Partitions handled in parallel by this instance (order per partition is kept). */
    partitionsConcurrently?: number
    handle: (messages: ConsumedMessage[]) => Promise<void>
  }): Promise<Subscription> {
    const consumer = this.kafka.consumer({
      groupId: options.groupId, sessionTimeout: 10000, heartbeatInterval: 1000, retry: { retries: 10 },
      maxWaitTimeInMs: options.maxWaitMs ?? 500
    })
    const inFlight = new Set<Promise<void>>()
    const subscription: Subscription = {
      // Let the batch in hand finish and commit before leaving the group, so a clean stop redelivers nothing.
      stop: async () => {
        this.subscriptions.delete(subscription)
        await Promise.allSettled([...inFlight])
        await consumer.disconnect()
      }
    }
    this.subscriptions.add(subscription)
    await consumer.connect()
    await consumer.subscribe({ topics: options.topics.map((k) => this.topic(k)), fromBeginning: options.fromBeginning ?? true })
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: options.partitionsConcurrently ?? 1,
      eachBatchAutoResolve: false,
      eachBatch: ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => track(inFlight, (async () => {
        if (!isRunning() || isStale() || batch.messages.length === 0) return
        const messages: ConsumedMessage[] = batch.messages.map((m) => ({
          topic: batch.topic,
          partition: batch.partition,
          offset: m.offset,
          key: m.key ? m.key.toString() : null,
          value: m.value ? m.value.toString() : '',
          headers: headersOf(m.headers)
        }))
        await options.handle(messages)
        resolveOffset(batch.lastOffset())
        // With autoCommit off, the commit is explicit: the next offset to read, after the work is durable.
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(batch.lastOffset()) + 1n).toString() }])
        await heartbeat()
      })())
    })
    return subscription
  }

  async ready (): Promise<boolean> {
    const admin = this.kafka.admin()
    try {
      await admin.connect()
      await admin.describeCluster()
      return true
    } catch {
      return false
    } finally {
      await admin.disconnect().catch(() => {})
    }
  }

  admin (): Admin {
    return this.kafka.admin()
  }

  /** Flushes and disconnects the producer and stops every consumer. */
  async close (): Promise<void> {
    await Promise.allSettled([...this.subscriptions].map((s) => s.stop()))
    if (this.producer) await this.producer.disconnect().catch(() => {})
    this.producer = null
  }
}
