# The app itself. Build: docker build -t automations .
# Run, with the host's Docker engine executing the actions:
#   sudo install -d -o 1000 -g 1000 /srv/automations
#   docker run -p 3000:3000 \
#     -v /srv/automations:/srv/automations -e DATA_DIR=/srv/automations \
#     -v /var/run/docker.sock:/var/run/docker.sock --group-add "$(stat -c %g /var/run/docker.sock)" \
#     automations
# The data directory sits at the same path inside as on the host: the engine mounts each action's
# workspace by its path on the host. The socket's group lets the app (user node, uid 1000) use it.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
# git clones the targets on the host side of the container boundary.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production DATA_DIR=/data HOST=0.0.0.0 PORT=3000
COPY --from=deps /app/node_modules ./node_modules
COPY package.json app.yml ./
COPY drizzle ./drizzle
COPY src ./src
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
CMD ["node_modules/.bin/tsx", "src/main.ts"]
