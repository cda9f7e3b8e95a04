package dataset

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// KaggleAPI is the production endpoint of the kagglesdk RPC API.
const KaggleAPI = "https://api.kaggle.com"

// Credentials authenticate Kaggle API calls: a bearer Token, or Username
// and Key for HTTP Basic. From names where they were found.
type Credentials struct {
	Token         string
	Username, Key string
	From          string
}

// KaggleCredentials finds credentials as the official clients do, first
// match wins:
//
//  1. KAGGLE_API_TOKEN: the token, or the path of a file holding it;
//  2. ~/.kaggle/access_token, ~/.kaggle/access_token.txt;
//  3. KAGGLE_USERNAME and KAGGLE_KEY (both needed);
//  4. kaggle.json ({"username","key"}) in KAGGLE_CONFIG_DIR, else ~/.kaggle,
//     else $XDG_CONFIG_HOME/kaggle or ~/.config/kaggle.
//
// getenv defaults to os.Getenv; HOME comes from it too. The error when
// none is found wraps ErrNoCredentials and names the variables to set.
func KaggleCredentials(getenv func(string) string) (Credentials, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	home := getenv("HOME")
	if home == "" && runtime.GOOS == "windows" {
		home = getenv("USERPROFILE")
	}
	if t := strings.TrimSpace(getenv("KAGGLE_API_TOKEN")); t != "" {
		if b, err := os.ReadFile(t); err == nil {
			return Credentials{Token: strings.TrimSpace(string(b)), From: "KAGGLE_API_TOKEN file " + t}, nil
		}
		return Credentials{Token: t, From: "KAGGLE_API_TOKEN"}, nil
	}
	if home != "" {
		for _, n := range []string{"access_token", "access_token.txt"} {
			p := filepath.Join(home, ".kaggle", n)
			if b, err := os.ReadFile(p); err == nil && strings.TrimSpace(string(b)) != "" {
				return Credentials{Token: strings.TrimSpace(string(b)), From: p}, nil
			}
		}
	}
	user, key := strings.TrimSpace(getenv("KAGGLE_USERNAME")), strings.TrimSpace(getenv("KAGGLE_KEY"))
	switch {
	case user != "" && key != "":
		return Credentials{Username: user, Key: key, From: "KAGGLE_USERNAME/KAGGLE_KEY"}, nil
	case user != "":
		return Credentials{}, fmt.Errorf("dataset: %w: KAGGLE_USERNAME is set but KAGGLE_KEY is not", ErrNoCredentials)
	case key != "":
		return Credentials{}, fmt.Errorf("dataset: %w: KAGGLE_KEY is set but KAGGLE_USERNAME is not", ErrNoCredentials)
	}
	var dirs []string
	if d := getenv("KAGGLE_CONFIG_DIR"); d != "" {
		dirs = append(dirs, d)
	} else if home != "" {
		dirs = append(dirs, filepath.Join(home, ".kaggle"))
		if x := getenv("XDG_CONFIG_HOME"); x != "" {
			dirs = append(dirs, filepath.Join(x, "kaggle"))
		} else {
			dirs = append(dirs, filepath.Join(home, ".config", "kaggle"))
		}
	}
	for _, d := range dirs {
		p := filepath.Join(d, "kaggle.json")
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		var kj struct{ Username, Key string }
		if err := json.Unmarshal(b, &kj); err != nil || kj.Username == "" || kj.Key == "" {
			return Credentials{}, fmt.Errorf("dataset: %w: %s needs {\"username\": …, \"key\": …}", ErrNoCredentials, p)
		}
		return Credentials{Username: kj.Username, Key: kj.Key, From: p}, nil
	}
	return Credentials{}, fmt.Errorf("dataset: %w: set KAGGLE_API_TOKEN (or KAGGLE_USERNAME and KAGGLE_KEY, or write ~/.kaggle/kaggle.json); tokens: https://www.kaggle.com/settings", ErrNoCredentials)
}
