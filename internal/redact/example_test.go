package redact_test

import (
	"fmt"

	"github.com/mlstack/mlstack/internal/redact"
)

func ExampleURL() {
	fmt.Println(redact.URL("https://alice:pw@data.example.com/d.csv?api_key=s3cr3t&rows=10"))
	// Output: https://alice:[REDACTED]@data.example.com/d.csv?api_key=[REDACTED]&rows=10
}
