// Package filekind names what a file that is not a regular file is, for
// the errors of the readers that refuse one (a config, a data source): a
// named pipe or a device would be read without end, or block.
package filekind // import "github.com/mlstack/mlstack/internal/filekind"

import "io/fs"

// Of names the type of a file mode in words: "a directory", "a named
// pipe", "a character device", "a device", "a socket", else the mode's
// type letters.
func Of(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return m.Type().String()
}
