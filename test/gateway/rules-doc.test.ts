// docs/rules.md states the rules in the product's own words; its tables are generated from the
// policy data the services enforce (scripts/rules-doc.ts). This fails when the document and the
// data differ: regenerate with `node --import tsx scripts/rules-doc.ts`.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { generatedSections, renderRulesDoc, RULES_DOC, shippedPolicy } from '../../scripts/rules-doc.ts'
import { createPolicy, policyDocument } from '../../services/gateway/src/decision/index.ts'

const text = readFileSync(RULES_DOC, 'utf8')
const { register, document } = shippedPolicy()

t.test('docs/rules.md matches the policy data', async (t) => {
  const sections = generatedSections(register, document)
  t.equal(renderRulesDoc(text, sections), text, 'every generated table is current (node --import tsx scripts/rules-doc.ts)')
  t.ok(text.includes(document.policyVersion), 'it names the policyVersion in force')
  for (const rule of document.rules) {
    t.ok(text.includes(`| ${rule.number} | ${rule.rule} |`), `rule ${rule.number} in its own words`)
    for (const code of rule.reasonCodes) t.ok(text.includes(`\`${code}\``), `reason code ${code}`)
  }
})

t.test('the document is generated from the policy the gateway uses', async (t) => {
  t.equal(document.policyVersion, createPolicy({ register }).version, 'the shipped register and tables, as every service loads them by default')
  t.same(policyDocument(createPolicy({ register })), document)
})

t.test('a drifted table is found', async (t) => {
  const drifted = text.replace('| school | — | yes | — | — | onderwijs | — |', '| school | — | yes | yes | — | onderwijs | — |')
  t.not(drifted, text, 'the capability row of the school is in the document')
  t.not(renderRulesDoc(drifted, generatedSections(register, document)), drifted, 'a hand edit inside a generated table does not survive')
  t.throws(() => renderRulesDoc(text.replace('<!-- BEGIN GENERATED: rules -->', '<!-- BEGIN GENERATED: rulez -->').replace('<!-- END GENERATED: rules -->', '<!-- END GENERATED: rulez -->'), generatedSections(register, document)), /rulez/)
})

t.test('no link leaves the repository', async (t) => {
  for (const file of ['docs/rules.md', 'README.md', 'services/gateway/README.md', 'services/consent-ledger/README.md', 'services/audit/README.md']) {
    const body = readFileSync(file, 'utf8')
    t.notOk(/\]\(\.\.\/\.\.\/\.\.\/|\]\((\.\.\/)+shared\/|\.\.\/shared\//.test(body), `${file}: no link to ../shared or above the repository`)
  }
  t.match(readFileSync('README.md', 'utf8'), /\]\(docs\/rules\.md\)/, 'the README links to docs/rules.md')
})
