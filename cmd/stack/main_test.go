package main

import (
	"strings"
	"testing"

	"github.com/mlstack/mlstack/internal/stack"
)

func TestWarnDefaults(t *testing.T) {
	example := stack.Env{"MINIO_ROOT_USER": "minioadmin", "MINIO_ROOT_PASSWORD": "minioadmin-change-me",
		"JUPYTER_TOKEN": "mlstack-change-me", "POSTGRES_PASSWORD": "mlflow-change-me", "KAGGLE_KEY": "", "MLFLOW_PORT": "5000"}
	for _, tc := range []struct {
		name     string
		env      stack.Env
		services []string
		want     string // "" for no warning
	}{
		{"all defaults", example, []string{"minio", "mlflow", "jupyter"}, "DEFAULT CREDENTIALS IN USE: JUPYTER_TOKEN, MINIO_ROOT_PASSWORD\n"},
		{"postgres too", example, []string{"minio", "postgres", "mlflow", "jupyter"}, "IN USE: JUPYTER_TOKEN, MINIO_ROOT_PASSWORD, POSTGRES_PASSWORD\n"},
		{"own secrets", stack.Env{"MINIO_ROOT_USER": "minioadmin", "MINIO_ROOT_PASSWORD": "x9!long-own", "JUPYTER_TOKEN": "own-token",
			"POSTGRES_PASSWORD": "mlflow-change-me", "MLFLOW_PORT": "5000"}, []string{"minio", "mlflow", "jupyter"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			warnDefaults(&b, tc.env, example, tc.services)
			got := b.String()
			if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
				t.Errorf("warning:\n%s\nwant it to contain %q", got, tc.want)
			}
			for _, v := range []string{"minioadmin-change-me", "mlstack-change-me"} {
				if strings.Contains(got, v) {
					t.Errorf("the warning prints the value %q", v)
				}
			}
		})
	}
}
