# syntax=docker/dockerfile:1
# One image for every app; APP picks which one runs (producer, worker or sandbox).
# The apps are compiled to JavaScript (`pnpm build`, tsup) and run with plain node. See docs/deploy.md.
#
#   docker build --build-arg APP=worker -t sobot-worker .

FROM node:20-bookworm-slim AS base
WORKDIR /app

# ---- deps: workspace dependencies from the lockfile -------------------------------------------
FROM base AS deps
# Manifests only, so this layer is rebuilt when dependencies change, not when source does.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY apps/cli/package.json apps/cli/
COPY apps/producer/package.json apps/producer/
COPY apps/worker/package.json apps/worker/
COPY apps/sandbox/package.json apps/sandbox/
COPY packages/campaigns/package.json packages/campaigns/
COPY packages/client/package.json packages/client/
COPY packages/config/package.json packages/config/
COPY packages/devkit/package.json packages/devkit/
COPY packages/ingest/package.json packages/ingest/
COPY packages/metrics/package.json packages/metrics/
COPY packages/schema/package.json packages/schema/
COPY packages/sending/package.json packages/sending/
COPY packages/sobot-client/package.json packages/sobot-client/
COPY packages/store/package.json packages/store/
COPY packages/tsconfig/package.json packages/tsconfig/
# The pnpm that package.json pins (packageManager), without corepack.
RUN npm i -g "$(node -p "require('./package.json').packageManager.split('+')[0]")"
# Dev dependencies too: the build needs tsup and turbo.
# --pm-on-fail=ignore: pnpm-lock.yaml has no packageManagerDependencies block, and pnpm 12 refuses a
# frozen install that would have to record it (pnpm/pnpm#14124); the pinned pnpm is installed above.
RUN --mount=type=cache,id=pnpm-store,target=/pnpm-store \
    pnpm install --frozen-lockfile --pm-on-fail=ignore --store-dir=/pnpm-store

# ---- build: apps/<app>/dist/main.js, then production dependencies only ---------------------------
FROM deps AS build
COPY . .
RUN pnpm exec turbo run build --filter=./apps/* && rm -rf .turbo
# The bundles carry our workspace packages; what they require from npm is in each app's dependencies.
RUN --mount=type=cache,id=pnpm-store,target=/pnpm-store \
    CI=true pnpm install --frozen-lockfile --prod --pm-on-fail=ignore --store-dir=/pnpm-store

# ---- runtime ------------------------------------------------------------------------------------
FROM base AS runtime
ARG APP=producer
ENV NODE_ENV=production \
    APP=${APP}
# Dependencies and bundles stay root-owned (read-only to the app); uploads spool to /tmp.
COPY --from=build /app ./
USER node
STOPSIGNAL SIGTERM
# exec: node replaces the shell, so SIGTERM reaches it (the worker finishes in-flight sends).
CMD ["sh", "-c", "exec node apps/${APP}/dist/main.js"]
