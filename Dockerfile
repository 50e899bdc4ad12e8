# syntax=docker/dockerfile:1
# One image for every Accanto app; the command names the app:
#   docker run accanto dist/apps/people/src/main.js
# OpenTelemetry is loaded before the app (--import), as ESM auto-instrumentation needs.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
# tini as PID 1: it forwards SIGTERM to node and reaps children. Node as PID 1 would ignore a
# re-raised SIGTERM (the kernel drops default actions for PID 1), and shutdown would hang.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
# package.json carries the `#lib` import map, which points into dist/.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3001
# Heap bounds and one V8 worker thread as in libs/testing/src/app-process.ts (appNodeFlags), which says why.
ENTRYPOINT ["/usr/bin/tini", "--", "node", "--max-semi-space-size=8", "--max-old-space-size=128", "--v8-pool-size=1", "--import", "./dist/libs/observability/src/register.js"]
CMD ["dist/apps/people/src/main.js"]
