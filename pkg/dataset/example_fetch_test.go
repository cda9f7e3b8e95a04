package dataset_test

import (
	"context"
	"fmt"
	"os"

	"github.com/mlstack/mlstack/pkg/dataset"
)

func ExampleFetch() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "fetch-example-")
	defer os.RemoveAll(dir)
	src, err := dataset.ParseSource("sample:diabetes") // or kaggle:uciml/pima-indians-diabetes-database
	if err != nil {
		fmt.Println(err)
		return
	}
	files, err := dataset.Fetch(ctx, src, &dataset.FetchOptions{Dir: dir})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range files {
		sum, err := dataset.CheckCSV(ctx, f.Path, &dataset.CheckOptions{Name: f.Name})
		if err != nil {
			fmt.Println(err) // a *frame.ParseError naming the line
			return
		}
		fmt.Println(f.Name, sum.Rows, sum.Columns[len(sum.Columns)-1])
	}
	_, err = dataset.ParseSource("ftp://host/x.csv")
	fmt.Println(err)
	// Output:
	// diabetes.csv 768 Outcome
	// dataset: source "ftp://host/x.csv": unknown source scheme "ftp" (want sample:, kaggle:, roboflow:, https://, s3://, file:// or a path)
}
