#!/usr/bin/env bash
# compose-test.sh runs docker-compose.yml for real, with the real Docker
# Compose CLI (scripts/setup-compose.sh) against podman's Docker API, and
# checks that the stack works as a user meets it. It is `make compose-test`.
#
#   1. podman, configured for these machines (root, runc, cgroupfs, no
#      ulimits), keeps its storage under $MLSTACK_COMPOSE_STATE (default
#      $MLSTACK_CACHE/compose-podman);
#   2. the public images the files name are built locally under their names
#      (scripts/compose-standins.sh: no registry is reachable here);
#   3. the repository is the compose project, with an env file made from
#      .env.example on free ports (--env-file: a .env of yours is not read);
#   4. `docker compose build`, then `up --wait`: MinIO, the one-shot ingest,
#      MLflow and JupyterLab, healthy;
#   5. inside the Jupyter container: the notebook user, its caches, the
#      Python pins, and notebooks/02_train_xgboost.ipynb executed headless
#      with GOPROXY=off (the first cell needs no network);
#   6. `train` on the host against the published ports (--require-server);
#   7. MLflow has both runs, FINISHED, with their models; MinIO has the
#      ingested data set and the runs' artifacts; the run links point at
#      the host's MLflow (MLFLOW_UI_URL); Python in the Jupyter container
#      loads both models with mlflow.pyfunc and predicts;
#   8. the serve service (profile "serve", docker/serve/Dockerfile): its
#      image under 30 MB, run as non-root, healthy by its own `serve ping`,
#      it serves the model notebook 02 registered, by its alias, on the
#      published port;
#   9. `down -v`: no container, volume or process is left.
#
# Where podman behaves unlike Docker the files follow Docker; the harness
# makes up for the differences here: podman runs healthchecks from systemd
# timers, and these machines have no systemd, so the harness runs them
# (`podman healthcheck run`) every 3 seconds; podman 4's Docker API splits
# the arguments of a CMD healthcheck at spaces, so an override file gives
# podman the same commands in the CMD-SHELL form; and it leaves the conmon
# processes of exec sessions running, so they are ended after `down`.
#
# Variables: MLSTACK_COMPOSE_STATE (podman's storage, kept between runs to
# reuse image layers; delete it to free the disk), COMPOSE_TEST_KEEP=1
# (keep the logs, the env file and the executed notebook for a look).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

need podman "install podman (Debian: apt-get install podman runc)"
[ -x /usr/sbin/runc ] || die "/usr/sbin/runc not found: apt-get install runc (crun fails on these machines)"
need curl "install curl"
need go "install Go 1.24 or newer"
[ "$(id -u)" = 0 ] || die "compose-test runs podman as root (rootless podman has no network here)"

t0=$(date +%s)
venv=$("$REPO_ROOT/scripts/setup-python.sh")
compose=$("$REPO_ROOT/scripts/setup-compose.sh")

state="${MLSTACK_COMPOSE_STATE:-$MLSTACK_CACHE/compose-podman}"
mkdir -p "$state/net"
state=$(cd "$state" && pwd)
exec 8>"$state/.lock"
flock -n 8 || die "another compose-test uses $state"

# crun and cgroups v2 fail on these machines; runc with cgroupfs works,
# once the default ulimits (which runc cannot set here) are dropped.
cat >"$state/containers.conf" <<EOF
[containers]
default_ulimits = []
[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
events_logger = "file"
[engine.runtimes]
runc = ["/usr/sbin/runc"]
[network]
network_backend = "netavark"
network_config_dir = "$state/net"
EOF
cat >"$state/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$state/graph"
runroot = "$state/run"
EOF
# No registry is reachable: short names resolve to docker.io, as Docker
# reads them, and every image must be in storage already.
cat >"$state/registries.conf" <<EOF
unqualified-search-registries = ["docker.io"]
short-name-mode = "permissive"
EOF
export CONTAINERS_CONF="$state/containers.conf" \
	CONTAINERS_STORAGE_CONF="$state/storage.conf" \
	CONTAINERS_REGISTRIES_CONF="$state/registries.conf"

run=$(mktemp -d "${TMPDIR:-/tmp}/mlstack-compose.XXXXXX")
project=mlstack-composetest
service_pid=
health_pid=
# down: docker compose down -v, then the conmon processes of the project's
# exec sessions: podman 4 leaves a pair of them per `docker compose exec`
# (its Docker API's exec) running after the container is gone.
down() {
	local ids pids id
	ids=$(podman ps -aq --no-trunc --filter "label=com.docker.compose.project=$project" 2>/dev/null)
	dc down -v --remove-orphans >"$run/down.log" 2>&1 || { cat "$run/down.log" >&2; return 1; }
	for id in $ids; do
		pids=$(pgrep -f -- "conmon .*-c $id " || true)
		[ -z "$pids" ] || kill $pids 2>/dev/null || true
	done
}
cleanup() {
	local rc=$?
	set +e
	if [ -n "$health_pid" ]; then kill "$health_pid" 2>/dev/null; wait "$health_pid" 2>/dev/null; fi
	if [ -n "$service_pid" ]; then
		if [ "$rc" != 0 ]; then
			note "failed: the services' last log lines"
			dc logs --no-color --tail 30 >&2 2>&1
		fi
		down
		kill "$service_pid" 2>/dev/null
		wait "$service_pid" 2>/dev/null
	fi
	# Measured once podman has stopped: du gives up (fts_read failed) on a
	# folder that vanishes under it, as the service's cleanup makes them.
	if [ -n "${passed:-}" ]; then
		note "disk: podman storage $(du -sxh "$state" | cut -f1) ($state), stand-in archives $(du -sh "$MLSTACK_CACHE/compose-standins" | cut -f1)"
		podman image inspect --format '    {{index .RepoTags 0}} {{.Size}} bytes' mlstack/ingest:local mlstack/jupyter:local >&2
	fi
	if [ "${COMPOSE_TEST_KEEP:-}" = 1 ]; then note "kept $run"; else rm -rf "$run"; fi
	exit "$rc"
}
trap cleanup EXIT

# step NAME: start timing a step.
step() { note "$1"; step_name=$1; step_t=$(date +%s); }
# done_step: record the step's seconds.
timings=()
done_step() { timings+=("$step_name: $(($(date +%s) - step_t)) s"); }

# --- the compose project: the repository, with an env file made from
# .env.example on free ports (the published ports are the only change)
step "env file on free ports"
env_file="$run/env"
free_ports=$("$venv/bin/python" - <<'EOF'
import socket
socks = [socket.socket() for _ in range(6)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
)
read -r minio_port console_port mlflow_port jupyter_port postgres_port serve_port <<<"$free_ports"
sed -e "s/^MINIO_PORT=.*/MINIO_PORT=$minio_port/" \
	-e "s/^MINIO_CONSOLE_PORT=.*/MINIO_CONSOLE_PORT=$console_port/" \
	-e "s/^MLFLOW_PORT=.*/MLFLOW_PORT=$mlflow_port/" \
	-e "s/^JUPYTER_PORT=.*/JUPYTER_PORT=$jupyter_port/" \
	-e "s/^POSTGRES_PORT=.*/POSTGRES_PORT=$postgres_port/" \
	-e "s/^SERVE_PORT=.*/SERVE_PORT=$serve_port/" \
	"$REPO_ROOT/.env.example" >"$env_file"
# envval NAME: the value the compose file sees (the last assignment wins).
envval() { sed -n "s/^$1=//p" "$env_file" | tail -1; }
uid=$(envval JUPYTER_UID)
gid=$(envval JUPYTER_GID)
done_step

files=(-f "$REPO_ROOT/docker-compose.yml")
dc() { (cd "$REPO_ROOT" && "$compose" -p "$project" --env-file "$env_file" "${files[@]}" "$@"); }

# Podman 4's Docker API splits a healthcheck's CMD arguments at spaces
# (["CMD", "python", "-c", "import x; f()"] runs python -c import), so an
# override turns each CMD healthcheck into CMD-SHELL running the same argv,
# shell-quoted (compose config prints $ escaped as $$ already). The
# commands run are the file's own.
dc config --format json | "$venv/bin/python" -c '
import json, shlex, sys
p = json.load(sys.stdin)
out = {"services": {}}
for name, s in p["services"].items():
    test = (s.get("healthcheck") or {}).get("test") or []
    if test and test[0] == "CMD":
        out["services"][name] = {"healthcheck": {"test": ["CMD-SHELL", shlex.join(test[1:])]}}
json.dump(out, sys.stdout, indent=1)
' >"$run/podman-healthchecks.json"
files+=(-f "$run/podman-healthchecks.json")

# --- the public images, built locally under their names
step "stand-in images"
mapfile -t images < <(dc config --format json | "$venv/bin/python" -c '
import json, os, re, sys
p = json.load(sys.stdin)
out = set()
for s in p["services"].values():
    b = s.get("build")
    if not b:
        out.add(s["image"])
        continue
    stages = set()
    for line in open(os.path.join(b["context"], b.get("dockerfile", "Dockerfile"))):
        m = re.match(r"FROM\s+(\S+)(?:\s+AS\s+(\S+))?", line.strip(), re.I)
        if m:
            if m.group(1) not in stages and m.group(1) != "scratch":
                out.add(m.group(1))
            if m.group(2):
                stages.add(m.group(2))
print("\n".join(sorted(out)))
')
[ ${#images[@]} -gt 0 ] || die "docker compose config named no image"
"$REPO_ROOT/scripts/compose-standins.sh" "${images[@]}"
done_step

# --- podman's Docker API
step "podman system service"
sock="$state/podman.sock"
rm -f "$sock"
podman system service --time=0 "unix://$sock" >"$run/service.log" 2>&1 &
service_pid=$!
for _ in $(seq 50); do
	curl -fs --unix-socket "$sock" http://d/_ping >/dev/null 2>&1 && break
	sleep 0.2
done
curl -fs --unix-socket "$sock" http://d/_ping >/dev/null || { cat "$run/service.log" >&2; die "podman system service did not answer on $sock"; }
# Compose builds with the API's classic builder: podman has no BuildKit.
export DOCKER_HOST="unix://$sock" DOCKER_BUILDKIT=0
done_step

step "docker compose build"
if ! dc build >"$run/build.log" 2>&1; then
	tail -40 "$run/build.log" >&2
	die "docker compose build failed"
fi
done_step

# podman schedules healthchecks with systemd timers; without systemd they
# never run, so run them here for the project's containers.
(
	while :; do
		for c in $(podman ps -q --filter "label=com.docker.compose.project=$project" 2>/dev/null); do
			podman healthcheck run "$c" >/dev/null 2>&1 || true
		done
		sleep 3
	done
) &
health_pid=$!

step "docker compose up --wait"
if ! dc up -d --wait --wait-timeout 600 >"$run/up.log" 2>&1; then
	cat "$run/up.log" >&2
	dc ps -a >&2 || true
	die "docker compose up --wait failed"
fi
done_step

step "ingest"
ingest_id=$(dc ps -a -q ingest)
[ -n "$ingest_id" ] || die "no ingest container"
[ "$(podman inspect --format '{{.State.ExitCode}}' "$ingest_id")" = 0 ] || { dc logs ingest >&2; die "ingest failed"; }
dc logs --no-color ingest >"$run/ingest.log" 2>&1
grep -q diabetes "$run/ingest.log" || { cat "$run/ingest.log" >&2; die "ingest logged no diabetes data set"; }
done_step

# --- the Jupyter image as the notebook user meets it
step "jupyter: user, caches, Python pins"
dc exec -T jupyter sh -c 'id -u; id -g; echo "$HOME"
	for d in "$HOME" "$HOME/.cache" "$(go env GOCACHE)" "$(go env GOMODCACHE)"; do
		[ -w "$d" ] || { echo "not writable: $d"; exit 1; }
		echo "$(stat -c %u "$d") $d"
	done
	ls "$(go env GOMODCACHE)/cache/download" >/dev/null
	[ -n "$(ls "$(go env GOCACHE)")" ] || { echo "empty GOCACHE"; exit 1; }
	printf "MLFLOW_UI_URL=%s\n" "$MLFLOW_UI_URL"' >"$run/jupyter-env.txt" 2>&1 ||
	{ cat "$run/jupyter-env.txt" >&2; die "the notebook user's home or caches are not usable"; }
{ read -r cuid; read -r cgid; } <"$run/jupyter-env.txt"
[ "$cuid:$cgid" = "$uid:$gid" ] || die "the notebook user is $cuid:$cgid, .env asks for JUPYTER_UID:JUPYTER_GID $uid:$gid"
if awk 'NF == 2 && $1 ~ /^[0-9]+$/ && $1 != '"$uid"'' "$run/jupyter-env.txt" | grep -q .; then
	cat "$run/jupyter-env.txt" >&2
	die "a cache of the notebook user belongs to someone else"
fi
grep -qx "MLFLOW_UI_URL=http://127.0.0.1:$mlflow_port" "$run/jupyter-env.txt" ||
	die "MLFLOW_UI_URL in the Jupyter container is not the host's MLflow (http://127.0.0.1:$mlflow_port)"
dc exec -T jupyter python -c '
import importlib.metadata as m
for p in ("mlflow", "xgboost", "pandas", "numpy", "jupyterlab", "nbconvert"):
    print("%s==%s" % (p, m.version(p)))
import mlflow.pyfunc, xgboost, pandas' >"$run/pins.txt" || die "Python packages missing in the Jupyter image"
while read -r pin; do
	grep -qix "$pin" "$REPO_ROOT/requirements-dev.txt" || die "the Jupyter image has $pin, requirements-dev.txt pins $(grep -i "^${pin%%==*}==" "$REPO_ROOT/requirements-dev.txt")"
done <"$run/pins.txt"
done_step

step "notebook 02 headless in the Jupyter container (GOPROXY=off)"
nb=02_train_xgboost.ipynb
if ! dc exec -T -e GOPROXY=off -e NOTEBOOK_WORKDIR=/tmp/nbwork jupyter \
	jupyter nbconvert --to notebook --execute \
	--ExecutePreprocessor.kernel_name=gonb \
	--ExecutePreprocessor.timeout=900 \
	--ExecutePreprocessor.startup_timeout=120 \
	--output-dir /tmp/nbout --output "$nb" "notebooks/$nb" >"$run/nbconvert.log" 2>&1; then
	tail -40 "$run/nbconvert.log" >&2
	die "notebook $nb failed in the Jupyter container"
fi
dc exec -T jupyter cat "/tmp/nbout/$nb" >"$run/$nb"
done_step

step "train on the host against the stack"
(cd "$REPO_ROOT" && go build -o "$run/train" ./cmd/train)
env MLFLOW_TRACKING_URI="http://127.0.0.1:$mlflow_port" \
	MLFLOW_S3_ENDPOINT_URL="http://127.0.0.1:$minio_port" \
	MINIO_URL="http://127.0.0.1:$minio_port" \
	AWS_ACCESS_KEY_ID="$(envval MINIO_ROOT_USER)" \
	AWS_SECRET_ACCESS_KEY="$(envval MINIO_ROOT_PASSWORD)" \
	AWS_REGION="$(envval AWS_REGION)" \
	MLFLOW_UI_URL= \
	"$run/train" --config "$REPO_ROOT/configs/classification.yaml" \
	--set "data.source=s3://$(envval BUCKET_DATA)/$(envval DATASET_PREFIX)diabetes.csv" \
	--set validation.n_repeats=2 --require-server --out "$run/train-out" >"$run/train.log" 2>&1 ||
	{ tail -30 "$run/train.log" >&2; die "train against the compose stack failed"; }
done_step

step "checking MLflow and MinIO"
MLFLOW="http://127.0.0.1:$mlflow_port" S3="http://127.0.0.1:$minio_port" \
	AWS_ACCESS_KEY_ID="$(envval MINIO_ROOT_USER)" AWS_SECRET_ACCESS_KEY="$(envval MINIO_ROOT_PASSWORD)" \
	AWS_DEFAULT_REGION="$(envval AWS_REGION)" \
	BUCKET_DATA="$(envval BUCKET_DATA)" BUCKET_MLFLOW="$(envval BUCKET_MLFLOW)" \
	PREFIX="$(envval DATASET_PREFIX)" EXPERIMENT="$(envval MLFLOW_EXPERIMENT_NAME)" \
	"$venv/bin/python" - "$run/$nb" "$run/train.log" >"$run/check.log" <<'EOF' || { cat "$run/check.log" >&2; die "MLflow or MinIO lack what the stack made"; }
import json, os, re, sys, urllib.parse, urllib.request
import boto3

nb_path, train_log = sys.argv[1], sys.argv[2]
mlflow, fails = os.environ["MLFLOW"], []

def api(path, body=None):
    req = urllib.request.Request(mlflow + path, data=json.dumps(body).encode() if body else None,
                                 headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req, timeout=30))

# The notebook: no error output, no failed command, data read from MinIO,
# run links on the host's MLflow.
nb = json.load(open(nb_path))
text = []
for i, cell in enumerate(nb["cells"]):
    for o in cell.get("outputs", []):
        if o["output_type"] == "error":
            fails.append("notebook cell %d: %s: %s" % (i, o.get("ename"), o.get("evalue")))
        t = "".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", "")) + "".join(o.get("data", {}).get("text/html", ""))
        if o.get("name") == "stderr" and ("exit status" in t or "panic:" in t):
            fails.append("notebook cell %d: %s" % (i, t.strip()[-500:]))
        text.append(t)
text = "\n".join(text)
uri = "s3://%s/%sdiabetes.csv" % (os.environ["BUCKET_DATA"], os.environ["PREFIX"])
if uri not in text:
    fails.append("the notebook did not say it read %s" % uri)
links = re.findall(r"https?://[^\s\"'<>]+/#/experiments/[^\s\"'<>]+", text)
if not links:
    fails.append("the notebook printed no MLflow run link")
for l in links:
    if not l.startswith(mlflow + "/"):
        fails.append("the notebook's run link %s does not open on the host (%s)" % (l, mlflow))

# MLflow: the notebook's run and train's run, finished, each with a model.
exp = api("/api/2.0/mlflow/experiments/get-by-name?experiment_name=" + urllib.parse.quote(os.environ["EXPERIMENT"]))["experiment"]
runs = api("/api/2.0/mlflow/runs/search", {"experiment_ids": [exp["experiment_id"]], "max_results": 50}).get("runs", [])
if len(runs) < 2:
    fails.append("MLflow experiment %s has %d runs, want the notebook's and train's" % (exp["name"], len(runs)))
for r in runs:
    info = r["info"]
    if info["status"] != "FINISHED":
        fails.append("run %s is %s" % (info["run_id"], info["status"]))
    metrics = {m["key"] for m in r.get("data", {}).get("metrics", [])}
    if not any(k.startswith("roc_auc") for k in metrics):
        fails.append("run %s has no roc_auc metric: %s" % (info["run_id"], sorted(metrics)[:10]))
train_ids = set(re.findall(r"[0-9a-f]{32}", open(train_log).read()))
if not train_ids & {r["info"]["run_id"] for r in runs}:
    fails.append("train's run is not in MLflow (train said: %s)" % open(train_log).read()[-400:])

# MinIO: the ingested data set with its manifest, the runs' artifacts
# (MLflow proxies them into BUCKET_MLFLOW) including the model.
s3 = boto3.client("s3", endpoint_url=os.environ["S3"])
keys = [o["Key"] for o in s3.list_objects_v2(Bucket=os.environ["BUCKET_DATA"], Prefix=os.environ["PREFIX"]).get("Contents", [])]
if os.environ["PREFIX"] + "diabetes.csv" not in keys:
    fails.append("MinIO %s has no %sdiabetes.csv: %s" % (os.environ["BUCKET_DATA"], os.environ["PREFIX"], keys))
pager = s3.get_paginator("list_objects_v2")
art = [o["Key"] for page in pager.paginate(Bucket=os.environ["BUCKET_MLFLOW"]) for o in page.get("Contents", [])]
# MLflow 3 keeps a run's model as a logged model (source_run_id), its
# files under <experiment>/models/<model_id>/artifacts/.
models = api("/api/2.0/mlflow/logged-models/search", {"experiment_ids": [exp["experiment_id"]], "max_results": 50}).get("models", [])
model_of = {m["info"].get("source_run_id"): m["info"] for m in models}
for r in runs:
    rid = r["info"]["run_id"]
    if not any("/" + rid + "/" in "/" + k for k in art):
        fails.append("MinIO %s holds no artifact of run %s" % (os.environ["BUCKET_MLFLOW"], rid))
    m = model_of.get(rid)
    if m is None:
        fails.append("run %s logged no model" % rid)
        continue
    if m.get("status") != "LOGGED_MODEL_READY":
        fails.append("model %s of run %s is %s" % (m["model_id"], rid, m.get("status")))
    if not any(k.endswith("/models/%s/artifacts/MLmodel" % m["model_id"]) for k in art):
        fails.append("MinIO %s holds no MLmodel of model %s (run %s)" % (os.environ["BUCKET_MLFLOW"], m["model_id"], rid))
    print("model models:/%s (run %s)" % (m["model_id"], rid))
print("MLflow: %d runs in %s; MinIO: %d data objects, %d artifact objects" % (len(runs), exp["name"], len(keys), len(art)))
if fails:
    print("FAIL:\n  " + "\n  ".join(fails), file=sys.stderr)
    sys.exit(1)
EOF
cat "$run/check.log" >&2

# Python in the Jupyter container loads both models with pyfunc (through
# the service name, as a notebook's Python kernel would) and predicts.
for model in $(sed -n 's|^model \(models:/[^ ]*\) .*|\1|p' "$run/check.log"); do
	dc exec -T jupyter python -c '
import sys, mlflow.pyfunc, pandas
m = mlflow.pyfunc.load_model(sys.argv[1])
df = pandas.read_csv("pkg/dataset/samples/diabetes.csv").drop(columns=["Outcome"]).head(20)
p = m.predict(df)
assert len(p) == 20, p
print(sys.argv[1], "predicts", list(p)[:5])' "$model" >&2 || die "mlflow.pyfunc.load_model($model) failed in the Jupyter container"
done
done_step

# --- serve: the model notebook 02 registered, by its alias (SERVE_MODEL),
# from the docker/serve image, through the published port
step "serve: the registered model behind MLflow's scoring protocol"
if ! dc --profile serve up -d --build --wait --wait-timeout 300 serve >"$run/serve-up.log" 2>&1; then
	cat "$run/serve-up.log" >&2
	dc --profile serve logs --no-color serve >&2 || true
	die "the serve service did not come up healthy"
fi
serve_size=$(podman image inspect --format '{{.Size}}' mlstack/serve:local)
[ "$serve_size" -lt 30000000 ] || die "the serve image is $serve_size bytes, want under 30 MB"
serve_user=$(podman inspect --format '{{.Config.User}}' "$(dc --profile serve ps -q serve)")
case "$serve_user" in "" | 0 | 0:* | root | root:*) die "the serve container runs as root (User=$serve_user)" ;; esac
serve_out=$(curl -fsS -H 'Content-Type: application/json' "http://127.0.0.1:$serve_port/invocations" -d '{"dataframe_split": {"columns": ["Pregnancies", "Glucose", "BloodPressure", "SkinThickness", "Insulin", "BMI", "DiabetesPedigreeFunction", "Age"], "data": [[6, 148, 72, 35, 0, 33.6, 0.627, 50], [1, 85, 66, 29, 0, 26.6, 0.351, 31]]}}') ||
	{ dc --profile serve logs --no-color serve >&2; die "POST /invocations to the serve service failed"; }
grep -Eqx '\{"predictions": \[[01], [01]\]\}' <<<"$serve_out" || die "the serve service answered $serve_out, want two labels"
serve_health=$(curl -fsS "http://127.0.0.1:$serve_port/health") || die "GET /health of the serve service failed"
grep -q '"reachable":true' <<<"$serve_health" || die "the serve service's /health: $serve_health"
note "serve: $serve_out, image $((serve_size / 1000000)) MB, user $serve_user"
dc --profile serve rm -sf serve >"$run/serve-rm.log" 2>&1 || { cat "$run/serve-rm.log" >&2; die "removing the serve service failed"; }
done_step

step "docker compose down -v"
down || die "docker compose down failed"
left=$(podman ps -aq --filter "label=com.docker.compose.project=$project")
[ -z "$left" ] || die "containers left after down: $left"
left=$(podman volume ls -q --filter "label=com.docker.compose.project=$project")
[ -z "$left" ] || die "volumes left after down: $left"
done_step

note "compose-test passed in $(($(date +%s) - t0)) s"
for t in "${timings[@]}"; do printf '    %s\n' "$t" >&2; done
passed=1
