// Package mlstack is the root of the module. It holds what belongs to the
// repository as a whole rather than to one package: the versions of the
// Python peers that requirements-dev.txt pins, which the models the
// project writes pin in their Python environments (pkg/model), so a model
// asks for exactly the xgboost, mlflow, pandas and numpy the tests load it
// with.
package mlstack // import "github.com/mlstack/mlstack"

import (
	_ "embed"
	"strings"
)

//go:embed requirements-dev.txt
var requirementsDev string

// PythonPin returns the version requirements-dev.txt pins for the Python
// package name (as in "xgboost==3.2.0"; names compare as pip does,
// case-insensitive with '-' and '_' alike), or "" when it pins none.
func PythonPin(name string) string { return pin(requirementsDev, name) }

// pin finds the version of name in a requirements file's text.
func pin(requirements, name string) string {
	want := normalize(name)
	for _, line := range strings.Split(requirements, "\n") {
		line, _, _ = strings.Cut(line, "#")
		pkg, version, ok := strings.Cut(strings.TrimSpace(line), "==")
		if ok && normalize(pkg) == want {
			return strings.TrimSpace(version)
		}
	}
	return ""
}

func normalize(name string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(name), "_", "-"))
}
