#!/usr/bin/env bash
# setup-debian.sh installs the Debian packages the tests use when they are
# missing: PostgreSQL (MLflow's team backend), python3-xgboost (the
# XGBoost 1.7 that Debian ships with scikit-learn, a second reader of our
# model files) and
# chromium (headless browser for pkg/charts' rendering tests).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkgs=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || pkgs+=(postgresql)
/usr/bin/python3 -c 'import xgboost' >/dev/null 2>&1 || pkgs+=(python3-xgboost)
# scikit-learn lets the 1.7 check load our JSON as XGBClassifier too.
/usr/bin/python3 -c 'import sklearn' >/dev/null 2>&1 || pkgs+=(python3-sklearn)
[ -x /usr/bin/chromium ] || pkgs+=(chromium)
if [ ${#pkgs[@]} -gt 0 ]; then
	apt_install "${pkgs[@]}"
fi
