# ramp's image: the npm package (package.json "files") and its production dependencies, run
# by tini as PID 1 under a non-root user. Ports, volume and health check: docs/deploy.md.

FROM node:20-bookworm-slim AS build
WORKDIR /src
# Scripts are skipped here: `prepare` would build before the sources are copied.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json README.md LICENSE ./
COPY scripts ./scripts
COPY ui ./ui
COPY bench/scenarios ./bench/scenarios
COPY src ./src
COPY bin ./bin
COPY config ./config
# `npm pack` builds (prepack, prepare) and packs what a registry install gets; /app is that
# tarball with its dependencies from the lockfile, as test/e2e/deploy/package.test.ts does it.
RUN npm pack --pack-destination /tmp \
 && mkdir /app && tar -xzf /tmp/ramp-*.tgz -C /app --strip-components=1 \
 && cp package-lock.json /app/ \
 && cd /app && npm ci --omit=dev --ignore-scripts --no-audit --no-fund && rm package-lock.json

FROM node:20-bookworm-slim
# tini forwards SIGTERM to ramp (which drains) and reaps orphans that land on PID 1, such as
# those of commands run with `docker exec` or `kubectl exec`; Node does neither as PID 1.
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
COPY --from=build /app /app
# `ramp` on the PATH, for `docker exec` and `kubectl exec ... -- ramp status`.
RUN mkdir -p /var/lib/ramp /etc/ramp && chown 1000:1000 /var/lib/ramp && ln -s /app/bin/ramp.js /usr/local/bin/ramp
# The node image's `node` user, by number so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
WORKDIR /app
ENV NODE_ENV=production
# main listener, preview listener, admin API (the configuration decides; these are the documented ones)
EXPOSE 8080 8081 9191
# state.store: file keeps the rollout here, so that a restarted container resumes it
VOLUME /var/lib/ramp
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.RAMP_HEALTHCHECK_URL ?? 'http://127.0.0.1:9191/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "/app/bin/ramp.js"]
CMD ["serve", "-c", "/etc/ramp/ramp.yaml"]
