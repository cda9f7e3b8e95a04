package mlflow_test

import (
	"context"
	"fmt"
	"log"
	"math"
	"os"

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
