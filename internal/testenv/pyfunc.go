package testenv

import (
	"encoding/json"
	"testing"
)

// PyfuncJob is one model URI and one CSV of raw rows for Pyfunc.
type PyfuncJob struct {
	URI, CSV string
	// Direct sends the rows to the model's own predict, past MLflow's
	// schema enforcement (to score rows the signature refuses, such as a
	// missing value in a long column).
	Direct bool
}

// PyfuncResult is what MLflow's pyfunc made of a model and a CSV of raw rows.
type PyfuncResult struct {
	// Labels are predict's output as text (str of each value): labels of
	// a classifier, values of a regressor.
	Labels []string `json:"labels"`
	// Values are predict's output as numbers (nil for string labels).
	Values []float64 `json:"values"`
	// Proba is predict with params {"predict_method": "predict_proba"}
	// (nil for a model without that parameter: a regressor).
	Proba [][]float64 `json:"proba"`
	// Warnings are what mlflow logged at WARNING or above while loading
	// the model (dependency or Python version mismatches).
	Warnings []string `json:"warnings"`
}

const pyfuncPy = `
import json, logging, sys
import pandas as pd, mlflow.pyfunc

class Keep(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.msgs = []
    def emit(self, record):
        self.msgs.append(record.getMessage())

out = []
for job in json.loads(sys.argv[1]):
    keep = Keep()
    logging.getLogger("mlflow").addHandler(keep)
    m = mlflow.pyfunc.load_model(job["URI"])
    logging.getLogger("mlflow").removeHandler(keep)
    df = pd.read_csv(job["CSV"])
    predict = m._model_impl.predict if job["Direct"] else m.predict
    pred = predict(df)
    res = {"labels": [str(v) for v in pred], "warnings": keep.msgs, "values": None, "proba": None}
    try:
        res["values"] = [float(v) for v in pred]
    except (TypeError, ValueError):
        pass
    if m.metadata.get_params_schema() is not None:
        p = predict(df, params={"predict_method": "predict_proba"})
        res["proba"] = [[float(x) for x in row] for row in p]
    out.append(res)
print(json.dumps(out))
`

// Pyfunc loads each job's model with mlflow.pyfunc.load_model (the venv's
// MLflow) and scores its CSV read with pandas.read_csv, in one Python
// process (importing MLflow takes seconds). env entries (KEY=VALUE) reach
// the interpreter.
func Pyfunc(t testing.TB, jobs []PyfuncJob, env ...string) []*PyfuncResult {
	t.Helper()
	SkipShort(t, "Python (MLflow pyfunc)")
	in, err := json.Marshal(jobs)
	if err != nil {
		t.Fatal(err)
	}
	out := RunPython(t, pyfuncPy, []string{string(in)}, append(env, "OMP_NUM_THREADS=1")...)
	var r []*PyfuncResult
	if err := json.Unmarshal(out, &r); err != nil || len(r) != len(jobs) {
		t.Fatalf("pyfunc output (%d jobs): %v\n%s", len(jobs), err, out)
	}
	return r
}
