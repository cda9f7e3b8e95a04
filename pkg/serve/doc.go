// Package serve scores a model bundle (pkg/model) over HTTP with MLflow's
// scoring protocol, so that a client of `mlflow models serve` talks to it
// unchanged:
//
//	POST /invocations   application/json: {"dataframe_split": ...},
//	                    {"dataframe_records": ...}, {"instances": ...} or
//	                    {"inputs": ...}, with optional "params"; or text/csv
//	                    with a header row. Answer: {"predictions": [...]}.
//	GET  /ping          "\n" with 200, as MLflow's
//	GET  /version       the MLflow version whose protocol this speaks
//	GET  /health        JSON: the model served, its version, the registry's state
//	GET  /metrics       Prometheus text exposition format
//
//	s := serve.New(serve.Options{Logger: log})
//	s.Swap(&serve.Loaded{Model: m, URI: uri, Version: "3"})
//	http.ListenAndServe(addr, s.Handler())
//
// A Registry keeps the model of a models:/<name>@<alias> URI current: it
// resolves the alias, loads the version it points at and swaps it in
// (Server.Swap, one atomic pointer: a request in flight finishes on the
// model it started with, and none fails); Watch repeats that on a ticker
// and on demand (SIGHUP in cmd/serve). When the registry cannot be
// reached, the loaded model keeps serving and /health says so.
//
// # Predictions
//
// Raw rows go through the bundle's cleaning pipeline, as Model.Predict
// does. The predictions are those of the bundle's python_function flavour
// (code/mlstack_model.py) served by MLflow, in the same JSON shapes: a
// classifier's labels by default (numbers for a numeric target, class
// names otherwise), a regression model's values, and with
// params {"predict_method": "predict_proba"} (the parameter the signature
// declares) or {"output": "proba"} the class probabilities, one list per
// row in the order of the classes. {"output": "label"} is the default.
// {"output": "contributions"} gives each row's exact TreeSHAP values
// (model.Model.Explain) per raw input column, one-hot indicators summed
// back to their column, and "bias" (the expected margin): an object
// {"COLUMN": value, ..., "bias": value} in log-odds of the positive class
// for a binary classifier and in the target's units for a regression
// model, and an object of such objects by class for a multiclass one. A
// model whose trees carry no cover statistics refuses it (ErrNotSupported).
//
// Values are read as the Python loader reads a pandas column: JSON null,
// and the training data's missing-value tokens given as strings, are
// missing; numbers given as text are numbers; a category given as a
// number is that number's text; a boolean column takes true/false, its
// tokens, the usual token pairs and 0/1. Unlike MLflow, whose signature
// check refuses a missing value in a whole-number (long) column, serve
// takes it (as Model.Predict does). A CSV body is read with the model's
// ReadOptions, as `train predict` reads a file.
//
// # Errors
//
// Errors are MLflow's: a JSON body {"error_code": ..., "message": ...}
// with the status MLflow gives that code, and the same code and status as
// `mlflow models serve` for the same request (the tests compare them). Bad
// input is 400 BAD_REQUEST with a message naming the problem: the JSON
// error with its line, column and byte offset, a body that is not UTF-8,
// or the column and row of a value of the wrong type; missing input
// columns are 400 INVALID_PARAMETER_VALUE, all of them named, as MLflow's
// schema check answers. An unknown content type or a charset other than
// UTF-8 is 415 with a text message. No rows (every column given) is 200
// with no predictions, as in MLflow. A body over Options.MaxBodyBytes is
// 413 (MLflow has no limit); more than Options.MaxInFlight requests, or
// Options.MaxInFlightBytes of bodies, scoring at once, after
// Options.QueueWait, is 503 TEMPORARILY_UNAVAILABLE with Retry-After.
//
// # Rules
//
//   - Nothing a client sends makes the server panic or allocate beyond
//     a bound: a body is read up to MaxBodyBytes only once one of the
//     MaxInFlight scoring slots is taken and its bytes (its
//     Content-Length, or MaxBodyBytes) fit in MaxInFlightBytes, and its
//     parsed form takes at most 16 bytes per byte of body (a JSON value
//     takes at least two bytes, its node 32; twice that while parsing,
//     the nodes of an array being copied from the parser's stack): at
//     most 32 × MaxInFlightBytes at once, 1 GiB with the defaults, however
//     many cores; connections are bounded by MaxConns and slow clients by
//     the read timeouts. A panic in a handler (a bug) is a 500
//     that is logged, not a crash.
//   - A Server is safe for concurrent use; the model it serves changes
//     only through Swap.
//   - Every request gets an id (X-Request-Id, kept when the client sends
//     a valid one), logged with its outcome as one slog record.
package serve // import "github.com/mlstack/mlstack/pkg/serve"
