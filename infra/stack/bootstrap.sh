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
# Browser tests drive Debian's Chromium (never a downloaded browser).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "[bootstrap] installing Debian's chromium for the browser tests…"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "[bootstrap] warning: /usr/bin/chromium is missing; install Debian's chromium package for the browser tests" >&2
  fi
fi
