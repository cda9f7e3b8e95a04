package model_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/clean"
	"github.com/mlstack/mlstack/pkg/dataset"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/model"
)

// Fit a bundle on the diabetes data, score raw rows (zeros meaning "not
// measured", another column order), save it and open it again.
func Example() {
	ctx := context.Background()
	b, _ := dataset.Sample("diabetes")
	train, _ := frame.ReadBytes(ctx, b, nil)
	pipe := clean.New(
		&clean.ZeroAsMissing{Columns: []string{"Glucose", "BloodPressure", "SkinThickness", "Insulin", "BMI"}},
		&clean.Impute{Strategy: clean.Median},
	)
	m, err := model.Fit(ctx, train, &model.Spec{Target: "Outcome", Pipeline: pipe, Seed: 42,
		Params: boost.Params{NEstimators: 50, MaxDepth: 3}})
	if err != nil {
		fmt.Println(err)
		return
	}
	const raw = `Age,Glucose,BMI,Pregnancies,BloodPressure,SkinThickness,Insulin,DiabetesPedigreeFunction
21,89,28.1,1,66,23,94,0.167
45,0,30.5,3,70,0,0,0.350
`
	rows, _ := frame.ReadCSV(ctx, strings.NewReader(raw), m.ReadOptions())
	scores, _ := m.Score(rows)
	fmt.Println(scores.Names(), "for classes", m.Classes())

	dir, _ := os.MkdirTemp("", "bundle")
	defer os.RemoveAll(dir)
	if err := m.Save(dir); err != nil {
		fmt.Println(err)
		return
	}
	back, _ := model.Open(ctx, dir)
	labels, _ := back.Predict(rows)
	fmt.Println(labels.Name(), labels.Len(), "labels from the saved bundle")
	// Output:
	// [prediction probability] for classes [0 1]
	// Outcome 2 labels from the saved bundle
}
