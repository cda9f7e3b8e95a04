// Command classificationonly is a program that trains with the
// classification trainer only: it imports that trainer's package and no
// other, so it links no GoMLX (the detection trainer's). layering_test.go
// checks its dependencies.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/mlstack/mlstack/pkg/experiment"
	_ "github.com/mlstack/mlstack/pkg/experiment/classification"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: classificationonly CONFIG")
		os.Exit(2)
	}
	if _, err := experiment.Run(context.Background(), experiment.Options{ConfigPath: os.Args[1]}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
