#!/usr/bin/env bash
# modelaudit as a commit gate. Two ways to run it:
#
# - from the pre-commit framework (.pre-commit-hooks.yaml): the files to scan are the arguments, and
#   options come first (`args: [--fail-on, critical]`); pre-commit has already stashed what is not staged;
# - as a plain git hook (`.git/hooks/pre-commit` running `integrations/pre-commit.sh --staged [options]`):
#   the staged content of every added, copied, modified or renamed file is scanned, as the commit will hold
#   it, not as the working tree holds it.
#
# Every file is passed, whatever its name: modelaudit decides formats by content, so a pickle named
# notes.txt is caught, and ordinary source files are passed over in milliseconds. Exit codes are
# modelaudit's: 0 clean, 1 findings at or above --fail-on (default: warning), 2 a file could not be scanned.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ "${1:-}" != "--staged" ]; then
  exec "${here}/modelaudit.sh" scan "$@"
fi
shift

# The index's content, written out under a temporary directory with the repository's relative paths,
# so that findings name the files as the repository does.
staged="$(mktemp -d)"
trap 'rm -rf "${staged}"' EXIT
git diff --cached --name-only --diff-filter=ACMR -z >"${staged}/.list"
if [ ! -s "${staged}/.list" ]; then
  exit 0
fi
git checkout-index --prefix="${staged}/tree/" -z --stdin <"${staged}/.list"
files=()
while IFS= read -r -d '' file; do
  files+=("${file}")
done <"${staged}/.list"
cd "${staged}/tree"
status=0
"${here}/modelaudit.sh" scan "$@" "${files[@]}" || status=$?
exit "${status}"
