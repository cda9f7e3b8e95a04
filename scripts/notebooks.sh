#!/usr/bin/env bash
# notebooks.sh executes the GoNB notebooks headless, in order, with nbconvert
# and fails when any cell fails. It is `make notebooks`.
#
#   scripts/notebooks.sh                    every notebooks/[0-9]*.ipynb
#   scripts/notebooks.sh notebooks/02_*.ipynb
#
# The notebooks read the stack from the environment (the names of
# .env.example: MLFLOW_TRACKING_URI, MLFLOW_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID,
# AWS_SECRET_ACCESS_KEY, BUCKET_DATA, BUCKET_MLFLOW, ...). With none set they
# run offline: the built-in data sample and MLflow's offline spool.
#
# Variables of this script:
#   NOTEBOOKS_OUT      where the executed notebooks (and with NOTEBOOKS_HTML=1
#                      their HTML exports) go; default notebooks/executed
#                      (git-ignored; JupyterLab shows it beside the notebooks)
#   NOTEBOOKS_HTML     1: also export each executed notebook to HTML, a
#                      standalone page with ECharts once in its head
#   NOTEBOOK_TIMEOUT   seconds a cell may run; default 900
#   NOTEBOOK_WORKDIR   the notebooks' work directory (values kept between
#                      cells and notebooks); default $NOTEBOOKS_OUT/work
#
# Failure detection: nbconvert exits 1 on compile errors and (GoNB >= 0.11.4)
# on runtime errors, but a failing `!shell` line and some runtime failures
# only print to stderr. So every executed notebook is also scanned: an error
# output, or a stderr stream containing "exit status" or "panic:", fails.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

need go "install Go 1.24 or newer"
venv=$("$REPO_ROOT/scripts/setup-python.sh")
gotools=$("$REPO_ROOT/scripts/setup-gonb.sh")

out="${NOTEBOOKS_OUT:-$REPO_ROOT/notebooks/executed}"
mkdir -p "$out"
out=$(cd "$out" && pwd)
export NOTEBOOK_WORKDIR="${NOTEBOOK_WORKDIR:-$out/work}"
timeout="${NOTEBOOK_TIMEOUT:-900}"

if [ $# -eq 0 ]; then
	set -- "$REPO_ROOT"/notebooks/[0-9]*.ipynb
fi

# A private Jupyter data dir holding only the GoNB kernel spec.
jdata=$(mktemp -d "${TMPDIR:-/tmp}/mlstack-jupyter.XXXXXX")
trap 'rm -rf "$jdata"' EXIT
export JUPYTER_DATA_DIR="$jdata"
export PATH="$gotools:$(dirname "$(command -v go)"):$venv/bin:$PATH"
MLSTACK_GOTOOLS="$gotools" "$REPO_ROOT/scripts/gonb-kernel.sh"

failed=0
for nb in "$@"; do
	name=$(basename "$nb")
	note "executing $name"
	start=$(date +%s)
	if ! jupyter nbconvert --to notebook --execute \
		--ExecutePreprocessor.kernel_name=gonb \
		--ExecutePreprocessor.timeout="$timeout" \
		--ExecutePreprocessor.startup_timeout=120 \
		--output-dir "$out" --output "$name" "$nb"; then
		printf 'FAIL %s: nbconvert failed (see above)\n' "$name" >&2
		failed=1
		break
	fi
	if ! python - "$out/$name" <<'EOF'; then
import json, sys
path = sys.argv[1]
nb = json.load(open(path))
bad = []
for i, cell in enumerate(nb["cells"]):
    if cell["cell_type"] != "code":
        continue
    for o in cell.get("outputs", []):
        text = ""
        if o["output_type"] == "error":
            text = "%s: %s" % (o.get("ename"), o.get("evalue"))
        elif o["output_type"] == "stream" and o.get("name") == "stderr":
            s = "".join(o.get("text", ""))
            if "exit status" in s or "panic:" in s:
                text = s
        if text:
            bad.append("cell %d (%s):\n%s" % (i, "".join(cell["source"])[:60].replace("\n", " "), text.strip()[-2000:]))
if bad:
    print("FAIL %s:\n%s" % (path, "\n\n".join(bad)), file=sys.stderr)
    sys.exit(1)
EOF
		failed=1
		break
	fi
	note "$name ok ($(($(date +%s) - start)) s) → $out/$name"
	if [ "${NOTEBOOKS_HTML:-}" = 1 ]; then
		jupyter nbconvert --to html --output-dir "$out" "$out/$name" >/dev/null 2>&1 ||
			{ printf 'FAIL %s: HTML export failed\n' "$name" >&2; failed=1; break; }
		# A chart's output is its option only (pkg/notebook), drawn with the
		# page's ECharts: the export gets the library once, first in its head,
		# evaluated with define, exports and module hidden, so its UMD wrapper
		# sets window.echarts although the page loads RequireJS (as
		# pkg/charts' loader does).
		python - "$out/${name%.ipynb}.html" "$REPO_ROOT/pkg/charts/assets/echarts.min.js" <<'EOF'
import re, sys
page, lib = sys.argv[1], open(sys.argv[2], encoding="utf-8").read()
html = open(page, encoding="utf-8").read()
head = re.search(r"<head[^>]*>", html)
tag = ('\n<script type="text/javascript">\n(function(define,exports,module){\n' +
       lib.replace("</script", "<\\/script") + "\n}).call(window);\n</script>\n")
open(page, "w", encoding="utf-8").write(html[:head.end()] + tag + html[head.end():])
EOF
	fi
done
exit "$failed"
