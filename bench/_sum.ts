import { printProfileSummary } from './report.ts'
for (const f of process.argv.slice(2)) printProfileSummary(f, 60, 60, 'profile')
