#!/usr/bin/env bash
# Runs the modelaudit CLI from this checkout, with the arguments given, as `deno task modelaudit` runs it
# (the same `deno run` flags, read from deno.json, so the two cannot drift), but from the caller's
# directory, so that paths and report locations stay the caller's. Uses `deno` when it is on PATH, and
# otherwise the pinned Deno from npm (`npx -y deno@VERSION`): a machine with only node/npm is enough.
#
#   integrations/modelaudit.sh scan ./models
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The pinned Deno version is .ci/run's; the flags are deno.json's `modelaudit` task's.
deno_version="$(sed -n 's/^DENO_VERSION=\([0-9.]*\)$/\1/p' "${root}/.ci/run")"
flags="$(sed -n 's/^ *"modelaudit": "deno run \(.*\) main\.ts",\{0,1\}$/\1/p' "${root}/deno.json")"
if [ -z "${flags}" ] || [ -z "${deno_version}" ]; then
  echo "modelaudit: cannot read the run flags from ${root}/deno.json or the Deno version from .ci/run" >&2
  exit 2
fi
read -r -a flag_words <<<"${flags}"

if command -v deno >/dev/null 2>&1; then
  deno=(deno)
else
  deno=(npx -y "deno@${deno_version}")
fi
exec "${deno[@]}" run --quiet --config "${root}/deno.json" "${flag_words[@]}" "${root}/main.ts" "$@"
