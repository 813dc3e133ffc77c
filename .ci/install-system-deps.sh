#!/usr/bin/env bash
# Debian packages the test suite needs beyond Python:
#   r-base-core, r-cran-survival  R's survfit, the reference for the Kaplan-Meier band cross-check
#   chromium                      the real-browser test (tests/browser): JupyterLab driven headless
#                                 through Playwright; Playwright never downloads a browser here
#   fonts-dejavu-core             readable text in the browser test's screenshots
# Waits for apt's lock instead of failing when another apt-get is running.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
APT_OPTS=(-o DPkg::Lock::Timeout=600)
$SUDO apt-get "${APT_OPTS[@]}" update -qq
$SUDO apt-get "${APT_OPTS[@]}" install -y -qq --no-install-recommends \
    r-base-core r-cran-survival chromium fonts-dejavu-core >/dev/null
test -x /usr/bin/chromium && /usr/bin/chromium --version 2>/dev/null
