#!/usr/bin/env bash
# The GitHub Action's install step: downloads the released modelaudit binary for the runner's OS and
# architecture, checks it against the release's SHA256SUMS (a mismatch or a missing entry stops here,
# nothing is installed), and puts it on the job's PATH.
#
# Environment (set by action.yml):
#   MODELAUDIT_VERSION     a release tag (v1.2.3), or "latest"; empty: the action's own ref when it is a tag
#   MODELAUDIT_REPOSITORY  owner/name the releases belong to (the action's repository)
#   MODELAUDIT_ACTION_REF  the ref the action was used at (github.action_ref)
#   MODELAUDIT_RELEASE_URL a base URL holding the release assets, instead of GitHub's (a mirror; file:// works)
#   RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_PATH: set by the runner
set -euo pipefail

fail() {
  echo "::error title=modelaudit install::$1" >&2
  exit 1
}

case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
  Linux/X64) target="x86_64-unknown-linux-gnu" ;;
  Linux/ARM64) target="aarch64-unknown-linux-gnu" ;;
  macOS/X64) target="x86_64-apple-darwin" ;;
  macOS/ARM64) target="aarch64-apple-darwin" ;;
  Windows/X64) target="x86_64-pc-windows-msvc" ;;
  *) fail "no modelaudit release for ${RUNNER_OS:-an unknown OS} on ${RUNNER_ARCH:-an unknown architecture}" ;;
esac
asset="modelaudit-${target}"
binary="modelaudit"
if [ "${RUNNER_OS}" = "Windows" ]; then
  asset="${asset}.exe"
  binary="modelaudit.exe"
fi

version="${MODELAUDIT_VERSION:-}"
if [ -z "${version}" ]; then
  case "${MODELAUDIT_ACTION_REF:-}" in
    v[0-9]*) version="${MODELAUDIT_ACTION_REF}" ;;
    *) version="latest" ;;
  esac
fi
if [ -n "${MODELAUDIT_RELEASE_URL:-}" ]; then
  base="${MODELAUDIT_RELEASE_URL%/}"
elif [ "${version}" = "latest" ]; then
  base="https://github.com/${MODELAUDIT_REPOSITORY:?MODELAUDIT_REPOSITORY is not set}/releases/latest/download"
else
  base="https://github.com/${MODELAUDIT_REPOSITORY:?MODELAUDIT_REPOSITORY is not set}/releases/download/${version}"
fi

download="$(mktemp -d "${RUNNER_TEMP:-/tmp}/modelaudit-download.XXXXXX")"
trap 'rm -rf "${download}"' EXIT
echo "modelaudit ${version}: ${base}/${asset}"
curl -fsSL --retry 3 -o "${download}/${asset}" "${base}/${asset}" || fail "cannot download ${base}/${asset}"
curl -fsSL --retry 3 -o "${download}/SHA256SUMS" "${base}/SHA256SUMS" || fail "cannot download ${base}/SHA256SUMS"

expected="$(awk -v name="${asset}" '$2 == name || $2 == "*" name { print $1 }' "${download}/SHA256SUMS")"
[ -n "${expected}" ] || fail "SHA256SUMS lists no ${asset}"
if command -v sha256sum >/dev/null 2>&1; then
  actual="$(sha256sum "${download}/${asset}" | awk '{ print $1 }')"
else
  actual="$(shasum -a 256 "${download}/${asset}" | awk '{ print $1 }')"
fi
[ "${actual}" = "${expected}" ] || fail "${asset} has SHA-256 ${actual}, but SHA256SUMS says ${expected}"

bin="${RUNNER_TEMP:-/tmp}/modelaudit/bin"
mkdir -p "${bin}"
mv "${download}/${asset}" "${bin}/${binary}"
chmod +x "${bin}/${binary}"
echo "${bin}" >>"${GITHUB_PATH:?GITHUB_PATH is not set}"
echo "modelaudit installed in ${bin}, SHA-256 ${actual}"
