// kafkajs logs at ERROR also what it retries or rejoins on by itself (a cold start shows several);
// the platform logs those at info, a consumer crash for such a reason at warn, and keeps every
// other kafkajs error at error. The table's messages are kafkajs's own: an upgrade that changes
// one fails here, not silently in the logs.
import t from 'tap'
import { createRequire } from 'node:module'
import { logLevel } from 'kafkajs'
import { readFileSync } from 'node:fs'
import { KAFKA_EXPECTED_CONDITIONS, KAFKA_TOPIC_CREATION_ERRORS, kafkaLogLevel } from '@wams/platform'

const require = createRequire(import.meta.url)
const { errorCodes } = require('kafkajs/src/protocol/error.js') as { errorCodes: Array<{ type: string, message: string, retriable: boolean }> }

t.test('every expected condition is kafkajs\'s own type with its own message', async (t) => {
  for (const [type, message] of KAFKA_EXPECTED_CONDITIONS) {
    const known = errorCodes.find((e) => e.type === type)
    t.ok(known, `${type} is a kafkajs protocol error`)
    t.equal(known?.message, message, `${type}: the message kafkajs logs`)
  }
})

t.test('what a cold start shows is not error-level', async (t) => {
  // As kafkajs logs them: the failed response at ERROR, the error's message beside it.
  const seen: Array<[number, string, string | undefined]> = [
    [logLevel.ERROR, 'Response InitProducerId(key: 22, version: 1)', "The coordinator is loading and hence can't process requests for this group"],
    [logLevel.ERROR, 'Response FindCoordinator(key: 10, version: 2)', 'The group coordinator is not available'],
    [logLevel.ERROR, 'Response JoinGroup(key: 11, version: 5)', 'This is not the correct coordinator for this group'],
    [logLevel.ERROR, 'Response Metadata(key: 3, version: 6)', 'There is no leader for this topic-partition as we are in the middle of a leadership election'],
    [logLevel.ERROR, 'Response Produce(key: 0, version: 7)', 'This server is not the leader for that topic-partition'],
    [logLevel.ERROR, 'Response Fetch(key: 1, version: 11)', 'This server does not host this topic-partition'],
    [logLevel.ERROR, 'Failed to send messages: There is no leader for this topic-partition as we are in the middle of a leadership election', undefined],
    [logLevel.ERROR, 'Response SyncGroup(key: 14, version: 3)', 'The group is rebalancing, so a rejoin is needed'],
    [logLevel.WARN, 'The group is rebalancing, re-joining', 'The group is rebalancing, so a rejoin is needed'],
    [logLevel.ERROR, 'The coordinator is not aware of this member, re-joining the group', 'The coordinator is not aware of this member'],
    [logLevel.WARN, 'Could not create topics', 'This is not the correct controller for this cluster']
  ]
  for (const [level, message, error] of seen) t.equal(kafkaLogLevel(level, message, error), 'info', message)
})

t.test('a consumer crash for such a reason is a warning (consume() rebuilds it); any other crash an error', async (t) => {
  t.equal(kafkaLogLevel(logLevel.ERROR, 'Crash: KafkaJSNumberOfRetriesExceeded: The group coordinator is not available'), 'warn')
  t.equal(kafkaLogLevel(logLevel.ERROR, 'Crash: KafkaJSNonRetriableError: Topic authorization failed'), 'error')
})

t.test('a real error stays an error; kafkajs warnings stay warnings', async (t) => {
  t.equal(kafkaLogLevel(logLevel.ERROR, 'Connection error: connect ECONNREFUSED 127.0.0.1:9092'), 'error')
  t.equal(kafkaLogLevel(logLevel.ERROR, 'Response Produce(key: 0, version: 7)', 'The request included message batch larger than the configured segment size on the server'), 'error')
  t.equal(kafkaLogLevel(logLevel.ERROR, 'Response CreateTopics(key: 19, version: 3)', new Error('Topic authorization failed')), 'error')
  t.equal(kafkaLogLevel(logLevel.WARN, 'Consumer group received unsubscribed topics'), 'warn')
})

t.test('two instances creating the same topic: the connection\'s "Topic creation errors" is a warning, and it is kafkajs\'s own message', async (t) => {
  // Which topic error it was, the connection does not log: TOPIC_ALREADY_EXISTS is ignored by the
  // admin client, anything else is thrown to ensureTopics, which reports it at error itself.
  t.equal(kafkaLogLevel(logLevel.ERROR, 'Response CreateTopics(key: 19, version: 3)', KAFKA_TOPIC_CREATION_ERRORS), 'warn')
  const source = readFileSync(require.resolve('kafkajs/src/protocol/requests/createTopics/v0/response.js'), 'utf8')
  t.ok(source.includes(`'${KAFKA_TOPIC_CREATION_ERRORS}'`), 'kafkajs throws its aggregate error with this message')
})
