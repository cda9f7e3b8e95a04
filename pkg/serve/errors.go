package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// MLflow error codes (mlflow.protos.databricks_pb2) this server answers
// with, and the HTTP status MLflow gives each.
const (
	CodeBadRequest             = "BAD_REQUEST"             // 400
	CodeInvalidParameterValue  = "INVALID_PARAMETER_VALUE" // 400
	CodeTemporarilyUnavailable = "TEMPORARILY_UNAVAILABLE" // 503
	CodeInternalError          = "INTERNAL_ERROR"          // 500
	// CodeRequestTooLarge has no MLflow code: MLflow reads any body.
	CodeRequestTooLarge = "REQUEST_TOO_LARGE" // 413
)

// ErrNotSupported is the cause of an *Error asking for an output the
// model does not give (contributions, for now).
var ErrNotSupported = errors.New("serve: not supported")

// Error is an error answered to a client as MLflow does: a JSON body with
// error_code and message, with the status of the code.
type Error struct {
	Code    string // an MLflow error code, as CodeBadRequest
	Message string
	Err     error // the cause, if any (ErrNotSupported)
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Status is the HTTP status MLflow gives e's code.
func (e *Error) Status() int {
	switch e.Code {
	case CodeBadRequest, CodeInvalidParameterValue:
		return http.StatusBadRequest
	case CodeTemporarilyUnavailable:
		return http.StatusServiceUnavailable
	case CodeRequestTooLarge:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

// invalidInput is MLflow's MlflowInvalidInputException: BAD_REQUEST with
// "Invalid input. " before the message.
func invalidInput(format string, args ...any) *Error {
	return &Error{Code: CodeBadRequest, Message: "Invalid input. " + fmt.Sprintf(format, args...)}
}

// body is the JSON of e, as MLflow's MlflowException.serialize_as_json.
func (e *Error) body() []byte {
	b, _ := json.Marshal(struct {
		Code    string `json:"error_code"`
		Message string `json:"message"`
	}{e.Code, e.Message})
	return b
}
