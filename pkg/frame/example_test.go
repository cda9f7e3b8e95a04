package frame_test

import (
	"context"
	"fmt"
	"log"

	"github.com/mlstack/mlstack/pkg/dataset"
	"github.com/mlstack/mlstack/pkg/frame"
)

func Example() {
	b, err := dataset.Sample("diabetes")
	if err != nil {
		log.Fatal(err)
	}
	f, err := frame.ReadBytes(context.Background(), b, &frame.ReadOptions{Name: "diabetes.csv"})
	if err != nil {
		log.Fatal(err)
	}
	rows, cols := f.Shape()
	fmt.Println(rows, "rows,", cols, "columns")

	two, err := f.Select("Glucose", "BMI")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(two.Describe())
	// Output:
	// 768 rows, 9 columns
	// column   kind     count  missing        mean        std       min        25%         50%         75%         max
	// Glucose  numeric    768        0  120.894531  31.972618  0.000000  99.000000  117.000000  140.250000  199.000000
	// BMI      numeric    768        0   31.992578   7.884160  0.000000  27.300000   32.000000   36.600000   67.100000
}

func ExampleFrame_XY() {
	b, _ := dataset.Sample("breast_cancer")
	f, err := frame.ReadBytes(context.Background(), b, &frame.ReadOptions{Name: "breast_cancer.csv"})
	if err != nil {
		log.Fatal(err)
	}
	X, y, schema, err := f.XY("diagnosis", &frame.ExportOptions{Positive: "M"})
	if err != nil {
		log.Fatal(err)
	}
	r, c := X.Dims()
	fmt.Println("X:", r, "x", c, "y[0]:", y[0])
	fmt.Println("classes:", schema.Target.Classes, "first feature:", schema.Features[0].Name)

	_, _, _, err = f.XY("Diagnosis", nil)
	fmt.Println(err)
	// Output:
	// X: 569 x 30 y[0]: 1
	// classes: [B M] first feature: radius_mean
	// frame: column "Diagnosis": no such column (have "diagnosis", "radius_mean", "texture_mean", "perimeter_mean", "area_mean", "smoothness_mean", "compactness_mean", "concavity_mean", "concave points_mean", "symmetry_mean", "fractal_dimension_mean", "radius_se", "texture_se", "perimeter_se", "area_se", "smoothness_se", "compactness_se", "concavity_se", "concave points_se", "symmetry_se", "fractal_dimension_se", "radius_worst", "texture_worst", "perimeter_worst", "area_worst", "smoothness_worst", "compactness_worst", "concavity_worst", "concave points_worst", "symmetry_worst", "fractal_dimension_worst")
}

func ExampleFrame_ValueCounts() {
	b, _ := dataset.Sample("telco_churn")
	f, err := frame.ReadBytes(context.Background(), b, &frame.ReadOptions{Name: "telco_churn.csv"})
	if err != nil {
		log.Fatal(err)
	}
	vc, err := f.ValueCounts("contract")
	if err != nil {
		log.Fatal(err)
	}
	for _, v := range vc {
		fmt.Printf("%-15s %d\n", v.Value, v.Count)
	}
	churn, _ := f.Column("churn")
	fmt.Println(churn.Kind(), churn.Levels())
	// Output:
	// Month-to-month  3875
	// Two year        1695
	// One year        1473
	// boolean [No Yes]
}

func ExampleParseError() {
	_, err := frame.ReadBytes(context.Background(), []byte("a,b\n1,2\n3,x\n"), &frame.ReadOptions{
		Name:  "data.csv",
		Types: map[string]frame.Kind{"b": frame.Numeric},
	})
	fmt.Println(err)
	// Output:
	// frame: data.csv:3: column "b": value "x": not a number
}
