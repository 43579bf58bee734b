// POST /v1/cases/{caseId}/phase: the next phase (closing has its own route, close/).
import { PHASES, type Phase } from '../../../case-state.ts'
import { caseParams, ifMatch, problems, security, words, writeResult } from '../schema.ts'

export interface PhaseBody { phase: Phase, reason?: string }

export const phaseSchema = {
  tags: ['cases'],
  operationId: 'changePhase',
  summary: 'Move the case to the next phase',
  security,
  responseHeaders: { 200: ['ETag'] },
  description: 'Only forward: onderzoek → aanpak. Closing is POST /close with a reason.',
  params: caseParams,
  headers: ifMatch,
  body: { type: 'object', additionalProperties: false, required: ['phase'], properties: { phase: { enum: PHASES }, reason: words() } },
  response: { 200: writeResult(), ...problems(400, 401, 403, 404, 409) }
} as const
