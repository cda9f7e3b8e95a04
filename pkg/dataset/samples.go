package dataset

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

//go:embed samples/*.csv
var samples embed.FS

// Samples lists the names of the built-in samples in lexical order.
func Samples() []string {
	entries, err := fs.ReadDir(samples, "samples")
	if err != nil {
		panic("dataset: embedded samples missing: " + err.Error())
	}
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".csv"))
	}
	slices.Sort(names)
	return names
}

// Sample returns the CSV bytes of the built-in sample called name.
func Sample(name string) ([]byte, error) {
	b, err := samples.ReadFile("samples/" + name + ".csv")
	if err != nil {
		return nil, fmt.Errorf("dataset: no built-in sample %q (have %s)", name, strings.Join(Samples(), ", "))
	}
	return b, nil
}
