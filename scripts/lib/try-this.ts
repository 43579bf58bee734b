// What `npm start` prints once everything is ready: where the services are, the OpenAPI docs, the
// supervisor's console, and the start of the README's first exchange (a token, a case, a first
// data request) as commands to paste, with the ports of this run. test/start-logs.test.ts holds the requests to the README's.

export interface TryThisPorts { gateway: number, 'consent-ledger': number, audit: number, 'demo-partners': number }

/** The municipality's token in the README's first exchange. */
export const COLLEGE_TOKEN_COMMAND = 'npx wams token --org 00000099000000000101 --roles college --sub wethouder-1'

/** The case the municipality opens (README: POST /v1/cases at the consent ledger). */
export const FIRST_CASE = {
  route: 'ernstig',
  seriousGrounds: ['overlast'],
  clientInformed: true,
  subjects: [{ bsn: '999990019', role: 'client' }, { bsn: '999990020', role: 'household-member' }],
  problems: [
    { domain: 'schulden', description: 'Huurachterstand van vier maanden' },
    { domain: 'oov', description: 'Herhaalde meldingen van overlast' }
  ],
  relatedness: 'De schulden en de spanningen thuis versterken elkaar.',
  coordinator: { org: '00000099000000000101', sub: 'coordinator-anna' }
}

/** The first data request, to the GGD (README: POST /v1/cases/$CASE/data-requests at the gateway). */
export const FIRST_DATA_REQUEST = {
  provider: '00000099000000000401',
  subject: '999990019',
  category: 'health',
  purpose: 'onderzoek',
  fields: ['careInvolved', 'riskIndication'],
  necessity: 'Nagaan of er al zorg betrokken is bij het gezin.'
}

/** A JSON body as one shell word in single quotes. */
function quoted (body: unknown): string {
  const json = JSON.stringify(body)
  if (json.includes("'")) throw new Error('a body for the try-this block holds a single quote')
  return `'${json}'`
}

/** The lines to print (at most 15), `[wams]` in front of the ones that are not commands. */
export function tryThis (ports: TryThisPorts, brpUrl: string, seconds: string): string[] {
  const url = (port: number) => `http://127.0.0.1:${port}`
  const json = "-H 'content-type: application/json'"
  return [
    `[wams] all ready in ${seconds} s; Ctrl-C stops everything.`,
    `[wams] gateway ${url(ports.gateway)} · consent ledger ${url(ports['consent-ledger'])} · audit ${url(ports.audit)} · demo partners ${url(ports['demo-partners'])}/partners/<OIN>`,
    `[wams] API docs (OpenAPI): ${url(ports.gateway)}/v1/docs  ${url(ports['consent-ledger'])}/v1/docs  ${url(ports.audit)}/v1/docs`,
    `[wams] demo BRP: ${brpUrl}/personen`,
    `[wams] supervisor's console: ${url(ports.audit)}/console/ (paste a token of: npx wams token --org 00000099000000001501 --roles supervisor)`,
    '[wams] try this, the first exchange of the README: a token, a case, a data request to the GGD',
    '',
    `COLLEGE=$(${COLLEGE_TOKEN_COMMAND})`,
    `CASE=$(curl -s -X POST ${url(ports['consent-ledger'])}/v1/cases -H "authorization: Bearer $COLLEGE" ${json} -d ${quoted(FIRST_CASE)} | node -pe 'JSON.parse(require("fs").readFileSync(0)).caseId')`,
    `curl -s -X POST ${url(ports.gateway)}/v1/cases/$CASE/data-requests -H "authorization: Bearer $COLLEGE" ${json} -d ${quoted(FIRST_DATA_REQUEST)}`,
    '# → {"outcome":"permit","data":{"careInvolved":true,"riskIndication":"low"},…}; the README goes on to the audit log',
    ''
  ]
}
