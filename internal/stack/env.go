package stack

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// Env is the stack's configuration: the variables of .env.example,
// overridden by .env, overridden by the process environment.
type Env map[string]string

// LoadEnv reads the files in order (missing files are skipped), later files
// overriding earlier ones, then applies the process environment to the keys
// the files define. Values may refer to earlier keys as ${NAME}.
func LoadEnv(files ...string) (Env, error) {
	env := Env{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(strings.NewReader(string(b)))
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			k, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
			if !ok || strings.TrimSpace(k) == "" {
				return nil, fmt.Errorf("%s:%d: want NAME=value, got %q", f, n, line)
			}
			v = strings.Trim(strings.TrimSpace(v), `"'`)
			env[strings.TrimSpace(k)] = os.Expand(v, func(name string) string { return env[name] })
		}
	}
	for k := range env {
		if v, ok := os.LookupEnv(k); ok {
			env[k] = v
		}
	}
	return env, nil
}

// Get returns the value of key, or def when it is unset or empty.
func (e Env) Get(key, def string) string {
	if v := e[key]; v != "" {
		return v
	}
	return def
}
