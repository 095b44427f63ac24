FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY scripts ./scripts
COPY ui ./ui
COPY bench/scenarios ./bench/scenarios
COPY config ./config
RUN npm ci --no-audit --no-fund && npm prune --omit=dev
ENV NODE_ENV=production
EXPOSE 8080 8081 9191
ENTRYPOINT ["/app/bin/ramp.js"]
CMD ["demo"]
