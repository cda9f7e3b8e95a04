// Package mlflow logs runs, metrics, artifacts and XGBoost models to an
// MLflow 3.x tracking server over its REST API, or, with no server or when
// the server cannot be reached, to a local spool that Sync replays later.
//
// # Two levels
//
// Run (from Open) is what the rest of the project uses: it works the same
// with or without a server.
//
//	run, err := mlflow.Open(ctx, mlflow.Config{ExperimentName: "churn", RunName: "gbt-1"})
//	if err != nil { ... }
//	defer run.Close()
//	run.LogParam("max_depth", 6)
//	run.LogMetric("auc", 0.91, step)
//	run.LogModel(ctx, mlflow.XGBoostModel{JSON: boosterJSON}, mlflow.LogModelOptions{})
//
// Client (from New or NewFromEnv) is the REST client underneath: one call
// per endpoint, ctx first, per-call option structs, typed *APIError.
//
// # Configuration
//
// Empty fields are read from the variables the Python client reads:
// MLFLOW_TRACKING_URI, MLFLOW_EXPERIMENT_NAME, MLFLOW_TRACKING_USERNAME and
// MLFLOW_TRACKING_PASSWORD (basic auth, preferred), MLFLOW_TRACKING_TOKEN
// (bearer), MLFLOW_TRACKING_INSECURE_TLS, MLFLOW_HTTP_REQUEST_MAX_RETRIES
// (default 7), MLFLOW_HTTP_REQUEST_TIMEOUT (seconds, default 120), and for
// s3:// artifacts MLFLOW_S3_ENDPOINT_URL and the S3 variables pkg/storage
// reads (storage.ConfigFromEnv: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, AWS_REGION; where those are unset, the seed project's
// MINIO_URL, AWS_ACCESS_KEY and AWS_SECRET_KEY: internal/seedenv).
// MLFLOW_UI_URL (mlstack's, not MLflow's) is the base of the UI links
// RunPageURL and ModelPageURL give, where a browser opens the UI at another
// address than the client's (docker-compose). The tracking URI must be
// http:// or https://;
// any other scheme is an error wrapping ErrUnsupportedURI. With no
// tracking URI at all, Open writes to the spool only.
//
// # Errors and retries
//
//   - Every non-2xx answer is an *APIError carrying MLflow's error_code
//     (Code) and message; use errors.As, or errors.Is with ErrNotFound,
//     ErrAlreadyExists, ErrUnauthorized. 401/403 errors say which variables
//     to set. An HTML or other non-JSON body is reported with its start,
//     never decoded as data (ErrBadResponse for 2xx answers).
//   - Requests are retried with exponential backoff and jitter on
//     connection errors and on 408, 429, 499, 500, 502, 503, 504, 520 —
//     but only requests that are safe to repeat: reads, log-batch (see
//     below), updates, artifact PUTs, finalize, alias. Creating a run, a
//     logged model, a model version or a run output link is retried only
//     when the request cannot have reached the server (dial errors) or was
//     refused with 429. Retries stop when the caller's context ends.
//   - Bad input is refused before anything is sent, with errors wrapping
//     ErrInvalid: keys must have 1..250 characters among letters, digits,
//     '_', '-', '.', ' ', ':', '/' and be normalized relative paths; param
//     values are at most 6000 bytes, tag values 8000; a param logged again
//     with another value is refused (MLflow forbids changing params).
//   - NaN and ±Inf metric values are sent as "NaN", "Infinity",
//     "-Infinity", which is how MLflow's JSON accepts them. The SQL stores
//     keep NaN but store ±Inf as ±math.MaxFloat64, so that is what reads
//     return (the Python client sees the same).
//
// # Batching
//
// LogBatch (and a Run's sender) splits data into log-batch requests within
// the server limits: at most 1000 metrics, 100 params, 100 tags, 1000
// entities and 1 MB of JSON each, and keeps Options.Parallel (4) of them
// in flight; only the last value of a repeated tag key is sent, so their
// order does not matter. A log-batch may be sent twice without
// effect: params with equal values are accepted, tags overwrite, and the
// SQL stores drop metric points equal in key, value, timestamp and step.
// Metric history is read in pages, always with max_results.
//
// # Artifacts
//
// The scheme of a run's artifact_uri chooses the transport, as in Python:
// mlflow-artifacts: goes through the server's proxy (PUT/GET
// /api/2.0/mlflow-artifacts/artifacts/...; files of
// Options.MultipartThreshold or more use the mpu endpoints with presigned
// part uploads), s3:// is written directly through pkg/storage's S3 client
// (one S3 client in the module: its payload signing, checksums and
// multipart rules), file:// is a local directory.
//
// # Models
//
// LogModel follows mlflow.xgboost.log_model of MLflow 3.17: it creates a
// logged model (POST logged-models, named "model" by default, source_run_id
// = the run), links it with runs/outputs, uploads MLmodel (xgboost and
// python_function flavours, model_format json), model.json,
// requirements.txt, conda.yaml and python_env.yaml to the logged model's
// artifact_uri, links the run's metric points at LogModelOptions.Step to
// the model (re-logged with model_id, as Python does), and PATCHes it to
// LOGGED_MODEL_READY (LOGGED_MODEL_UPLOAD_FAILED if a step fails). Nothing is written
// under the run's own artifacts, as in Python 3.x: "runs:/<run_id>/model"
// resolves through the run's logged model of that name
// (RunsArtifactRepository searches logged models by name and source run).
// mlflow.xgboost.load_model and mlflow.pyfunc.load_model load it.
// RegisteredModelName and Alias register a version (source
// "models:/<model_id>") and point an alias at it.
//
// An XGBoostModel may carry more than the booster: Files (more files of
// the directory), Flavors (more flavours of MLmodel), a Loader (a Python
// module in Files under code/ that the python_function flavour loads the
// model with, instead of mlflow.xgboost), a Signature (written as MLflow
// writes it: column specs and params as JSON strings) and an InputExample
// (input_example.json and serving_input_example.json, pandas "split"
// form). pkg/model logs its bundles this way. GetModelVersion,
// GetModelVersionByAlias, SearchModelVersions and GetLoggedModel resolve
// models:/ URIs.
//
// # Runs as the UI shows them
//
//   - The experiment gets the tag mlflow.experimentKind =
//     custom_model_development (unless it has a kind), MLflow 3's
//     machine-learning kind. RunPageURL and ModelPageURL (Run.PageURL,
//     ModelInfo.PageURL) add workflowType=machine_learning, without which
//     the 3.17 UI shows a deep link in its default GenAI mode.
//   - mlflow.source.name and mlflow.source.type ("Logged from") come from
//     Config.SourceName (train gives its config file) or DefaultSource: a
//     GoNB notebook's path with type NOTEBOOK, else the program.
//     A logged model takes its run's source tags.
//   - Run.LogInput records a dataset the way mlflow.log_input does
//     (runs/log-inputs; the UI's "Datasets used"). NewTableDataset builds
//     one from a table file: name, source, schema (mlflow_colspec),
//     profile, and as digest the first 32 hex digits of the data's SHA-256
//     (the server keeps at most 36 characters; the whole hash is in the
//     profile). LogModelOptions.Dataset names the dataset on the metric
//     points linked to a logged model, which the UI lists as the model's
//     "Datasets used". System metrics (system/...) are not linked to
//     models, unlike Python, which links every metric of the step.
//   - Config.SystemMetrics samples the machine every 10 s (or
//     MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL seconds) from /proc and
//     logs the metrics mlflow.system_metrics logs (SystemMetricNames),
//     sample n at step n; End stops the sampler and waits for it.
//
// # Offline spool
//
// Every Run keeps an append-only journal, one directory per run below
// Config.SpoolDir (default DefaultSpoolDir):
//
//	<spool>/<local id>/journal.jsonl  one JSON record a line: start, batch, input, artifact, model, end
//	<spool>/<local id>/state.json     replay progress: server run id, last acknowledged seq, done
//	<spool>/<local id>/artifacts/     artifacts not yet uploaded
//	<spool>/<local id>/models/<n>/    model files not yet uploaded
//	<spool>/<local id>/lock           flock held while a process writes the run
//
// Log calls only buffer in memory. Every Config.FlushInterval (1 s) and on
// End/Close the buffer is appended to the journal and fsynced, so a killed
// process loses at most the last second. Online, a background sender then
// applies the new records in order and advances state.json. Artifacts and
// models are journaled too (their files copied into the spool) before they
// are sent. With no server configured nothing is sent and Sync replays the
// run later.
//
// # A server that goes away
//
// A Run retries a request to a server that refuses or drops connections
// (or answers 5xx/429) for at most Config.ServerTimeout (15 s, the run
// client's RetryFor); a server that accepts connections but never answers
// (a stopped or deadlocked process) is noticed by the hang watch: while a
// request waits, the client asks GET /health every Options.HangTimeout
// (10 s), and a server that gives that no answer within as long is
// dropped like a closed connection, so a hung server costs about 20 s, not
// the client's Timeout (120 s). Slow is not dead: a request whose server
// answers /health is waited for up to Timeout (a stalled artifact
// transfer up to StallTimeout). The first request that fails so trips a circuit
// breaker: every later call goes straight to the spool, Config.Logf
// hears once which server failed and why, and a probe asks the server's
// /health with growing pauses (1 s to 30 s). When it answers, the sender
// delivers what the journal holds, in order; End asks /health once more
// and returns at once if the server is still away (Flush, End and Close
// then report ErrSpooled; ServerError says why). A server that is not
// there when Open starts (within ConnectTimeout) is handled the same way:
// the run starts in the spool and goes to the server if it appears. A dead
// server therefore costs a run at most about ServerTimeout; Sync sends the
// rest. A run whose process died (its journal has no end record and no
// process holds its lock) is ended by Sync as KILLED, at the time of its
// journal's last write, once its data is sent.
//
// Exactly once: records carry increasing sequence numbers; state.json
// (replaced atomically) holds the highest acknowledged one, and a replay
// starts after it. A crash between sending a record and saving state.json
// makes the next replay send that record again, which is harmless by
// construction: the run is created with tag mlstack.spool.run=<local id>
// and a replay looks it up before creating one; log-batch repeats are
// no-ops (see Batching); the server keeps one input per dataset name and
// digest; artifact PUTs overwrite the same bytes; a logged
// model carries tag mlstack.spool.model and is looked up by it, its output
// link and registry version are checked before being added; the end is an
// update. A logged model created by a request whose answer was lost stays
// PENDING on the server; the next attempt (the sender after an outage, or
// Sync) finds it by its mlstack.spool.model tag (<spool id>/<record>),
// uploads the files again and finalizes it, so a run never gets a second
// model for one LogModel. Records a live run already applied are journaled
// with "applied": true and skipped. Sync skips runs whose state says done and
// runs locked by a live process, and refuses to send a run partly sent to
// another server. Replay is ordered by start time, so a spooled parent
// exists before its nested runs.
//
// Close never loses buffered data: it is in the journal even when the
// server is gone. An online run whose server confirmed every record, the
// end included, deletes its directory at End, so the spool holds only what
// still has to be sent (or was sent by Sync), and runs nested under a run
// that was spooled when they were opened.
//
// A panic in a goroutine of this package (a Run's sender, probe or system
// metrics sampler, LogBatch's parallel requests), always a bug, does not
// crash the program: it comes back from Flush, End and Close (LogBatch)
// as an error wrapping *crash.PanicError of internal/crash, never behind
// ErrSpooled, so that train ends with exit status 3 and a stack file.
// What the goroutine did not do stays in the journal.
//
// # Secrets
//
// Values of params and tags, run names, dataset fields and model options
// pass through internal/redact before they are journaled or sent:
// credentials in URLs, secret query parameters (api_key, token, X-Amz-
// Signature, ...) and the value of any secret-named environment variable
// become [REDACTED]. Errors and notices are redacted too; the spool
// directories are 0700 and their files 0600; the tracking URI's password
// never reaches the spool or the UI links.
package mlflow // import "github.com/mlstack/mlstack/pkg/mlflow"
