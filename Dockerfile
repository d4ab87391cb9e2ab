# syntax=docker/dockerfile:1
# The Creator Files API: `docker build -t creator-files .` (see README, "Deploying").
# bcrypt ships prebuilt binaries for glibc (Debian bookworm): build and runtime images must match.
ARG NODE_IMAGE=node:22-bookworm-slim

# Production dependencies only, installed once and cached while package*.json do not change.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV SCARF_ANALYTICS=false
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# Everything needed to compile TypeScript to dist/.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV SCARF_ANALYTICS=false
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ormconfig.ts ./
COPY src ./src
COPY migrations ./migrations
COPY scripts ./scripts
RUN npx nest build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
# The app's files stay owned by root (read-only to the app); only DATA_DIR is writable.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Pending migrations run at start (DB_MIGRATIONS_RUN=true). Node is PID 1 and the app handles
# SIGTERM itself: it stops accepting, finishes requests in flight and closes the database.
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main.js"]
