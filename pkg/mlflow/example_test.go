package mlflow_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"

	"github.com/mlstack/mlstack/pkg/mlflow"
)

// With no tracking URI, a run is written to the local spool: an
// append-only journal that Sync replays to a server later.
func ExampleOpen_offline() {
	spool, _ := os.MkdirTemp("", "spool")
	defer os.RemoveAll(spool)
	ctx := context.Background()
	run, err := mlflow.Open(ctx, mlflow.Config{Offline: true, SpoolDir: spool, ExperimentName: "demo", RunName: "first"})
	if err != nil {
		log.Fatal(err)
	}
	run.LogParam("max_depth", 6)
	for step := range int64(3) {
		run.LogMetric("loss", 1/float64(step+1), step)
	}
	run.LogMetric("ratio", math.Inf(1), 3) // sent later as "Infinity"
	run.LogArtifactBytes(ctx, "notes/readme.txt", []byte("hello"))
	if err := run.Close(); err != nil {
		log.Fatal(err)
	}

	st, _ := mlflow.InspectSpool(spool)
	for _, r := range st {
		fmt.Printf("experiment=%s run=%s params=%d metrics=%d artifacts=%d ended=%v synced=%v\n",
			r.Experiment, r.RunName, r.Params, r.Metrics, r.Artifacts, r.Ended, r.Done)
	}
	// Output:
	// experiment=demo run=first params=1 metrics=4 artifacts=1 ended=true synced=false
}

// Parameters cannot change once logged, as on the server.
func ExampleRun_LogParam() {
	spool, _ := os.MkdirTemp("", "spool")
	defer os.RemoveAll(spool)
	run, _ := mlflow.Open(context.Background(), mlflow.Config{Offline: true, SpoolDir: spool})
	defer run.Close()
	fmt.Println(run.LogParam("lr", 0.1))
	fmt.Println(run.LogParam("lr", 0.1))
	fmt.Println(run.LogParam("lr", 0.2))
	fmt.Println(run.LogParam("bad key!", 1))
	// Output:
	// <nil>
	// <nil>
	// mlflow: invalid input: param "lr" already logged with value "0.1", cannot change it to "0.2"
	// mlflow: invalid input: param key "bad key!": only letters, digits, '_', '-', '.', ' ', ':' and '/' are allowed
}

// The tracking URI must name an MLflow server over HTTP(S).
func ExampleNew() {
	_, err := mlflow.New("sqlite:///mlflow.db", nil)
	fmt.Println(errors.Is(err, mlflow.ErrUnsupportedURI))
	c, err := mlflow.New("http://127.0.0.1:5000/", nil)
	fmt.Println(c.TrackingURI(), err)
	// Output:
	// true
	// http://127.0.0.1:5000 <nil>
}

// WriteXGBoostModel lays out an MLflow model directory that
// mlflow.xgboost.load_model and mlflow.pyfunc.load_model read.
func ExampleWriteXGBoostModel() {
	dir, _ := os.MkdirTemp("", "model")
	defer os.RemoveAll(dir)
	booster := []byte(`{"learner": {}, "version": [3, 2, 0]}`) // XGBoost JSON, e.g. from pkg/boost
	if err := mlflow.WriteXGBoostModel(dir, mlflow.XGBoostModel{JSON: booster}); err != nil {
		log.Fatal(err)
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		fmt.Println(e.Name())
	}
	req, _ := os.ReadFile(filepath.Join(dir, "requirements.txt"))
	fmt.Print(string(req))
	// Output:
	// MLmodel
	// conda.yaml
	// model.json
	// python_env.yaml
	// requirements.txt
	// mlflow==3.17.2
	// xgboost==3.2.0
}

// Errors from the server are *APIError values carrying MLflow's error_code.
func ExampleAPIError() {
	err := fmt.Errorf("logging: %w", &mlflow.APIError{StatusCode: 400, Code: mlflow.CodeInvalidParameterValue,
		Message: "Changing param values is not allowed", Method: "POST", Path: "/api/2.0/mlflow/runs/log-batch"})
	var apiErr *mlflow.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code)
	}
	// Output:
	// 400 INVALID_PARAMETER_VALUE
}
