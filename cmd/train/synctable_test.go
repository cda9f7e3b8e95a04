package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/pkg/mlflow"
)

// TestSyncTable: `train sync` prints one aligned line per run (run,
// experiment, name, points, artifacts, models, status) and a total, with
// the server's password masked, not Go structs.
func TestSyncTable(t *testing.T) {
	c, err := mlflow.New("http://me:pa55word@mlflow.example:5000", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		runs []mlflow.SyncedRun
		want []string
	}{
		{"nothing", nil, []string{"nothing to sync: every run in /spool is on a server"}},
		{"mixed", []mlflow.SyncedRun{
			{LocalID: "aa", RunID: "571ef0", Experiment: "churn", RunName: "gbt", Points: 1500, Artifacts: 3, Models: 1, Done: true},
			{LocalID: "bb", RunID: "5c51a9", Experiment: "churn", Points: 500, Done: true, Killed: true},
			{LocalID: "cc", Busy: true},
			{LocalID: "dd", Experiment: "x", Err: errors.New("mlflow: server unavailable")},
		}, []string{
			"RUN         EXPERIMENT  NAME  POINTS  ARTIFACTS  MODELS  STATUS",
			"571ef0      churn       gbt   1500    3          1       synced",
			"5c51a9      churn       -     500     0          0       synced; ended as KILLED (its process died)",
			"(spool cc)  -           -     0       0          0       skipped: in use by a running process",
			"(spool dd)  x           -     0       0          0       failed: mlflow: server unavailable",
			"",
			"2 of 4 runs synced to http://me:[REDACTED]@mlflow.example:5000; 1 failed (they stay in /spool; run `train sync` again)",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			printSyncTable(&b, c, "/spool", tc.runs)
			if got := strings.TrimRight(b.String(), "\n"); got != strings.Join(tc.want, "\n") {
				t.Errorf("table:\n%s\nwant:\n%s", got, strings.Join(tc.want, "\n"))
			}
		})
	}
}
