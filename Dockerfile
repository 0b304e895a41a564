# The app itself. Build: docker build -t automations .
# Run: docker run -p 3000:3000 -v automations-data:/data -v /var/run/docker.sock:/var/run/docker.sock automations
# (the Docker engine's socket is what executes actions; DOCKER_HOST works as well).

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
