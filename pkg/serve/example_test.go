package serve_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"

	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/model"
	"github.com/mlstack/mlstack/pkg/serve"
)

// A model fitted in place scores a request in MLflow's dataframe_split
// form; an error answers as MLflow does.
func Example() {
	ctx := context.Background()
	rows := "x,color,y\n" + strings.Repeat("1,red,a\n2,red,a\n3,blue,b\n4,blue,b\n5,red,a\n6,blue,b\n", 10)
	train, _ := frame.ReadCSV(ctx, strings.NewReader(rows), nil)
	m, err := model.Fit(ctx, train, &model.Spec{Target: "y", Ordinal: true,
		Params: boost.Params{Objective: boost.BinaryLogistic, NEstimators: 5, MaxDepth: 2}})
	if err != nil {
		fmt.Println(err)
		return
	}
	s := serve.New(serve.Options{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	s.Swap(&serve.Loaded{Model: m, URI: "example"})
	h := s.Handler()
	for _, body := range []string{
		`{"dataframe_split": {"columns": ["x", "color"], "data": [[1, "red"], [6, "blue"]]}}`,
		`{"dataframe_records": [{"x": 2}]}`,
	} {
		req := httptest.NewRequest("POST", "/invocations", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Body)
	}
	// Output:
	// 200 {"predictions": ["a", "b"]}
	// 400 {"error_code":"INVALID_PARAMETER_VALUE","message":"Failed to enforce schema of data: Model is missing inputs ['color']."}
}
