package serve_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/pkg/serve"
)

// BenchmarkInvocations scores 1 and 100 rows of dataframe_split through
// the handler (no network): decoding, the pipeline, the booster and the
// answer.
func BenchmarkInvocations(b *testing.B) {
	_, m := models(b)
	s := serve.New(serve.Options{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	s.Swap(&serve.Loaded{Model: m, URI: "bench"})
	h := s.Handler()
	row := []any{6, 148, 72, 35, 0, 33.6, 0.627, 50}
	for _, n := range []int{1, 100} {
		data := make([][]any, n)
		for i := range data {
			data[i] = row
		}
		body, _ := json.Marshal(map[string]any{"dataframe_split": map[string]any{
			"columns": []string{"Pregnancies", "Glucose", "BloodPressure", "SkinThickness", "Insulin", "BMI", "DiabetesPedigreeFunction", "Age"},
			"data":    data}})
		b.Run(map[int]string{1: "1row", 100: "100rows"}[n], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest("POST", "/invocations", strings.NewReader(string(body)))
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatalf("%d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
