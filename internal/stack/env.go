package stack

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"strings"

	"github.com/compose-spec/compose-go/v2/dotenv"

	"github.com/mlstack/mlstack/internal/seedenv"
)

// Env is the stack's configuration: the variables of .env.example and .env
// with their resolved values (see LoadEnv).
type Env map[string]string

// LoadEnv reads the stack's configuration the way docker compose reads its
// .env, with the example file's values as the defaults of what the user
// leaves out:
//
//  1. local (.env) is parsed with compose's own dotenv rules (compose-go's
//     dotenv package: quotes, comments, ${NAME}, ${NAME:-default}); a
//     reference resolves to the process environment, then to the lines
//     above it.
//  2. The process environment overrides the file, as in compose.
//  3. Seed-project names fill the standard names left unset
//     (internal/seedenv: AWS_ACCESS_KEY stands for AWS_ACCESS_KEY_ID and
//     MINIO_ROOT_USER, ...).
//  4. example (.env.example) is parsed with the same rules, its references
//     resolving to the values of 1–3 first: a URL the example derives from
//     a port follows the port the user set.
//  5. The result holds every key either file names: the user's value where
//     1–3 give one, else the example's.
//
// Several local files (compose's --env-file given more than once,
// COMPOSE_ENV_FILES) are read in order, a later one overriding an earlier
// one; a reference resolves to the environment, then to the files and
// lines before it. A missing file counts as empty; a malformed one is an
// error naming it.
func LoadEnv(example string, local ...string) (Env, error) {
	osEnv := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			osEnv[k] = v
		}
	}
	user := map[string]string{}
	for _, f := range local {
		lookup := maps.Clone(user)
		maps.Copy(lookup, osEnv)
		vars, err := readEnvFile(f, lookup)
		if err != nil {
			return nil, err
		}
		maps.Copy(user, vars)
	}
	front := map[string]string{} // what the user set: the environment over .env
	for k, v := range user {
		front[k] = v
	}
	for k, v := range osEnv {
		front[k] = v
	}
	seedenv.Fill(front)
	defaults, err := readEnvFile(example, front)
	if err != nil {
		return nil, err
	}
	env := Env{}
	for _, keys := range []map[string]string{defaults, user} {
		for k := range keys {
			if v, ok := front[k]; ok {
				env[k] = v
			} else {
				env[k] = defaults[k]
			}
		}
	}
	return env, nil
}

// ReadEnvFile returns the variables of one dotenv file as compose parses
// it, references resolving to the lines above only (no environment): the
// values a file gives on its own, such as .env.example's defaults.
func ReadEnvFile(path string) (Env, error) {
	vars, err := readEnvFile(path, nil)
	return Env(vars), err
}

// readEnvFile parses a dotenv file with compose's rules, resolving
// references through lookup first; a missing file gives no variables.
func readEnvFile(path string, lookup map[string]string) (map[string]string, error) {
	if path == "" {
		return map[string]string{}, nil
	}
	vars, err := dotenv.ReadFile(path, func(k string) (string, bool) {
		v, ok := lookup[k]
		return v, ok
	})
	if errors.Is(err, os.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return vars, nil
}

// Get returns the value of key, or def when it is unset or empty.
func (e Env) Get(key, def string) string {
	if v := e[key]; v != "" {
		return v
	}
	return def
}
