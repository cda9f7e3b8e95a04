package mlflow

import (
	"fmt"
	"math"
	"path"
	"regexp"
	"strings"
)

// Server-side limits (mlflow/utils/validation.py, MLflow 3.17).
const (
	MaxKeyLength          = 250
	MaxParamValueLength   = 6000
	MaxTagValueLength     = 8000
	MaxBatchMetrics       = 1000
	MaxBatchParams        = 100
	MaxBatchTags          = 100
	MaxBatchEntities      = 1000
	MaxBatchBodyBytes     = 1_000_000
	MaxExperimentNameSize = 500
	// MaxExperimentTagValueLength bounds experiment tag values.
	MaxExperimentTagValueLength = 5000
)

var keyRE = regexp.MustCompile(`^[/\p{L}\p{N}\p{Mn}_.\- :]*$`) // Python's Unicode \w

// ValidateKey checks a metric, param or tag key the way the server does:
// 1..250 characters among letters, digits, '_', '-', '.', ' ', '/', ':';
// a normalized relative path (no "..", no leading '/', no "//", not ".").
// The error wraps ErrInvalid.
func ValidateKey(kind, key string) error {
	switch {
	case key == "":
		return fmt.Errorf("%w: %s key is empty", ErrInvalid, kind)
	case len(key) > MaxKeyLength:
		return fmt.Errorf("%w: %s key %.40q… is %d characters, the limit is %d", ErrInvalid, kind, key, len(key), MaxKeyLength)
	case !keyRE.MatchString(key):
		return fmt.Errorf("%w: %s key %q: only letters, digits, '_', '-', '.', ' ', ':' and '/' are allowed", ErrInvalid, kind, key)
	case path.Clean(key) != key || key == "." || strings.HasPrefix(key, "..") || strings.HasPrefix(key, "/"):
		return fmt.Errorf("%w: %s key %q must be a normalized relative path (no '..', no leading or doubled '/')", ErrInvalid, kind, key)
	}
	return nil
}

func validateParam(key, value string) error {
	if err := ValidateKey("param", key); err != nil {
		return err
	}
	if len(value) > MaxParamValueLength {
		return fmt.Errorf("%w: param %q value is %d bytes, the limit is %d", ErrInvalid, key, len(value), MaxParamValueLength)
	}
	return nil
}

func validateTag(key, value string) error {
	if err := ValidateKey("tag", key); err != nil {
		return err
	}
	if len(value) > MaxTagValueLength {
		return fmt.Errorf("%w: tag %q value is %d bytes, the limit is %d", ErrInvalid, key, len(value), MaxTagValueLength)
	}
	return nil
}

func validateMetric(m Metric) error {
	if err := ValidateKey("metric", m.Key); err != nil {
		return err
	}
	if m.Timestamp < 0 {
		return fmt.Errorf("%w: metric %q timestamp %d is negative", ErrInvalid, m.Key, m.Timestamp)
	}
	_ = math.NaN // NaN and ±Inf are valid values
	return nil
}

// validateArtifactPath checks a relative artifact path.
func validateArtifactPath(p string) error {
	if p == "" {
		return nil
	}
	if strings.HasPrefix(p, "/") || path.Clean(p) != p || p == ".." || strings.HasPrefix(p, "../") || strings.Contains(p, "\\") {
		return fmt.Errorf("%w: artifact path %q must be a normalized relative path", ErrInvalid, p)
	}
	return nil
}

var (
	aliasRE        = regexp.MustCompile(`^[\p{L}\p{N}\p{Mn}_\-]+$`)
	aliasVersionRE = regexp.MustCompile(`^[vV][0-9]+$`)
)

// validateAlias applies the registry's alias rules
// (mlflow/utils/validation.py _validate_model_alias_name[_reserved]).
func validateAlias(alias string) error {
	switch {
	case alias == "":
		return nil
	case len(alias) > 255 || !aliasRE.MatchString(alias):
		return fmt.Errorf("%w: alias %q: 1..255 letters, digits, '_' or '-'", ErrInvalid, alias)
	case strings.EqualFold(alias, "latest") || aliasVersionRE.MatchString(alias):
		return fmt.Errorf("%w: alias %q is reserved by the registry", ErrInvalid, alias)
	}
	return nil
}
