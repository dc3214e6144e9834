# The container route (docker compose up -d). The image holds only the bundle
# and Node: no node_modules, no sources, no .env (compose passes it at run time).
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node bin/wxmp.js deploy build --out /release

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8000 WXMP_LOG_DIR=/app/logs
WORKDIR /app
COPY --from=build /release/ ./
RUN mkdir -p /app/logs /app/data && chown node:node /app/logs /app/data
USER node
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s CMD ["node", "-e", "fetch('http://127.0.0.1:8000/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "server.mjs"]
