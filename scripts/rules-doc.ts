// Writes the generated tables of docs/rules.md from the policy data the services enforce: the
// gateway's policy document (the same one GET /v1/policy serves), the register, the capability
// table and the consent ledger's opening rules. Only the text between
// `<!-- BEGIN GENERATED: name -->` and `<!-- END GENERATED: name -->` is replaced; everything else
// is written by hand. Run: node --import tsx scripts/rules-doc.ts. test/gateway/rules-doc.test.ts fails when
// docs/rules.md does not match the policy data.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { partyRegister } from '@wams/schemas'
import { indexPartyRegister, PARTY_TYPES, type PartyRegisterIndex } from '@wams/platform'
import { createPolicy, policyDocument, type PolicyDocument } from '../services/gateway/src/decision/index.ts'
import { OPENING_RULES } from '../services/consent-ledger/src/case-rules.ts'

export const RULES_DOC = fileURLToPath(new URL('../docs/rules.md', import.meta.url))

const yes = (b: boolean) => (b ? 'yes' : '—')
const code = (s: string) => `\`${s}\``
const codes = (list: readonly string[]) => (list.length === 0 ? '—' : list.map(code).join(', '))
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ')

function table (head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n')
}

/** The register and the policy of the repository (schemas/), as every service loads them by default. */
export function shippedPolicy (): { register: PartyRegisterIndex, document: PolicyDocument } {
  const register = indexPartyRegister(partyRegister, 'schemas/party-register.json')
  return { register, document: policyDocument(createPolicy({ register })) }
}

/** Every generated section by name. */
export function generatedSections (register: PartyRegisterIndex, doc: PolicyDocument): Record<string, string> {
  const law = doc.lawVersion
  const sections: Record<string, string> = {
    version: [
      `- Law: **${law.name}**, ${law.reference}, with the ${law.amendments}. **${law.inForce ? 'In force' : 'A bill, not yet in force'}.**`,
      `- Policy version (every decision and audit record names it; \`GET /v1/policy\`): \`${doc.policyVersion}\``,
      `- Party register version ${code(doc.registerVersion)}, party-type capability table version ${code(doc.partyTypeCapabilities.version)}, ` +
        `involvement-check table version ${code(doc.domainPartyTypes.version)}.`
    ].join('\n'),

    'opening-rules': table(
      ['code', 'a case is opened only with'],
      OPENING_RULES.map((r) => [code(r.code), r.requires])
    ),

    parties: table(
      ['OIN', 'name', 'party type', 'gemeentecode', 'supplies', 'active'],
      register.parties.map((p) => [p.oin, p.name, p.partyType, p.gemeentecode ?? '—', codes(p.categories), yes(p.active)])
    ),

    capabilities: table(
      ['party type', 'may own cases', 'may take part', 'may receive special (art. 9)', 'may receive criminal (art. 10)', 'works in', 'supervises'],
      PARTY_TYPES.map((type) => {
        const c = doc.partyTypeCapabilities.partyTypes[type]
        return [type, yes(c.mayOwnCases), yes(c.mayParticipate), yes(c.mayReceiveSpecial), yes(c.mayReceiveCriminal), c.domains.length === 0 ? '—' : c.domains.join(', '), yes(c.supervises)]
      })
    ),

    categories: table(
      ['category', 'domain', 'sensitivity', 'signal fields', 'detail fields', 'detail fields to participants of (rule 10)'],
      doc.categories.map((c) => [
        code(c.name), c.domain, c.sensitivity, codes(c.signal), codes(c.detail),
        c.detail.length === 0 ? '—' : `${c.detailPartyTypes.join(', ') || 'nobody'} (${c.detailPartyTypesFrom === 'domain' ? 'party types that work in its domain' : 'party types that supply it'})`
      ])
    ),

    rules: table(
      ['#', 'rule', 'reason codes when it fails', 'recorded when an exception lets it pass'],
      doc.rules.map((r) => [String(r.number), r.rule, codes(r.reasonCodes), codes(r.recordedCodes ?? [])])
    ),

    phases: [
      table(['phase', 'purposes allowed (rule 4)'], Object.entries(doc.purposesPerPhase).map(([phase, purposes]) => [phase, codes(purposes)])),
      '',
      table(['purpose', 'who may act for it (rule 5)', 'legal basis'], Object.entries(doc.actorsPerPurpose).map(([purpose, actors]) => [
        code(purpose), actors.join(', '), doc.legalBasis.purposes[purpose] ?? '—'
      ])),
      '',
      `Criminal data (rule 9) only in route ${code(doc.criminalData.route)} with ground ${doc.criminalData.grounds.map(code).join(' or ')}. ` +
        `A necessity statement has at least ${doc.minNecessityLength} characters; ${doc.signalOnlyPurposes.map(code).join(', ')} asks signal fields only (rule 10).`
    ].join('\n'),

    'legal-basis': table(
      ['part of the legal basis', 'reference (placeholder until the law is final)'],
      [
        ...Object.entries(doc.legalBasis.purposes).map(([purpose, ref]) => [`purpose ${code(purpose)}`, ref]),
        ['every exchange (lawfulness)', doc.legalBasis.lawfulness],
        ['special-category data (health)', doc.legalBasis.special],
        ['criminal-law data (criminal, safety)', doc.legalBasis.criminal]
      ]
    ),

    'domain-party-types': table(
      ['problem domain', 'party types asked in the involvement check'],
      Object.entries(doc.domainPartyTypes.domains).map(([domain, types]) => [domain, types.length === 0 ? '—' : types.join(', ')])
    ),

    'objection-override': (() => {
      const o = doc.objectionOverride
      const who = [...(o.namedCoordinator ? ['the coordinator the case names'] : []), ...o.municipalityRoles.map((role) => `role ${code(role)} of the case's municipality`)]
      return table(['condition (all must hold)', 'value'], [
        ['route', code(o.route)],
        ['serious ground (one of)', o.grounds.map(code).join(', ')],
        ['asked by', who.join(' or ')],
        ['`protectsOthers.reason`', `at least ${o.minReasonLength} characters`],
        ['the objection', 'pending (an upheld objection always blocks)']
      ])
    })()
  }
  return sections
}

const MARKER = /<!-- BEGIN GENERATED: ([a-z-]+) -->\n[\s\S]*?<!-- END GENERATED: \1 -->/g

/** The document with every generated section rendered; throws on a section the data do not have, or one left out. */
export function renderRulesDoc (text: string, sections: Record<string, string>): string {
  const seen = new Set<string>()
  const out = text.replace(MARKER, (_whole, name: string) => {
    const body = sections[name]
    if (body === undefined) throw new Error(`docs/rules.md: no generated section named ${name}`)
    seen.add(name)
    return `<!-- BEGIN GENERATED: ${name} -->\n${body}\n<!-- END GENERATED: ${name} -->`
  })
  const missing = Object.keys(sections).filter((name) => !seen.has(name))
  if (missing.length > 0) throw new Error(`docs/rules.md has no place for the generated section(s) ${missing.join(', ')}`)
  return out
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { register, document } = shippedPolicy()
  writeFileSync(RULES_DOC, renderRulesDoc(readFileSync(RULES_DOC, 'utf8'), generatedSections(register, document)))
  console.log(`wrote ${RULES_DOC}`)
}
