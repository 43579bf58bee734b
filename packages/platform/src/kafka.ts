// The only module that touches kafkajs. An idempotent producer (acks=all, one request in flight
// so that order per partition holds across retries), topic creation with explicit settings, and
// a consumer that commits an offset only after the handler's work is durable.
//
// The pipes heal by themselves: a producer send that fails because the broker was away is simply
// retried by its caller (the outbox relay) on the same producer, which reconnects; a topic that
// disappeared (UNKNOWN_TOPIC_OR_PARTITION) is created again and the send retried on a fresh
// producer; a consumer that kafkajs gave up on (CRASH) is rebuilt with an exponential backoff.
import { Kafka, logLevel, type Producer, type Admin, type Consumer, type IHeaders } from 'kafkajs'
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
  /** min.insync.replicas of the evidence topics; default: a majority of replicationFactor. */
  minInsyncReplicas?: number
  logger?: Logger
}

/** A majority of the replicas: 1 of 1, 2 of 2, 2 of 3. An acks=all write then survives the loss of any minority. */
export function majorityOf (replicationFactor: number): number {
  return Math.floor(replicationFactor / 2) + 1
}

export interface OutgoingMessage { key: string, value: string, headers?: Record<string, string> }
export interface Subscription {
  stop: () => Promise<void>
  /** False while the consumer has crashed and waits to be rebuilt (readiness). */
  readonly healthy?: boolean
}
export interface ConsumedMessage {
  topic: string
  partition: number
  offset: string
  key: string | null
  value: string
  headers: Record<string, string>
}

// Audit and checkpoints are evidence: kept forever, never compacted, and an acks=all write counts
// only once min.insync.replicas replicas hold it. Case events feed caches.
function topicConfig (key: TopicKey, minInsyncReplicas: number): Record<string, string> {
  const minIsr = { 'min.insync.replicas': String(minInsyncReplicas) }
  switch (key) {
    case 'audit': return { 'retention.ms': '-1', 'retention.bytes': '-1', 'cleanup.policy': 'delete', ...minIsr }
    case 'checkpoints': return { 'retention.ms': '-1', 'retention.bytes': '-1', 'cleanup.policy': 'delete', ...minIsr }
    case 'cases': return { 'retention.ms': String(30 * 24 * 3600 * 1000), 'cleanup.policy': 'delete' }
  }
}

/** How long a start waits for the leaders of topics it created, beyond kafkajs' own retries. */
const TOPIC_LEADERS_WAIT_MS = 60_000

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

/** The protocol error types anywhere in a kafkajs error (its causes, an aggregate's parts). */
export function kafkaErrorTypes (err: unknown): Set<string> {
  const types = new Set<string>()
  const seen = new Set<unknown>()
  const walk = (e: unknown): void => {
    if (!e || typeof e !== 'object' || seen.has(e)) return
    seen.add(e)
    const x = e as { type?: unknown, cause?: unknown, originalError?: unknown, errors?: unknown }
    if (typeof x.type === 'string') types.add(x.type)
    walk(x.cause)
    walk(x.originalError)
    if (Array.isArray(x.errors)) x.errors.forEach(walk)
  }
  walk(err)
  return types
}

/** The broker no longer knows the producer's id or sequence (its topic was created again): start a new producer. */
const PRODUCER_STATE_ERRORS = ['UNKNOWN_PRODUCER_ID', 'OUT_OF_ORDER_SEQUENCE_NUMBER', 'INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_ID_MAPPING']

/** kafkajs' message for UNKNOWN_TOPIC_OR_PARTITION (it logs the message, not the type). */
const UNKNOWN_TOPIC_MESSAGE = 'This server does not host this topic-partition'

/**
 * kafkajs logs every failed response at ERROR, also the conditions it retries or rejoins on by
 * itself, which every cold start and every group change shows: the coordinator still loading or
 * not yet elected, a partition without a leader yet or a topic not yet in the metadata (a topic
 * just created), a rebalance. kafkajs logs the error's message, not its type; this table names
 * the type and matches its message (test/platform/kafka-log-levels.test.ts holds them to kafkajs's
 * own). Such a line is logged at info; a crash whose cause is one of them at warn (consume()
 * rebuilds the consumer and says so); anything else kafkajs logs at ERROR stays error.
 */
export const KAFKA_EXPECTED_CONDITIONS: ReadonlyArray<readonly [type: string, message: string]> = [
  ['GROUP_LOAD_IN_PROGRESS', "The coordinator is loading and hence can't process requests for this group"],
  ['GROUP_COORDINATOR_NOT_AVAILABLE', 'The group coordinator is not available'],
  ['NOT_COORDINATOR_FOR_GROUP', 'This is not the correct coordinator for this group'],
  ['LEADER_NOT_AVAILABLE', 'There is no leader for this topic-partition as we are in the middle of a leadership election'],
  ['NOT_LEADER_FOR_PARTITION', 'This server is not the leader for that topic-partition'],
  ['UNKNOWN_TOPIC_OR_PARTITION', 'This server does not host this topic-partition'],
  ['NOT_CONTROLLER', 'This is not the correct controller for this cluster'],
  ['REBALANCE_IN_PROGRESS', 'The group is rebalancing, so a rejoin is needed'],
  ['UNKNOWN_MEMBER_ID', 'The coordinator is not aware of this member']
]

/**
 * kafkajs' message for a CreateTopics answer with any topic error (its aggregate error; the
 * connection logs only this). When two instances create the same topic at once it is
 * TOPIC_ALREADY_EXISTS, which the admin client then ignores; any other cause the admin client
 * throws to ensureTopics, which reports it. So the connection's own line is a warning.
 */
export const KAFKA_TOPIC_CREATION_ERRORS = 'Topic creation errors'

/** The pino level of one kafkajs log entry (kafkajs' level, its message and its error text). */
export function kafkaLogLevel (level: logLevel, message: string, error?: unknown): 'error' | 'warn' | 'info' {
  const errorText = typeof error === 'string' ? error : error instanceof Error ? error.message : ''
  const text = `${message}\n${errorText}`
  const expected = KAFKA_EXPECTED_CONDITIONS.some(([, known]) => text.includes(known))
  if (message.startsWith('Crash: ')) return expected ? 'warn' : 'error'
  if (expected) return 'info'
  if (errorText === KAFKA_TOPIC_CREATION_ERRORS) return 'warn'
  return level <= logLevel.ERROR ? 'error' : 'warn'
}

/** Rebuilds of a crashed consumer wait 1 s, 2 s, 4 s … at most this long; a group join resets it. */
const CONSUMER_RESTART_MAX_MS = 15000

export class Broker {
  readonly kafka: Kafka
  readonly settings: BrokerSettings
  private producer: Producer | null = null
  private connecting: Promise<Producer> | null = null
  private readonly subscriptions = new Set<Subscription>()

  constructor (settings: BrokerSettings) {
    // More in-sync replicas than replicas: every acks=all write would be refused (NOT_ENOUGH_REPLICAS).
    if (settings.minInsyncReplicas !== undefined && settings.minInsyncReplicas > settings.replicationFactor) {
      throw new Error(`KAFKA_MIN_INSYNC_REPLICAS (${settings.minInsyncReplicas}) exceeds KAFKA_REPLICATION_FACTOR (${settings.replicationFactor})`)
    }
    this.settings = settings
    this.kafka = this.client()
  }

  /**
   * A kafkajs client with this broker's settings. Each consumer gets its own: kafkajs caches a
   * group's committed offsets per client, and a consumer rebuilt after its topic was deleted must
   * read them from the broker again (where they went with the topic), not resume at the old position.
   */
  private client (onLog?: (namespace: string, message: string, error: unknown) => void): Kafka {
    const log = this.settings.logger
    return new Kafka({
      clientId: this.settings.clientId,
      brokers: this.settings.brokers.split(','),
      connectionTimeout: 3000,
      requestTimeout: 10000,
      retry: { retries: 5, initialRetryTime: 200 },
      logLevel: logLevel.WARN,
      logCreator: () => ({ namespace, level, log: entry }) => {
        const { message, ...rest } = entry
        onLog?.(namespace, message, rest.error)
        if (!log) return
        // Retries are limited on purpose: a send that gives up is resent by the outbox relay with
        // the same event ids, which consumers deduplicate; the producer's warning says nothing new.
        if (message.startsWith('Limiting retries for the idempotent producer')) return
        // A crashed consumer is rebuilt by consume() below, which logs that itself.
        if (message.startsWith('Restarting the consumer')) return
        const fields = { namespace, broker: rest.broker, error: rest.error }
        log[kafkaLogLevel(level, message, rest.error)](fields, message)
      }
    })
  }

  topic (key: TopicKey): string {
    return this.settings.topicPrefix + TOPICS[key]
  }

  /** Polls the topics' metadata until every partition has a leader; false when `ms` passed first. */
  private async leadersKnown (admin: Admin, topics: string[], ms: number): Promise<boolean> {
    const deadline = Date.now() + ms
    while (Date.now() < deadline) {
      try {
        const { topics: found } = await admin.fetchTopicMetadata({ topics })
        if (found.length === topics.length && found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return true
      } catch {}
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
    return false
  }

  /** Creates the topics with explicit settings; existing topics are left as they are. */
  async ensureTopics (keys: TopicKey[] = ['audit', 'cases', 'checkpoints']): Promise<void> {
    const admin = this.kafka.admin()
    await admin.connect()
    try {
      const existing = new Set(await admin.listTopics())
      const missing = keys.filter((k) => !existing.has(this.topic(k)))
      if (missing.length === 0) return
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((k) => ({
            topic: this.topic(k),
            numPartitions: this.settings.partitions,
            replicationFactor: this.settings.replicationFactor,
            configEntries: Object.entries(topicConfig(k, this.settings.minInsyncReplicas ?? majorityOf(this.settings.replicationFactor))).map(([name, value]) => ({ name, value }))
          }))
        })
      } catch (err) {
        const types = kafkaErrorTypes(err)
        // Another client (a second instance healing the same loss) created it in between.
        if (types.has('TOPIC_ALREADY_EXISTS')) return
        // Created, but the leaders of its replicated partitions were not known within the
        // client's retries (a cluster electing them while busy): wait for them a while longer.
        if (!types.has('UNKNOWN_TOPIC_OR_PARTITION') && !types.has('LEADER_NOT_AVAILABLE')) throw err
        if (!await this.leadersKnown(admin, missing.map((k) => this.topic(k)), TOPIC_LEADERS_WAIT_MS)) throw err
      }
    } finally {
      await admin.disconnect()
    }
  }

  async connectProducer (): Promise<void> {
    await this.connectedProducer()
  }

  private async connectedProducer (): Promise<Producer> {
    if (this.producer) return this.producer
    this.connecting ??= (async () => {
      const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false })
      try {
        await producer.connect()
      } catch (err) {
        await producer.disconnect().catch(() => {})
        throw err
      }
      this.producer = producer
      return producer
    })().finally(() => { this.connecting = null })
    return this.connecting
  }

  /** Drops `producer` (if it is still the current one); the next send connects a new one. */
  private async dropProducer (producer: Producer): Promise<void> {
    if (this.producer !== producer) return
    this.producer = null
    await producer.disconnect().catch(() => {})
  }

  /**
   * Runs one send. A send to a topic that no longer exists creates the topic again and sends once
   * more, on a new producer: the new topic's partitions know nothing of the old producer's
   * sequence numbers. Any other error goes to the caller, who retries (the outbox relay does);
   * the producer reconnects to a broker that was away by itself.
   */
  private async produce (keys: TopicKey[], action: (producer: Producer) => Promise<unknown>): Promise<void> {
    const producer = await this.connectedProducer()
    try {
      await action(producer)
      return
    } catch (err) {
      const types = kafkaErrorTypes(err)
      const topicGone = types.has('UNKNOWN_TOPIC_OR_PARTITION')
      if (!topicGone && !PRODUCER_STATE_ERRORS.some((t) => types.has(t))) throw err
      if (topicGone) {
        this.settings.logger?.warn({ topics: keys.map((k) => this.topic(k)) }, 'kafka: topic missing on send; creating it again')
        await this.ensureTopics([...new Set(keys)])
      }
      await this.dropProducer(producer)
    }
    await action(await this.connectedProducer())
  }

  /** Sends messages to one topic and resolves once the broker acknowledged all (acks=all). */
  async send (key: TopicKey, messages: OutgoingMessage[]): Promise<void> {
    await this.produce([key], (producer) => producer.send({ topic: this.topic(key), acks: -1, messages }))
  }

  /** Sends to several topics in one batch request. */
  async sendBatch (batches: Array<{ topic: TopicKey, messages: OutgoingMessage[] }>): Promise<void> {
    await this.produce(batches.map((b) => b.topic), (producer) => producer.sendBatch({
      acks: -1,
      topicMessages: batches.map((b) => ({ topic: this.topic(b.topic), messages: b.messages }))
    }))
  }

  /**
   * Consumes `topics` in group `groupId`. The handler gets the messages of one partition batch;
   * the batch's offsets are committed only after the handler resolved, so a crash redelivers.
   *
   * The consumer is rebuilt (a new kafkajs consumer, its topics created again if they are
   * missing, its positions read from the committed offsets) when kafkajs gives up on it (CRASH:
   * the broker was away longer than its retries, the handler kept failing) and at once when a
   * fetch finds its topic gone, before a re-created topic could be read from the old position.
   * Rebuilds wait 1 s, 2 s, 4 s … (at most 15 s; reset once it joined its group again). The
   * returned subscription stays the same throughout.
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
    const log = this.settings.logger
    const inFlight = new Set<Promise<void>>()
    let consumer: Consumer | null = null
    let stopped = false
    let healthy = true
    let restarts = 0
    let restartTimer: NodeJS.Timeout | null = null
    let restarting: Promise<void> = Promise.resolve()
    let leaving: Promise<void> = Promise.resolve()

    const start = async (): Promise<void> => {
      let current: Consumer | null = null
      const kafka = this.client((namespace, message, error) => {
        // The broker answers a fetch for a deleted topic with UNKNOWN_TOPIC_OR_PARTITION; kafkajs
        // would only refresh its metadata and go on at its cached position.
        if (current && namespace === 'Connection' && message.startsWith('Response Fetch') && error === UNKNOWN_TOPIC_MESSAGE) {
          rebuild(current, 'a topic is gone')
        }
      })
      current = kafka.consumer({
        groupId: options.groupId,
        sessionTimeout: 10000,
        heartbeatInterval: 1000,
        // A deleted topic is created again by ensureTopics, with its settings, never by a metadata request.
        allowAutoTopicCreation: false,
        // kafkajs would restart on its own every few hundred ms; rebuild() backs off instead.
        retry: { retries: 10, restartOnFailure: async () => false },
        maxWaitTimeInMs: options.maxWaitMs ?? 500
      })
      const self = current
      consumer = self
      self.on(self.events.GROUP_JOIN, () => { if (consumer === self) { healthy = true; restarts = 0 } })
      self.on(self.events.CRASH, ({ payload }) => { rebuild(self, `crashed: ${payload.error.message}`) })
      await self.connect()
      await self.subscribe({ topics: options.topics.map((k) => this.topic(k)), fromBeginning: options.fromBeginning ?? true })
      await self.run({
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
          await self.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(batch.lastOffset()) + 1n).toString() }])
          await heartbeat()
        })())
      })
    }

    /** Leaves `failed` at once (if it is still the current consumer) and starts a new one after the backoff. */
    const rebuild = (failed: Consumer | null, reason: string): void => {
      if (stopped || consumer !== failed || restartTimer) return
      consumer = null
      healthy = false
      if (failed) leaving = Promise.all([leaving, failed.disconnect().catch(() => {})]).then(() => {})
      const delay = Math.min(1000 * 2 ** restarts, CONSUMER_RESTART_MAX_MS)
      restarts++
      log?.warn({ groupId: options.groupId, reason, restartInMs: delay, restart: restarts }, 'kafka: consumer stopped; rebuilding it')
      restartTimer = setTimeout(() => {
        restartTimer = null
        restarting = restarting.then(async () => {
          await leaving
          if (stopped) return
          try {
            await this.ensureTopics(options.topics)
            await start()
          } catch (err) {
            rebuild(consumer, `could not start: ${(err as Error).message}`)
          }
        })
      }, delay)
    }

    const subscription: Subscription = {
      get healthy () { return healthy },
      // Let the batch in hand finish and commit before leaving the group, so a clean stop redelivers nothing.
      stop: async () => {
        stopped = true
        this.subscriptions.delete(subscription)
        if (restartTimer) clearTimeout(restartTimer)
        restartTimer = null
        await restarting
        await Promise.allSettled([...inFlight])
        await leaving
        await consumer?.disconnect()
      }
    }
    this.subscriptions.add(subscription)
    try {
      await start()
    } catch (err) {
      // Not even connected (the broker is away): the first start fails as before, nothing keeps running.
      stopped = true
      this.subscriptions.delete(subscription)
      await (consumer as Consumer | null)?.disconnect().catch(() => {})
      throw err
    }
    return subscription
  }

  /** Kafka answers within `timeoutMs`, and no consumer of this broker is waiting to be rebuilt. */
  async ready (timeoutMs = 3000): Promise<boolean> {
    if ([...this.subscriptions].some((s) => s.healthy === false)) return false
    const admin = this.kafka.admin({ retry: { retries: 0 } })
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs) })
    try {
      return await Promise.race([timeout, (async () => {
        await admin.connect()
        await admin.describeCluster()
        return true
      })().catch(() => false)])
    } finally {
      clearTimeout(timer)
      await admin.disconnect().catch(() => {})
    }
  }

  admin (): Admin {
    return this.kafka.admin()
  }

  /** Flushes and disconnects the producer and stops every consumer. */
  async close (): Promise<void> {
    await Promise.allSettled([...this.subscriptions].map((s) => s.stop()))
    await this.connecting?.catch(() => {})
    if (this.producer) await this.producer.disconnect().catch(() => {})
    this.producer = null
  }
}
