#!/usr/bin/env bash
# Debian packages the test suite needs beyond Python:
#   r-base-core, r-cran-survival  R's survfit, the reference for the Kaplan-Meier band cross-check
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends r-base-core r-cran-survival >/dev/null
