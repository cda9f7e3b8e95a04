//go:build race

package frame

// raceEnabled: the race detector's instrumentation allocates, so
// allocation bounds do not hold under it.
const raceEnabled = true
