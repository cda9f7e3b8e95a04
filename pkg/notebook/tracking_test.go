package notebook

import (
	"context"
	"net"
	"strings"
	"testing"
)

// TestTracking: a tracking URI where nothing listens gives a warning naming
// the server and the error, on stderr, and the error; none set says where
// the runs go; credentials in the URI are never printed.
func TestTracking(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	t.Setenv("MLSTACK_MLFLOW_SPOOL", t.TempDir())
	for _, tc := range []struct {
		name, uri           string
		wantErr             bool
		wantOut, wantErrOut []string
	}{
		{"unset", "", false, []string{"MLFLOW_TRACKING_URI is not set: runs go to the offline spool", "`train sync`"}, nil},
		{"unreachable", "http://" + addr, true, nil, []string{"WARNING: MLflow tracking server http://" + addr + " unreachable: ", "connection refused",
			"will be spooled; `train sync` sends them"}},
		{"credentials", "http://me:pa55word@" + addr, true, nil, []string{"http://me:[REDACTED]@" + addr + " unreachable"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut strings.Builder
			err := tracking(context.Background(), tc.uri, &out, &errOut)
			if (err != nil) != tc.wantErr {
				t.Errorf("error = %v, want error %v", err, tc.wantErr)
			}
			for _, w := range tc.wantOut {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout %q lacks %q", out.String(), w)
				}
			}
			for _, w := range tc.wantErrOut {
				if !strings.Contains(errOut.String(), w) {
					t.Errorf("stderr %q lacks %q", errOut.String(), w)
				}
			}
			if s := out.String() + errOut.String(); strings.Contains(s, "pa55word") || (err != nil && strings.Contains(err.Error(), "pa55word")) {
				t.Errorf("the password is printed: %s / %v", s, err)
			}
		})
	}
}
