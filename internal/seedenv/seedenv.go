// Package seedenv holds the environment variable names of the seed project
// this workbench grew from, and the standard names each stands for. It is
// the one table of them: pkg/storage and pkg/mlflow read S3 settings
// through Getenv, the native stack (internal/stack) fills its configuration
// with Fill, and docker-compose.yml falls back to the seed names where it
// reads the standard ones (docker/compose_test.go checks it against
// Aliases).
//
// Rules:
//   - A standard name that is set (non-empty) wins over its seed name.
//   - A seed name stands for every standard name listed with it: the seed's
//     AWS_ACCESS_KEY was both MinIO's root user and the clients' key.
//   - Seed names are only read, never written or printed.
package seedenv

// Alias is one seed name and the standard names it stands for.
type Alias struct {
	Seed     string
	Standard []string
}

// Aliases is the table, in the order the documentation lists it.
var Aliases = []Alias{
	{Seed: "AWS_ACCESS_KEY", Standard: []string{"AWS_ACCESS_KEY_ID", "MINIO_ROOT_USER"}},
	{Seed: "AWS_SECRET_KEY", Standard: []string{"AWS_SECRET_ACCESS_KEY", "MINIO_ROOT_PASSWORD"}},
	{Seed: "MINIO_URL", Standard: []string{"MLFLOW_S3_ENDPOINT_URL"}},
}

// SeedOf returns the seed name standing for the standard name, or "".
func SeedOf(standard string) string {
	for _, a := range Aliases {
		for _, s := range a.Standard {
			if s == standard {
				return a.Seed
			}
		}
	}
	return ""
}

// Getenv returns the value of name through getenv, or, when it is empty,
// the value of the seed name standing for it.
func Getenv(getenv func(string) string, name string) string {
	if v := getenv(name); v != "" {
		return v
	}
	if seed := SeedOf(name); seed != "" {
		return getenv(seed)
	}
	return ""
}

// Fill sets, in env, every standard name that is unset or empty to the
// value of its seed name, where that is set.
func Fill(env map[string]string) {
	for _, a := range Aliases {
		v := env[a.Seed]
		if v == "" {
			continue
		}
		for _, s := range a.Standard {
			if env[s] == "" {
				env[s] = v
			}
		}
	}
}
