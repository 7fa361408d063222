#!/usr/bin/env bash
# install-tools.sh: installs what the proxy benchmark harness needs (nginx, haproxy, wrk,
# curl) from Debian's packages, only those that are missing. Idempotent: a second run
# installs nothing. Uses sudo only when not already root. It does not start or configure
# any of them: the harness renders its own configs and runs them on loopback.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"

# Command to check for, then the Debian package that provides it.
tools=(nginx:nginx haproxy:haproxy wrk:wrk curl:curl)

missing=()
for entry in "${tools[@]}"; do
    command_name="${entry%%:*}"
    package="${entry##*:}"
    if ! command -v "$command_name" >/dev/null 2>&1; then
        missing+=("$package")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-tools: nginx, haproxy, wrk and curl are already installed"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "install-tools: need root or sudo to install: ${missing[*]}" >&2
    exit 1
fi

echo "install-tools: installing ${missing[*]}"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"

for entry in "${tools[@]}"; do
    command_name="${entry%%:*}"
    if ! command -v "$command_name" >/dev/null 2>&1; then
        echo "install-tools: $command_name is still missing after apt-get install" >&2
        exit 1
    fi
done
echo "install-tools: done"
