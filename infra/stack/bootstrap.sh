#!/bin/sh
# Installs what a fresh clone lacks before `npm start` / `npm test` run on the pinned Node.
# (The Kafka jars are fetched by infra/kafka/broker.ts, which also notices a changed pom.xml.)
set -e
cd "$(dirname "$0")/../.."
if [ ! -x node_modules/.bin/node ] || [ package.json -nt node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[bootstrap] installing npm dependencies (Node $(node --version) bootstraps the pinned Node 24)…"
  npm install --no-audit --no-fund
fi
if ! command -v java >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1; then
  echo "[bootstrap] Java 17 and Maven are needed to run the Kafka broker" >&2
  exit 1
fi
