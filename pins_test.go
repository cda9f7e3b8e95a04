package mlstack

import (
	"fmt"
	"testing"
)

func TestPin(t *testing.T) {
	const reqs = `# comment
mlflow==3.17.2
XGBoost == 3.2.0  # trailing comment
scikit-learn==1.9.1
numpy>=2
psycopg2_binary==2.9.13
`
	for _, tc := range []struct{ name, want string }{
		{"mlflow", "3.17.2"},
		{"xgboost", "3.2.0"},
		{"scikit_learn", "1.9.1"},
		{"Scikit-Learn", "1.9.1"},
		{"psycopg2-binary", "2.9.13"},
		{"numpy", ""}, // not pinned with ==
		{"torch", ""},
		{"", ""},
	} {
		if got := pin(reqs, tc.name); got != tc.want {
			t.Errorf("pin(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// The packages a logged model's environment pins are all in requirements-dev.txt.
func TestPythonPinModelPackages(t *testing.T) {
	for _, name := range []string{"mlflow", "xgboost", "pandas", "numpy"} {
		if PythonPin(name) == "" {
			t.Errorf("requirements-dev.txt pins no %s", name)
		}
	}
}

func ExamplePythonPin() {
	v := PythonPin("xgboost") // e.g. "3.2.0"
	fmt.Println("xgboost pinned:", v != "")
	// Output: xgboost pinned: true
}
