package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// docs/CONFIG.md is what the generator writes from the schema: a key,
// step, option or parameter added, or a doc comment changed, without
// regenerating fails here.
func TestConfigDocUpToDate(t *testing.T) {
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	want, err := Generate(root)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(root, Output))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is out of date: run `go run ./cmd/configdoc` from the repository root", Output)
	}
}

// The reference lists every config key, every step of both sections and
// every model parameter, each with its type.
func TestConfigDocCovers(t *testing.T) {
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate(root)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, want := range []string{
		"| `data.positive` | string |", "| `prepare` |", "| `validation.n_splits` | integer | `5` |",
		"| `search.params` |", "### `drop_duplicates`", "### `dropna`", "### `astype`", "### `encode`",
		"| `keep` | any |", "| `n_estimators` |", "| `learning_rate` | `eta` | number |",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("CONFIG.md lacks %q", want)
		}
	}
	// drop_duplicates is documented once, as a prepare step.
	if n := strings.Count(doc, "### `drop_duplicates`"); n != 1 {
		t.Errorf("drop_duplicates documented %d times, want once (prepare)", n)
	}
}
