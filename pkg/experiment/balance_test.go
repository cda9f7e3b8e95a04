package experiment_test

import (
	"testing"

	"github.com/mlstack/mlstack/pkg/experiment"
)

func TestBalanceString(t *testing.T) {
	tests := []struct {
		b    experiment.Balance
		want string
	}{
		{experiment.Balance{Classes: []string{"good", "bad"}, Counts: []int{30, 10}, Positive: "bad", Rule: "data.positive"},
			"positive class bad (10 of 40 rows, 25.0%), negative good (30); data.positive"},
		{experiment.Balance{Classes: []string{"0", "1"}, Counts: []int{500, 268}, Positive: "1", Rule: "default"},
			"positive class 1 (268 of 768 rows, 34.9%), negative 0 (500); default"},
		{experiment.Balance{Classes: []string{"a", "b", "c"}, Counts: []int{1, 2, 3}},
			"classes (of 6 rows): a 1, b 2, c 3"},
		{experiment.Balance{Classes: []string{"0", "1"}, Counts: []int{1, 2}, Positive: "x"}, // not a class: the counts, no panic
			"classes (of 3 rows): 0 1, 1 2"},
	}
	for _, tt := range tests {
		if got := tt.b.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}
