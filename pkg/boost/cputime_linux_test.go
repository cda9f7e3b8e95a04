package boost

import (
	"syscall"
	"time"
)

// threadCPU is the CPU time of the calling thread (lock it with
// runtime.LockOSThread), which a loaded machine disturbs far less than
// the wall time benchmarks report.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_THREAD, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
