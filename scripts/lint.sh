#!/usr/bin/env bash
# npm run lint: first the code, with ESLint and neostandard (eslint.config.js; any error or warning
# fails), the Kubernetes manifests under deploy/kubernetes (scripts/check-manifests.ts: the
# Kubernetes schemas of kubernetes-models and the project's rules, offline), then the OpenAPI
# documents of the gateway, the consent ledger and the audit service (built offline by
# scripts/openapi-docs.ts: nothing connects) against
#  - lint/nlgov-adr.spectral.yaml: the NLGov REST API Design Rules plus Spectral's recommended
#    OpenAPI rules; any error or warning fails;
#  - Redocly's recommended rules: any error fails (its warnings are shown).
# The documents are left in build/openapi (OPENAPI_OUT overrides) for a look or another linter.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# No telemetry, no update checks: a lint run talks to nobody.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true SCARF_ANALYTICS=false DO_NOT_TRACK=1
status=0
echo "== ESLint: neostandard with TypeScript (fails on errors and warnings)"
npx --no-install eslint --max-warnings 0 . && echo "no findings" || status=1
echo "== Kubernetes manifests: Kubernetes schemas and the project's rules (offline)"
node --import tsx scripts/check-manifests.ts || status=1
OUT="${OPENAPI_OUT:-build/openapi}"
rm -rf "$OUT"
node --import tsx scripts/openapi-docs.ts "$OUT" >/dev/null || { echo "lint: the OpenAPI documents could not be built" >&2; exit 1; }
docs=("$OUT"/gateway.json "$OUT"/consent-ledger.json "$OUT"/audit.json)
echo "== Spectral: NLGov API Design Rules + spectral:oas (fails on warnings)"
npx --no-install spectral lint --ruleset lint/nlgov-adr.spectral.yaml --fail-severity warn "${docs[@]}" || status=1
echo "== Redocly: recommended rules (fails on errors)"
# (Its Node 20 end-of-support banner is left out; the findings are not.)
npx --no-install redocly lint --extends recommended --format stylish "${docs[@]}" 2>&1 | grep -v -E '^\s*(╔|╚|║)'
[ "${PIPESTATUS[0]}" = 0 ] || status=1
if [ "$status" = 0 ]; then echo "lint: no findings that fail"; else echo "lint: FAILED" >&2; fi
exit "$status"
