package seedenv_test

import (
	"fmt"
	"maps"
	"testing"

	"github.com/mlstack/mlstack/internal/seedenv"
)

func TestGetenvAndFill(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		key  string
		want string
	}{
		{"standard only", map[string]string{"AWS_ACCESS_KEY_ID": "std"}, "AWS_ACCESS_KEY_ID", "std"},
		{"seed only", map[string]string{"AWS_ACCESS_KEY": "seed"}, "AWS_ACCESS_KEY_ID", "seed"},
		{"seed for the server too", map[string]string{"AWS_SECRET_KEY": "seed"}, "MINIO_ROOT_PASSWORD", "seed"},
		{"standard wins", map[string]string{"AWS_ACCESS_KEY_ID": "std", "AWS_ACCESS_KEY": "seed"}, "AWS_ACCESS_KEY_ID", "std"},
		{"empty standard falls back", map[string]string{"MLFLOW_S3_ENDPOINT_URL": "", "MINIO_URL": "http://m:9000"}, "MLFLOW_S3_ENDPOINT_URL", "http://m:9000"},
		{"no alias", map[string]string{"AWS_ACCESS_KEY": "seed"}, "AWS_SESSION_TOKEN", ""},
		{"neither", map[string]string{}, "AWS_ACCESS_KEY_ID", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := seedenv.Getenv(func(k string) string { return tc.env[k] }, tc.key); got != tc.want {
				t.Errorf("Getenv(%s) = %q, want %q", tc.key, got, tc.want)
			}
			filled := maps.Clone(tc.env)
			seedenv.Fill(filled)
			if got := filled[tc.key]; got != tc.want {
				t.Errorf("after Fill, %s = %q, want %q", tc.key, got, tc.want)
			}
		})
	}
}

func ExampleGetenv() {
	env := map[string]string{"AWS_ACCESS_KEY": "seed-user"}
	fmt.Println(seedenv.Getenv(func(k string) string { return env[k] }, "AWS_ACCESS_KEY_ID"))
	// Output: seed-user
}
