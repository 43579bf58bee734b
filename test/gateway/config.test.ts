// The gateway's configuration: combinations a schema cannot express are refused at start.
import t from 'tap'
import { readConfig } from '../../services/gateway/src/config.ts'

t.test('defaults: the gateway\'s own OIN, no TLS', async (t) => {
  const config = readConfig({})
  t.equal(config.GATEWAY_OIN, '00000099000000009000')
  t.equal(config.MTLS_REQUIRED, false)
  t.equal(config.CONSENT_LEDGER_URL, 'http://127.0.0.1:8081')
})

t.test('TLS and mTLS settings that do not fit together stop the start', async (t) => {
  t.throws(() => readConfig({ TLS_CERT_FILE: '/x/cert.pem' }), /TLS_CERT_FILE and TLS_KEY_FILE go together/)
  t.throws(() => readConfig({ MTLS_REQUIRED: 'true' }), /MTLS_REQUIRED needs TLS_CERT_FILE, TLS_KEY_FILE and TLS_CA_FILE/)
  t.throws(() => readConfig({ MTLS_REQUIRED: 'true', TLS_CERT_FILE: '/c', TLS_KEY_FILE: '/k' }), /TLS_CA_FILE/)
  t.throws(() => readConfig({ GATEWAY_OIN: '123' }), /GATEWAY_OIN/)
  t.throws(() => readConfig({ CONSENT_LEDGER_URL: 'ftp://ledger' }), /CONSENT_LEDGER_URL/)
  t.equal(readConfig({ MTLS_REQUIRED: 'true', TLS_CERT_FILE: '/c', TLS_KEY_FILE: '/k', TLS_CA_FILE: '/ca' }).MTLS_REQUIRED, true)
})
