package stack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Process is a running service.
type Process struct {
	Name string // service name, e.g. "minio"
	Cmd  *exec.Cmd
	Log  string // path of the file receiving stdout and stderr

	exited chan struct{} // closed when an attached process exits
	err    error         // wait error of an attached process
}

// PortInUseError reports that a service's address is taken. Its message
// leaves the service out, for callers to say it once.
type PortInUseError struct {
	Service string
	Addr    string
	Err     error
}

func (e *PortInUseError) Error() string {
	return fmt.Sprintf("address %s is already in use", e.Addr)
}

func (e *PortInUseError) Unwrap() error { return e.Err }

// CheckPort returns *PortInUseError when addr cannot be listened on.
func CheckPort(service, addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return &PortInUseError{Service: service, Addr: addr, Err: err}
	}
	return l.Close()
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// start runs cmd in its own process group with output appended to logPath.
// A detached process also gets its own session and is not waited for, so it
// outlives the caller.
func start(name string, cmd *exec.Cmd, logPath string, detach bool) (*Process, error) {
	// Logs may hold what a service prints about its credentials: owner only.
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("%s: log: %w", name, err)
	}
	defer logf.Close()
	fmt.Fprintf(logf, "\n=== %s: %s\n", time.Now().Format(time.RFC3339), strings.Join(cmd.Args, " "))
	cmd.Stdout, cmd.Stderr = logf, logf
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	if detach {
		cmd.SysProcAttr.Setsid = true
	} else {
		cmd.SysProcAttr.Setpgid = true
		cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL // never outlive a crashed test binary
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: start %s: %w", name, cmd.Path, err)
	}
	p := &Process{Name: name, Cmd: cmd, Log: logPath, exited: make(chan struct{})}
	// Reap while we are alive; a detached process outlives us.
	go func() { p.err = cmd.Wait(); close(p.exited) }()
	return p, nil
}

// Exited reports whether the process has ended (attached processes only).
func (p *Process) Exited() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// Stop ends the process group: SIGTERM, then SIGKILL after grace.
func (p *Process) Stop(grace time.Duration) error {
	if p == nil || p.Cmd.Process == nil {
		return nil
	}
	return StopPID(p.Cmd.Process.Pid, grace, p.exited)
}

// Kill ends the process group with SIGKILL at once, as a crash or
// `kill -9` would, and waits until the leader is reaped.
func (p *Process) Kill() error {
	if p == nil || p.Cmd.Process == nil {
		return nil
	}
	if err := syscall.Kill(-p.Cmd.Process.Pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("kill pid %d: %w", p.Cmd.Process.Pid, err)
	}
	<-p.exited
	return nil
}

// StopPID ends the process group led by pid: SIGTERM, then SIGKILL after
// grace. exited, when not nil, is closed when the process has been reaped.
func StopPID(pid int, grace time.Duration, exited <-chan struct{}) error {
	if err := syscall.Kill(-pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("stop pid %d: %w", pid, err)
	}
	deadline := time.Now().Add(grace)
	for time.Now().Before(deadline) {
		if exited != nil {
			select {
			case <-exited:
				return killStragglers(pid)
			case <-time.After(50 * time.Millisecond):
			}
		} else {
			if !Alive(pid) {
				return killStragglers(pid)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	if exited != nil {
		<-exited
	}
	return nil
}

// killStragglers kills what is left of a process group whose leader exited.
func killStragglers(pgid int) error {
	if err := syscall.Kill(-pgid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return err
	}
	return nil
}

// Alive reports whether a process with this pid exists (and is not a zombie).
func Alive(pid int) bool {
	if pid <= 0 || syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	// Field 3 is the state; a zombie has been reaped by nobody yet but is gone.
	if i := bytes.LastIndexByte(b, ')'); i >= 0 && i+2 < len(b) && b[i+2] == 'Z' {
		return false
	}
	return true
}

// waitHealthy polls check until it succeeds, the process exits, or the
// timeout passes.
func (p *Process) waitHealthy(ctx context.Context, timeout time.Duration, check func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last error
	for {
		if err := check(ctx); err == nil {
			return nil
		} else {
			last = err
		}
		select {
		case <-p.exited:
			return fmt.Errorf("%s exited before it was healthy (%v); last lines of %s:\n%s", p.Name, p.err, p.Log, tail(p.Log, 15))
		case <-ctx.Done():
			return fmt.Errorf("%s not healthy after %s: %v; last lines of %s:\n%s", p.Name, timeout, last, p.Log, tail(p.Log, 15))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// httpOK checks that GET url answers 200.
func httpOK(url string) func(context.Context) error {
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %s", url, resp.Status)
		}
		return nil
	}
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "  " + strings.Join(lines, "\n  ")
}
