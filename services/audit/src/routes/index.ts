// The audit service's routes, one folder per resource, in two groups. Public, like a transparency
// log's: the latest checkpoint, its keys and the producers' inclusion receipts. Everything else is
// for authenticated callers: their group runs `app.authenticate` on every request, declared once
// here, so a route added to it cannot forget it (test/audit/route-groups.test.ts checks that every
// route outside the public list answers 401 without a token).
import type { FastifyInstance } from 'fastify'
import eventRoutes from './events/index.ts'
import logRoutes, { publicLogRoutes } from './log/index.ts'
import streamRoutes from './stream/index.ts'
import subjectReportRoutes from './subject-report/index.ts'
import exportRoutes from './export/index.ts'
import consoleRoutes from './console/index.ts'
import cosignatureRoutes from './cosignatures/index.ts'
import statisticsRoutes from './statistics/index.ts'

async function publicRoutes (app: FastifyInstance): Promise<void> {
  await app.register(publicLogRoutes)
  await app.register(consoleRoutes)
}

async function authenticatedRoutes (app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', app.authenticate)
  await app.register(eventRoutes)
  await app.register(logRoutes)
  await app.register(streamRoutes)
  await app.register(subjectReportRoutes)
  await app.register(exportRoutes)
  await app.register(cosignatureRoutes)
  await app.register(statisticsRoutes)
}

export default async function routes (app: FastifyInstance): Promise<void> {
  await app.register(publicRoutes)
  await app.register(authenticatedRoutes)
}
