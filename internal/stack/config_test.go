package stack_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/internal/stack"
)

// TestDefaultIsEnvExample holds the defaults in code to the values
// .env.example publishes: loading the repository's .env.example with no
// .env and nothing in the environment gives Default.
func TestDefaultIsEnvExample(t *testing.T) {
	root := t.TempDir()
	ex, err := os.ReadFile(filepath.Join("..", "..", ".env.example"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, ".env.example"), ex, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"MINIO_PORT", "MINIO_CONSOLE_PORT", "MLFLOW_PORT", "POSTGRES_PORT", "JUPYTER_PORT",
		"MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD", "JUPYTER_TOKEN", "POSTGRES_USER", "POSTGRES_DB", "BUCKET_DATA",
		"BUCKET_MLFLOW", "COMPOSE_PROFILES", "MLFLOW_WORKERS", "MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "COMPOSE_ENV_FILES",
		"AWS_ACCESS_KEY", "AWS_SECRET_KEY", "MINIO_ACCESS_KEY", "MINIO_SECRET_KEY"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	got, err := stack.Load(root, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	want := stack.Default(root)
	got.Env, want.Env = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Load of .env.example alone:\n%+v\nDefault:\n%+v", got, want)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("Validate(Default): %v", err)
	}
}

// TestLoad reads .env (or COMPOSE_ENV_FILES) over .env.example; a value
// that is not what its variable takes is a *ConfigError naming it.
func TestLoad(t *testing.T) {
	example := "MINIO_PORT=9000\nMLFLOW_PORT=5000\nMLFLOW_TRACKING_URI=http://127.0.0.1:${MLFLOW_PORT}\nJUPYTER_TOKEN=mlstack-change-me\n"
	tests := []struct {
		name, dotenv string
		getenv       map[string]string
		check        func(c stack.Config) bool
		errVar       string // the variable a *ConfigError names; "" for none
	}{
		{"example only", "", nil, func(c stack.Config) bool {
			return c.MLflowPort == 5000 && c.Env["MLFLOW_TRACKING_URI"] == "http://127.0.0.1:5000"
		}, ""},
		{"a port moves its URL", "MLFLOW_PORT=5099\n", nil, func(c stack.Config) bool {
			return c.MLflowPort == 5099 && c.Env["MLFLOW_TRACKING_URI"] == "http://127.0.0.1:5099"
		}, ""},
		{"postgres profile", "COMPOSE_PROFILES=x, postgres\nPOSTGRES_PORT=6543\n", nil, func(c stack.Config) bool {
			return c.Postgres && c.PostgresPort == 6543 && len(c.Services()) == 4
		}, ""},
		{"workers and jobs", "MLFLOW_WORKERS=3\nMLFLOW_SERVER_ENABLE_JOB_EXECUTION=true\n", nil, func(c stack.Config) bool { return c.MLflowWorkers == 3 && c.MLflowJobs }, ""},
		{"stack dir and tools", "", map[string]string{"MLSTACK_STACK_DIR": "/tmp/st", "MLSTACK_VENV": "/v", "MLSTACK_MINIO": "/m", "MLSTACK_GOTOOLS": "/g"},
			func(c stack.Config) bool {
				return c.Dir == "/tmp/st" && c.Venv == "/v" && c.MinIOBin == "/m" && c.GoTools == "/g"
			}, ""},
		{"port not a number", "MINIO_PORT=90x0\n", nil, nil, "MINIO_PORT"},
		{"port out of range", "JUPYTER_PORT=70000\n", nil, nil, "JUPYTER_PORT"},
		{"workers zero", "MLFLOW_WORKERS=0\n", nil, nil, "MLFLOW_WORKERS"},
		{"jobs not a bool", "MLFLOW_SERVER_ENABLE_JOB_EXECUTION=maybe\n", nil, nil, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION"},
		{"missing COMPOSE_ENV_FILES file", "", map[string]string{"COMPOSE_ENV_FILES": "nope.env"}, nil, "COMPOSE_ENV_FILES"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			os.WriteFile(filepath.Join(root, ".env.example"), []byte(example), 0o600)
			if tt.dotenv != "" {
				os.WriteFile(filepath.Join(root, ".env"), []byte(tt.dotenv), 0o600)
			}
			c, err := stack.Load(root, func(k string) string { return tt.getenv[k] })
			var ce *stack.ConfigError
			if tt.errVar != "" {
				if !errors.As(err, &ce) || ce.Var != tt.errVar || !strings.HasPrefix(err.Error(), tt.errVar+": ") {
					t.Fatalf("err = %v, want a *ConfigError naming %s", err, tt.errVar)
				}
				return
			}
			if err != nil || !tt.check(c) {
				t.Errorf("Load = %+v, %v", c, err)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *stack.Config)
		errVar string
	}{
		{"default", func(*stack.Config) {}, ""},
		{"two services on one port", func(c *stack.Config) { c.JupyterPort = c.MLflowPort }, "JUPYTER_PORT"},
		{"postgres port ignored without the profile", func(c *stack.Config) { c.PostgresPort = c.MLflowPort }, ""},
		{"postgres port clash with the profile", func(c *stack.Config) { c.Postgres, c.PostgresPort = true, c.MLflowPort }, "POSTGRES_PORT"},
		{"port zero", func(c *stack.Config) { c.MinIOPort = 0 }, "MINIO_PORT"},
		{"empty token", func(c *stack.Config) { c.JupyterToken = "" }, "JUPYTER_TOKEN"},
		{"short MinIO password", func(c *stack.Config) { c.MinIOPassword = "short" }, "MINIO_ROOT_PASSWORD"},
		{"empty bucket", func(c *stack.Config) { c.BucketMLflow = "" }, "BUCKET_MLFLOW"},
	}
	for _, tt := range tests {
		c := stack.Default("/repo")
		tt.change(&c)
		err := c.Validate()
		var ce *stack.ConfigError
		if tt.errVar == "" && err != nil || tt.errVar != "" && (!errors.As(err, &ce) || ce.Var != tt.errVar) {
			t.Errorf("%s: Validate = %v, want an error naming %q", tt.name, err, tt.errVar)
		}
	}
}

func TestClientEnv(t *testing.T) {
	c := stack.Default("/repo")
	c.MLflowPort, c.MinIOUser = 5099, "me"
	c.Env = stack.Env{"MLFLOW_TRACKING_URI": "http://elsewhere", "AWS_ACCESS_KEY": "seed", "X": "it's"}
	got := strings.Join(c.ClientEnv(), "\n")
	for _, want := range []string{"MLFLOW_TRACKING_URI=http://127.0.0.1:5099", "AWS_ACCESS_KEY_ID=me", "MLFLOW_S3_ENDPOINT_URL=http://127.0.0.1:9000", "X=it's"} {
		if !strings.Contains(got, want) {
			t.Errorf("ClientEnv lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "AWS_ACCESS_KEY=") {
		t.Errorf("ClientEnv keeps the seed name AWS_ACCESS_KEY:\n%s", got)
	}
}

func TestWarnDefaults(t *testing.T) {
	example := stack.Env{"MINIO_ROOT_USER": "minioadmin", "MINIO_ROOT_PASSWORD": "minioadmin-change-me",
		"JUPYTER_TOKEN": "mlstack-change-me", "POSTGRES_PASSWORD": "mlflow-change-me", "KAGGLE_KEY": "", "MLFLOW_PORT": "5000"}
	for _, tc := range []struct {
		name     string
		env      stack.Env
		postgres bool
		want     string // "" for no warning
	}{
		{"all defaults", example, false, "DEFAULT CREDENTIALS IN USE: JUPYTER_TOKEN, MINIO_ROOT_PASSWORD\n"},
		{"postgres too", example, true, "IN USE: JUPYTER_TOKEN, MINIO_ROOT_PASSWORD, POSTGRES_PASSWORD\n"},
		{"own secrets", stack.Env{"MINIO_ROOT_USER": "minioadmin", "MINIO_ROOT_PASSWORD": "x9!long-own", "JUPYTER_TOKEN": "own-token",
			"POSTGRES_PASSWORD": "mlflow-change-me", "MLFLOW_PORT": "5000"}, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := stack.Default("/repo")
			c.Env, c.Postgres = tc.env, tc.postgres
			var b strings.Builder
			c.WarnDefaults(&b, example)
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
