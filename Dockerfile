# The Creator Files API: `docker build -t creator-files .` (see README, "Deploying").
# bcrypt ships prebuilt binaries for glibc (Debian bookworm): build and runtime images must match.
# No `# syntax=` line: it makes BuildKit pull a frontend image first, which fails offline and
# behind registry mirrors; the built-in frontend does everything this file needs.
ARG NODE_IMAGE=node:24-bookworm-slim

# Production dependencies only, installed once and cached while package*.json do not change.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV SCARF_ANALYTICS=false
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# Everything needed to compile TypeScript to dist/ and the storefront to web/dist.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV SCARF_ANALYTICS=false
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ormconfig.ts ./
COPY src ./src
COPY migrations ./migrations
COPY scripts ./scripts
COPY client/src ./client/src
COPY web ./web
RUN npx nest build && npx vite build web

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --from=build --chown=root:root /app/web/dist ./web/dist
COPY --chown=root:root package.json ./
# The app's files stay owned by root (read-only to the app); only DATA_DIR is writable, by the
# node user (uid 1000): a directory bind-mounted at /data must be too, or the app refuses to start.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# Liveness only (GET /health); the app's own address unless it listens on every interface.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "const h=process.env.HOST;fetch('http://'+(!h||h==='0.0.0.0'||h==='::'?'127.0.0.1':h.includes(':')?'['+h+']':h)+':'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Pending migrations run at start (DB_MIGRATIONS_RUN=true). Node is PID 1 and the app handles
# SIGTERM itself: it stops accepting, finishes requests in flight and closes the database.
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main.js"]
