package dataset_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"testing"

	"github.com/mlstack/mlstack/pkg/dataset"
)

func ExampleSample() {
	b, err := dataset.Sample("diabetes")
	if err != nil {
		panic(err)
	}
	rows, _ := csv.NewReader(bytes.NewReader(b)).ReadAll()
	fmt.Println(len(rows)-1, "rows;", rows[0][len(rows[0])-1])
	// Output: 768 rows; Outcome
}

func TestSamples(t *testing.T) {
	tests := []struct {
		name       string
		rows, cols int
	}{
		{"breast_cancer", 569, 31},
		{"diabetes", 768, 9},
		{"telco_churn", 7043, 20},
	}
	if got, want := fmt.Sprint(dataset.Samples()), "[breast_cancer diabetes telco_churn]"; got != want {
		t.Fatalf("Samples() = %s, want %s", got, want)
	}
	for _, tt := range tests {
		b, err := dataset.Sample(tt.name)
		if err != nil {
			t.Fatalf("Sample(%q): %v", tt.name, err)
		}
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatalf("Sample(%q) does not parse: %v", tt.name, err)
		}
		if got := len(rows) - 1; got != tt.rows || len(rows[0]) != tt.cols {
			t.Errorf("Sample(%q) = %d x %d, want %d x %d", tt.name, got, len(rows[0]), tt.rows, tt.cols)
		}
	}
	if _, err := dataset.Sample("nope"); err == nil {
		t.Error(`Sample("nope") gave no error`)
	}
}
