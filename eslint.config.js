// ESLint (flat config) for `npm run lint`: neostandard, the maintained successor of `standard`, with
// its TypeScript rules. scripts/lint.sh runs it with --max-warnings 0, so any finding fails.
import neostandard from 'neostandard'

export default [
  ...neostandard({
    ts: true,
    noJsx: true,
    // Generated, vendored or local-only: the dependencies, the local Kafka and PostgreSQL data, build
    // and test output, and schemas/types.generated.ts (written by scripts/schema-types.ts).
    ignores: [
      '**/node_modules/**',
      '.kafka/**',
      '.data/**',
      '.tap/**',
      '**/dist/**',
      '**/build/**',
      '**/coverage/**',
      'tools/kafka/target/**',
      'schemas/types.generated.ts'
    ]
  }),
  {
    name: 'wams/exceptions',
    rules: {
      // `void promise;` marks a promise deliberately left unawaited (the TypeScript convention); other uses stay refused.
      'no-void': ['error', { allowAsStatement: true }]
    }
  }
]
