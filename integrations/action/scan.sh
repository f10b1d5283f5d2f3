#!/usr/bin/env bash
# The GitHub Action's scan step: runs `modelaudit scan` on the given paths, writes the report file, prints
# the findings to the log and the job summary, and records the exit code as a step output instead of
# failing, so that the SARIF upload still runs; the action's last step fails the job with that code.
#
# Environment (set by action.yml):
#   INPUT_PATHS    files and directories, separated by spaces or newlines (not glob-expanded)
#   INPUT_FAIL_ON  critical, warning or info
#   INPUT_FORMAT   sarif, json or text: the report file's format
#   INPUT_OUTPUT   the report file's path
#   INPUT_CONFIG   a config file for --config (empty: ./modelaudit.toml when there is one)
#   INPUT_ARGS     more `modelaudit scan` options, separated by spaces (e.g. --max-file-size 0)
#   MODELAUDIT_BIN the command to run (default: modelaudit, as installed on PATH)
#   GITHUB_OUTPUT, GITHUB_STEP_SUMMARY: set by the runner
set -euo pipefail
set -f # paths and options are taken as written, never glob-expanded

read -r -d '' -a paths <<<"${INPUT_PATHS:-.}" || true
read -r -a extra <<<"${INPUT_ARGS:-}" || true
[ "${#paths[@]}" -gt 0 ] || paths=(.)
[ -z "${INPUT_CONFIG:-}" ] || extra+=(--config "${INPUT_CONFIG}")

status=0
"${MODELAUDIT_BIN:-modelaudit}" scan --format "${INPUT_FORMAT:-sarif}" --output "${INPUT_OUTPUT:?}" \
  --fail-on "${INPUT_FAIL_ON:-warning}" ${extra[@]+"${extra[@]}"} "${paths[@]}" || status=$?
{
  echo "exit-code=${status}"
  echo "report=${INPUT_OUTPUT}"
} >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"

summary="modelaudit: exit code ${status} (0 clean, 1 findings at or above ${INPUT_FAIL_ON:-warning}, 2 scan errors)"
echo "${summary}"
if [ "${INPUT_FORMAT:-sarif}" = "sarif" ] && [ -f "${INPUT_OUTPUT}" ] && command -v jq >/dev/null 2>&1; then
  findings="$(jq -r '.runs[].results[] | "\(.level)\t\(.ruleId)\t\(.locations[0].physicalLocation.artifactLocation.uri // "")\t\(.message.text)"' "${INPUT_OUTPUT}")"
  [ -z "${findings}" ] || printf '%s\n' "${findings}"
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    {
      echo "### ${summary}"
      if [ -n "${findings}" ]; then
        echo
        echo "| level | rule | file | message |"
        echo "| --- | --- | --- | --- |"
        printf '%s\n' "${findings}" | sed 's/|/\\|/g; s/\t/ | /g; s/^/| /; s/$/ |/'
      fi
    } >>"${GITHUB_STEP_SUMMARY}"
  fi
fi
