package mlflow

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mlstack/mlstack/internal/redact"
)

// MLflow error codes (the error_code field of an error response) that
// callers commonly test for.
const (
	CodeInvalidParameterValue = "INVALID_PARAMETER_VALUE"
	CodeResourceAlreadyExists = "RESOURCE_ALREADY_EXISTS"
	CodeResourceDoesNotExist  = "RESOURCE_DOES_NOT_EXIST"
	CodePermissionDenied      = "PERMISSION_DENIED"
	CodeUnauthenticated       = "UNAUTHENTICATED"
)

// APIError is the typed error returned for every HTTP answer that is not a
// success. Code and Message come from MLflow's JSON error body
// ({"error_code": ..., "message": ...}); for a body that is not MLflow JSON
// (an HTML page from a proxy, plain text from the security middleware),
// Code is empty and Body holds the start of what was received.
//
// Test for it with errors.As:
//
//	var apiErr *mlflow.APIError
//	if errors.As(err, &apiErr) && apiErr.Code == mlflow.CodeResourceDoesNotExist { ... }
type APIError struct {
	StatusCode int    // HTTP status
	Code       string // MLflow error_code, "" when the body was not MLflow JSON
	Message    string // MLflow message, or a description of the bad body
	Method     string // HTTP method of the request
	Path       string // URL path of the request
	Body       string // first bytes of a non-JSON body
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "mlflow: %s %s: HTTP %d", e.Method, e.Path, e.StatusCode)
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	switch e.StatusCode {
	case 401:
		b.WriteString(" (authentication required: set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN)")
	case 403:
		b.WriteString(" (permission denied: check the credentials' permissions, or the server's --allowed-hosts when behind a proxy)")
	}
	if e.Body != "" {
		fmt.Fprintf(&b, "; body: %q", e.Body)
	}
	return redact.String(b.String())
}

// Is makes errors.Is(err, ErrNotFound) true for RESOURCE_DOES_NOT_EXIST
// and HTTP 404 answers.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Code == CodeResourceDoesNotExist || (e.Code == "" && e.StatusCode == 404)
	case ErrAlreadyExists:
		return e.Code == CodeResourceAlreadyExists
	case ErrUnauthorized:
		return e.StatusCode == 401 || e.StatusCode == 403
	}
	return false
}

var (
	// ErrNotFound matches (errors.Is) an APIError saying the resource does not exist.
	ErrNotFound = errors.New("mlflow: resource does not exist")
	// ErrAlreadyExists matches an APIError with code RESOURCE_ALREADY_EXISTS.
	ErrAlreadyExists = errors.New("mlflow: resource already exists")
	// ErrUnauthorized matches an APIError with HTTP status 401 or 403.
	ErrUnauthorized = errors.New("mlflow: unauthorized")
	// ErrBadResponse is wrapped when a 2xx answer is not the JSON MLflow
	// sends (for example an HTML login page of a proxy).
	ErrBadResponse = errors.New("mlflow: answer is not MLflow JSON")
	// ErrUnsupportedURI is wrapped when a tracking or artifact URI has a
	// scheme this package cannot use.
	ErrUnsupportedURI = errors.New("mlflow: unsupported URI")
	// ErrInvalid is wrapped by input validation errors (bad keys, values,
	// changed params) detected before anything is sent.
	ErrInvalid = errors.New("mlflow: invalid input")
	// ErrClosed is returned by a Run after End or Close.
	ErrClosed = errors.New("mlflow: run is closed")
)

// unavailableError marks a failure to reach the server at all (connection
// refused, DNS, timeout, retries exhausted on 5xx/429): the condition under
// which a Run falls back to its spool.
type unavailableError struct{ err error }

func (e *unavailableError) Error() string {
	return "mlflow: server unavailable: " + redact.String(e.err.Error())
}
func (e *unavailableError) Unwrap() error { return e.err }

// IsUnavailable reports whether err means the tracking server could not
// be reached or kept failing transiently (connection errors, timeouts,
// 429 and 5xx after all retries).
func IsUnavailable(err error) bool {
	var u *unavailableError
	if errors.As(err, &u) {
		return true
	}
	var a *APIError
	if errors.As(err, &a) {
		return a.StatusCode == 429 || a.StatusCode >= 500
	}
	return false
}
