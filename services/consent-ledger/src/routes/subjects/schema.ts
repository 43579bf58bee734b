// POST /v1/subjects/cases: in which cases a person is a subject, with the BSN in the body.
import { problems, security, uuid } from '../cases/schema.ts'

export interface SubjectCasesBody { bsn: string }

export const subjectCasesSchema = {
  tags: ['cases'],
  operationId: 'listCasesOfSubject',
  summary: 'The cases in which a person is a subject (client or household member)',
  description: 'A read that uses POST, a documented deviation: the BSN goes in the body, never in a URL, and is turned into its pseudonym at once. For the college or a coordinator of a gemeente: the cases its municipality owns, closed ones included; for the supervisor: every case. Anyone else: 403. An empty list when there are none. The audit service asks it, with the caller\'s own token, before it gives a municipality a person\'s inzage report.',
  security,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['bsn'],
    properties: { bsn: { type: 'string', format: 'bsn', description: 'BSN of the person (eleven-test)' } }
  },
  response: {
    200: {
      type: 'object',
      additionalProperties: false,
      required: ['cases'],
      properties: {
        cases: {
          type: 'array',
          description: 'Oldest first',
          items: { type: 'object', additionalProperties: false, required: ['caseId'], properties: { caseId: uuid } }
        }
      }
    },
    ...problems(400, 401, 403, 415)
  }
} as const
