package serve_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/serve"
)

// rawRows are rows to score in every format: a missing value, an unseen
// category, another column order and an extra column.
const rawRows = `e,species,c,note,b,a
Yes,,red,x,3,0.5
No,,green,y,39,
No,,purple,z,12,-4
Yes,,blue,w,0,2.25
`

// bodies returns rawRows in each JSON format and as CSV, with params.
func bodies(t testing.TB, params string) map[string][2]string {
	t.Helper()
	f, err := frame.ReadCSV(context.Background(), strings.NewReader(rawRows), &frame.ReadOptions{Types: map[string]frame.Kind{"b": frame.Numeric}})
	if err != nil {
		t.Fatal(err)
	}
	cols := f.Names()
	var data [][]any
	var records []map[string]any
	columns := map[string][]any{}
	for i := range f.Len() {
		row := make([]any, len(cols))
		rec := map[string]any{}
		for j, name := range cols {
			c := f.ColumnAt(j)
			var v any
			switch {
			case c.IsNA(i):
			case c.Kind() == frame.Numeric:
				v = c.Float(i)
			default:
				v = c.String(i)
			}
			row[j], rec[name] = v, v
			columns[name] = append(columns[name], v)
		}
		data = append(data, row)
		records = append(records, rec)
	}
	js := func(field string, v any) string {
		b, err := json.Marshal(map[string]any{field: v})
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if params != "" {
			s = s[:len(s)-1] + `, "params": ` + params + "}"
		}
		return s
	}
	return map[string][2]string{
		"dataframe_split":   {"application/json", js("dataframe_split", map[string]any{"columns": cols, "data": data})},
		"dataframe_records": {"application/json", js("dataframe_records", records)},
		"instances":         {"application/json; charset=utf-8", js("instances", records)},
		"inputs":            {"application/json", js("inputs", columns)},
		"csv":               {"text/csv", rawRows},
	}
}

// TestFormats checks that every input format gives Model.Predict's labels
// and PredictProba's probabilities for the same raw rows.
func TestFormats(t *testing.T) {
	m, _ := models(t)
	_, url := start(t, m, serve.Options{})
	rows, err := frame.ReadCSV(context.Background(), strings.NewReader(rawRows), m.ReadOptions())
	if err != nil {
		t.Fatal(err)
	}
	labels, err := m.Predict(rows)
	if err != nil {
		t.Fatal(err)
	}
	proba, err := m.PredictProba(rows)
	if err != nil {
		t.Fatal(err)
	}
	var wantLabels, wantProba []any
	for i := range rows.Len() {
		wantLabels = append(wantLabels, labels.String(i))
		var p []any
		for j := range 3 {
			p = append(p, json.Number(fmt.Sprint(proba.At(i, j))))
		}
		wantProba = append(wantProba, p)
	}
	for _, tc := range []struct {
		params string
		want   []any
	}{
		{"", wantLabels},
		{`{"predict_method": "predict"}`, wantLabels},
		{`{"output": "label"}`, wantLabels},
		{`{"predict_method": "predict_proba"}`, wantProba},
		{`{"output": "proba"}`, wantProba},
	} {
		for name, b := range bodies(t, tc.params) {
			if name == "csv" && tc.params != "" {
				continue // CSV has no params, as in MLflow
			}
			t.Run(name+" "+tc.params, func(t *testing.T) {
				code, out := post(t, url, b[0], b[1])
				if code != 200 {
					t.Fatalf("status %d: %s", code, out)
				}
				if got := predictions(t, out); !sameJSON(tc.want, got, 1e-12) {
					t.Errorf("predictions %v, want %v", got, tc.want)
				}
			})
		}
	}
}

// TestContributions checks params {"output": "contributions"}: each row's
// SHAP values by raw column and the bias, per class, are Model.Explain's
// (whose values pkg/boost holds to xgboost's pred_contribs) in every JSON
// format.
func TestContributions(t *testing.T) {
	m, _ := models(t)
	_, url := start(t, m, serve.Options{})
	rows, err := frame.ReadCSV(context.Background(), strings.NewReader(rawRows), m.ReadOptions())
	if err != nil {
		t.Fatal(err)
	}
	e, err := m.Explain(rows)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range bodies(t, `{"output": "contributions"}`) {
		if name == "csv" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			code, out := post(t, url, b[0], b[1])
			if code != 200 {
				t.Fatalf("status %d: %s", code, out)
			}
			var got struct {
				Predictions []map[string]map[string]float64 `json:"predictions"`
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if len(got.Predictions) != rows.Len() {
				t.Fatalf("%d rows of contributions, want %d", len(got.Predictions), rows.Len())
			}
			for i, byClass := range got.Predictions {
				for g, class := range e.Outputs {
					want := e.ByColumn[g].RawRowView(i)
					for j, col := range append(append([]string{}, e.Columns...), "bias") {
						if v, ok := byClass[class][col]; !ok || math.Abs(v-want[j]) > 1e-9 {
							t.Errorf("row %d class %s column %s: %v (present %v), want %v", i, class, col, v, ok, want[j])
						}
					}
				}
			}
		})
	}
}

// TestNumericLabels checks that a numeric target's labels are JSON
// numbers, as pyfunc's int64 labels.
func TestNumericLabels(t *testing.T) {
	_, m := models(t)
	_, url := start(t, m, serve.Options{})
	body := `{"dataframe_split": {"columns": ["Pregnancies","Glucose","BloodPressure","SkinThickness","Insulin","BMI","DiabetesPedigreeFunction","Age"],
		"data": [[6,148,72,35,0,33.6,0.627,50],[1,85,66,29,0,26.6,0.351,31]]}}`
	code, out := post(t, url, "application/json", body)
	if code != 200 {
		t.Fatalf("status %d: %s", code, out)
	}
	var p struct{ Predictions []int }
	if err := json.Unmarshal(out, &p); err != nil || len(p.Predictions) != 2 {
		t.Errorf("labels %s: %v", out, err)
	}
}

// TestBadInput checks MLflow's answer to bad requests: the status, the
// error code and a message that names the problem.
func TestBadInput(t *testing.T) {
	m, _ := models(t)
	_, url := start(t, m, serve.Options{})
	split := func(cols, data string) string {
		return `{"dataframe_split": {"columns": ` + cols + `, "data": ` + data + `}}`
	}
	for _, tc := range []struct {
		name, ct, body string
		status         int
		code           string // "" for a text answer
		msg            []string
	}{
		{"malformed JSON", "application/json", `{"dataframe_split": {"columns": ["a",}`, 400, serve.CodeBadRequest, []string{"valid JSON", "line 1, column 38"}},
		{"not UTF-8", "application/json", "{\"inputs\": {\"c\": [\"\xff\"]}}", 400, serve.CodeBadRequest, []string{"valid JSON", "0xff at offset 19"}},
		{"CSV not UTF-8", "text/csv", "a,b,c,e\n1,2,\xfe,Yes\n", 400, serve.CodeBadRequest, []string{"UTF-8", "0xfe at offset 12"}},
		{"a list", "application/json", `[1, 2]`, 400, serve.CodeBadRequest, []string{"Received a list"}},
		{"a number", "application/json", `3`, 400, serve.CodeBadRequest, []string{"exactly one of the input fields"}},
		{"no format", "application/json", `{"data": []}`, 400, serve.CodeBadRequest, []string{"exactly one of the input fields", "['data']"}},
		{"two formats", "application/json", `{"inputs": {}, "instances": []}`, 400, serve.CodeBadRequest, []string{"['inputs', 'instances']"}},
		{"missing columns", "application/json", split(`["a", "e"]`, `[[1, "Yes"]]`), 400, serve.CodeInvalidParameterValue, []string{"missing inputs ['b', 'c']"}},
		{"wrong type", "application/json", split(`["a", "b", "c", "e"]`, `[[1, 2, "red", "Yes"], [1, "lots", "red", "Yes"]]`), 400, serve.CodeBadRequest, []string{`column "b", row 1`, `"lots"`, "a number"}},
		{"wrong boolean", "application/json", split(`["a", "b", "c", "e"]`, `[[1, 2, "red", "Maybe"]]`), 400, serve.CodeBadRequest, []string{`column "e", row 0`, `"No" or "Yes"`}},
		{"object value", "application/json", split(`["a", "b", "c", "e"]`, `[[{"x": 1}, 2, "red", "Yes"]]`), 400, serve.CodeBadRequest, []string{`column "a", row 0`}},
		{"ragged split", "application/json", split(`["a", "b", "c", "e"]`, `[[1, 2, "red"]]`), 400, serve.CodeBadRequest, []string{"row 0 has 3 values for 4 columns"}},
		{"split not an object", "application/json", `{"dataframe_split": [1]}`, 400, serve.CodeBadRequest, []string{"dataframe_split"}},
		{"records not a list", "application/json", `{"dataframe_records": {"a": 1}}`, 400, serve.CodeBadRequest, []string{"dataframe_records", "list of records"}},
		{"ragged inputs", "application/json", `{"inputs": {"a": [1, 2], "b": [1]}}`, 400, serve.CodeBadRequest, []string{`column "b" has 1 values`}},
		{"empty split without columns", "application/json", split(`[]`, `[]`), 400, serve.CodeInvalidParameterValue, []string{"missing inputs ['a', 'b', 'c', 'e']"}},
		{"empty records", "application/json", `{"dataframe_records": []}`, 400, serve.CodeInvalidParameterValue, []string{"missing inputs"}},
		{"empty body", "application/json", ``, 400, serve.CodeBadRequest, []string{"valid JSON"}},
		{"bad params", "application/json", `{"inputs": {"a": [1]}, "params": [1]}`, 400, serve.CodeBadRequest, []string{"params must be a JSON dictionary"}},
		{"bad output", "application/json", `{"inputs": {"a": [1], "b": [1], "c": ["red"], "e": ["No"]}, "params": {"output": "votes"}}`, 400, serve.CodeInvalidParameterValue, []string{`output "votes"`}},
		{"bad predict_method", "application/json", `{"inputs": {"a": [1], "b": [1], "c": ["red"], "e": ["No"]}, "params": {"predict_method": 3}}`, 400, serve.CodeInvalidParameterValue, []string{`"predict_method" must be a string`}},
		{"CSV missing columns", "text/csv", "a,c\n1,red\n", 400, serve.CodeInvalidParameterValue, []string{"missing inputs ['b', 'e']"}},
		{"CSV wrong type", "text/csv", "a,b,c,e\n1,2,red,Yes\n1,x,red,No\n", 400, serve.CodeBadRequest, []string{"request body:3", `column "b"`, `value "x"`}},
		{"CSV nothing", "text/csv", "", 400, serve.CodeInvalidParameterValue, []string{"missing inputs"}},
		{"CSV unbalanced quote", "text/csv", "a,b,c,e\n1,2,\"red,Yes\n", 400, serve.CodeBadRequest, []string{"Failed to parse input"}},
		{"content type", "text/plain", `a`, 415, "", []string{"only supports the following content types", "'text/plain'"}},
		{"no content type", "", `a`, 415, "", []string{"only supports the following content types"}},
		{"charset", "application/json; charset=latin-1", `{}`, 415, "", []string{"only supports UTF-8"}},
		{"content type parameter", "application/json; format=pandas-split", `{}`, 415, "", []string{"Unrecognized content type parameters: format"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out := post(t, url, tc.ct, tc.body)
			if code != tc.status {
				t.Fatalf("status %d, want %d: %s", code, tc.status, out)
			}
			msg := string(out)
			if tc.code != "" {
				var e struct {
					Code    string `json:"error_code"`
					Message string `json:"message"`
				}
				if err := json.Unmarshal(out, &e); err != nil {
					t.Fatalf("%v: %s", err, out)
				}
				if e.Code != tc.code {
					t.Errorf("error_code %q, want %q (%s)", e.Code, tc.code, e.Message)
				}
				msg = e.Message
			}
			for _, w := range tc.msg {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q does not say %q", msg, w)
				}
			}
		})
	}
}

// TestEmptyInput: no rows (all columns given) is 200 with no predictions,
// as MLflow answers.
func TestEmptyInput(t *testing.T) {
	m, _ := models(t)
	_, url := start(t, m, serve.Options{})
	for _, b := range [][2]string{
		{"application/json", `{"dataframe_split": {"columns": ["a", "b", "c", "e"], "data": []}}`},
		{"application/json", `{"inputs": {"a": [], "b": [], "c": [], "e": []}, "params": {"output": "proba"}}`},
		{"text/csv", "a,b,c,e\n"},
	} {
		if code, out := post(t, url, b[0], b[1]); code != 200 || string(out) != `{"predictions": []}` {
			t.Errorf("%s %s: %d %s", b[0], b[1], code, out)
		}
	}
}

// TestNoModel: before the first Swap, /ping and /invocations say so.
func TestNoModel(t *testing.T) {
	_, url := start(t, nil, serve.Options{})
	if code, out := post(t, url, "application/json", `{}`); code != 503 || !strings.Contains(string(out), "no model") {
		t.Errorf("invocations without a model: %d %s", code, out)
	}
}
