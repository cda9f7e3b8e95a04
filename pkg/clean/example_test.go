package clean_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"

	"github.com/mlstack/mlstack/pkg/clean"
	"github.com/mlstack/mlstack/pkg/dataset"
	"github.com/mlstack/mlstack/pkg/frame"
)

func Example() {
	b, _ := dataset.Sample("diabetes")
	f, err := frame.ReadBytes(context.Background(), b, &frame.ReadOptions{Name: "diabetes.csv"})
	if err != nil {
		log.Fatal(err)
	}
	// Fit on the first 600 rows, transform the rest.
	train := f.Filter(func(r frame.Row) bool { return r.Index() < 600 })
	test := f.Filter(func(r frame.Row) bool { return r.Index() >= 600 })

	p := clean.New(
		&clean.ZeroAsMissing{Columns: []string{"Glucose", "BloodPressure", "SkinThickness", "Insulin", "BMI"}},
		&clean.Impute{Strategy: clean.Median},
		&clean.Standardize{Columns: []string{"Glucose", "BMI"}},
	)
	p.Target = "Outcome"
	if _, err := p.FitTransform(train); err != nil {
		log.Fatal(err)
	}
	for _, fl := range p.Steps[1].(*clean.Impute).Fitted.Fills[1:3] {
		fmt.Printf("median %s = %s\n", fl.Column, fl.Value)
	}
	out, err := p.Transform(test)
	if err != nil {
		log.Fatal(err)
	}
	two, _ := out.Select("Glucose", "BMI")
	fmt.Print(two.Describe())
	// Output:
	// median Glucose = 116
	// median BloodPressure = 72
	// column   kind     count  missing      mean       std        min        25%        50%       75%       max
	// Glucose  numeric    168        0  0.081558  0.954587  -2.119192  -0.621798  -0.035861  0.655869  2.535749
	// BMI      numeric    168        0  0.043025  0.936866  -1.849314  -0.636563   0.002105  0.612069  3.575774
}

func ExampleFromSpec() {
	// As decoded from a config file.
	const cfg = `[
		{"step": "drop_duplicates"},
		{"step": "impute", "strategy": "most_frequent", "columns": ["contract"]},
		{"step": "encode", "method": "onehot", "unknown": "ignore"},
		{"step": "standardize"}
	]`
	var specs []clean.StepSpec
	if err := json.Unmarshal([]byte(cfg), &specs); err != nil {
		log.Fatal(err)
	}
	p, err := clean.FromSpec(specs)
	if err != nil {
		log.Fatal(err)
	}
	p.Target = "churn"

	b, _ := dataset.Sample("telco_churn")
	f, err := frame.ReadBytes(context.Background(), b, &frame.ReadOptions{Name: "telco_churn.csv"})
	if err != nil {
		log.Fatal(err)
	}
	out, err := p.FitTransform(f)
	if err != nil {
		log.Fatal(err)
	}
	rows, cols := out.Shape()
	fmt.Println(rows, "rows,", cols, "columns; first:", out.Names()[:8])

	_, err = clean.FromSpec([]clean.StepSpec{{Step: "impute", Options: map[string]any{"stratgy": "mean"}}})
	fmt.Println(err)
	// Output:
	// 7021 rows, 41 columns; first: [churn female senior_citizen partner dependents tenure phone_service multiple_lines_No]
	// clean: step 0 (impute): unknown option "stratgy" (impute takes: strategy, columns, fill_value)
}

// The dataset-level steps of a config's prepare: section run once on the
// whole table, before any split, and say which input row each kept row is.
func ExamplePrepareFromSpec() {
	f, err := frame.ReadBytes(context.Background(), []byte("id,plan,age,churn\n1,basic,30,No\n1,basic,30,No\n2,test,41,Yes\n3,pro,,No\n4,pro,52,Yes\n"), nil)
	if err != nil {
		log.Fatal(err)
	}
	var specs []clean.StepSpec
	if err := json.Unmarshal([]byte(`[
		{"step": "drop_duplicates"},
		{"step": "drop_rows", "column": "plan", "equals": "test"},
		{"step": "dropna", "subset": ["age"]},
		{"step": "drop_columns", "columns": ["id"]}
	]`), &specs); err != nil {
		log.Fatal(err)
	}
	p, err := clean.PrepareFromSpec(specs)
	if err != nil {
		log.Fatal(err)
	}
	p.Target = "churn"
	g, rows, err := p.Apply(f)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("rows kept:", rows)
	fmt.Print(g)
	// Output:
	// rows kept: [0 4]
	//    plan   age  churn
	// 0  basic   30  No
	// 1  pro     52  Yes
	// [2 rows x 3 columns]
}
