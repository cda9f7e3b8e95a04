package dataset

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Limits bound downloads and archive extraction.
type Limits struct {
	// MaxBytes bounds a download and the total size of the files
	// extracted from an archive (declared sizes are checked before
	// anything is written, real sizes as it is written).
	MaxBytes int64
	// MaxEntries bounds the number of entries in the archive.
	MaxEntries int
	// MaxRatio bounds uncompressed/compressed size of an entry larger
	// than 1 MiB, and of all the extracted entries together when they
	// exceed 1 MiB (zip bombs reach 1000 and more; CSV rarely beyond 20).
	MaxRatio int64
}

// DefaultLimits: 16 GiB, 10000 entries, ratio 200.
var DefaultLimits = Limits{MaxBytes: 16 << 30, MaxEntries: 10000, MaxRatio: 200}

// Extract writes the CSV entries of the zip archive at zipPath under dir
// (see the package rules) and returns them sorted by name. Entries that
// are not CSV (and macOS "__MACOSX/" metadata) are skipped; an unsafe
// entry name anywhere fails the whole archive. On error dir may hold
// partial files; the caller owns dir.
func Extract(ctx context.Context, zipPath, dir string, lim *Limits) ([]File, error) {
	files, err := extract(ctx, zipPath, dir, lim, isCSVName)
	if err == nil && len(files) == 0 {
		err = fmt.Errorf("dataset: %s: %w in the archive", filepath.Base(zipPath), ErrNoCSV)
	}
	return files, err
}

// ExtractAll is Extract for every regular file of the archive (an image
// dataset, say), under the same rules and limits; MaxBytes bounds all the
// files. No file at all is an error.
func ExtractAll(ctx context.Context, zipPath, dir string, lim *Limits) ([]File, error) {
	files, err := extract(ctx, zipPath, dir, lim, func(string) bool { return true })
	if err == nil && len(files) == 0 {
		err = fmt.Errorf("dataset: %s: no files in the archive", filepath.Base(zipPath))
	}
	return files, err
}

func extract(ctx context.Context, zipPath, dir string, lim *Limits, keep func(string) bool) ([]File, error) {
	if lim == nil {
		lim = &DefaultLimits
	}
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return nil, fmt.Errorf("dataset: %s: %w", filepath.Base(zipPath), err)
	}
	defer zr.Close()
	if len(zr.File) > lim.MaxEntries {
		return nil, fmt.Errorf("dataset: %s: %w: %d entries (limit %d)", filepath.Base(zipPath), ErrTooLarge, len(zr.File), lim.MaxEntries)
	}
	// Check every name, and the sizes the archive declares, before
	// writing anything. archive/zip fails an entry that inflates past its
	// declared size, so the declared total bounds what can be written.
	wanted := func(f *zip.File, name string) bool {
		return !f.FileInfo().IsDir() && keep(name) && !strings.HasPrefix(name, "__MACOSX/") && !strings.HasPrefix(path.Base(name), "._")
	}
	var declared, compressed uint64
	for _, f := range zr.File {
		if err := checkEntry(f); err != nil {
			return nil, fmt.Errorf("dataset: %s: %w", filepath.Base(zipPath), err)
		}
		if wanted(f, path.Clean(f.Name)) {
			declared += f.UncompressedSize64
			compressed += f.CompressedSize64
		}
	}
	if declared > uint64(lim.MaxBytes) {
		return nil, fmt.Errorf("dataset: %s: %w: the archive declares %d bytes to extract, more than the limit of %d", filepath.Base(zipPath), ErrTooLarge, declared, lim.MaxBytes)
	}
	// The ratio over all entries: many entries of 1 MiB each pass the
	// per-entry check below, yet together they are a bomb.
	if declared > 1<<20 && declared/max(compressed, 1) > uint64(lim.MaxRatio) {
		return nil, fmt.Errorf("dataset: %s: %w: %d bytes compressed into %d, a ratio above %d (zip bomb?)", filepath.Base(zipPath), ErrTooLarge, declared, compressed, lim.MaxRatio)
	}
	var out []File
	var total int64
	seen := map[string]bool{}
	for _, f := range zr.File {
		name := path.Clean(f.Name)
		if !wanted(f, name) {
			continue
		}
		if seen[strings.ToLower(name)] {
			return nil, fmt.Errorf("dataset: %s: %w: %q appears twice", filepath.Base(zipPath), ErrUnsafeArchive, name)
		}
		seen[strings.ToLower(name)] = true
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n, err := extractOne(ctx, f, filepath.Join(dir, filepath.FromSlash(name)), lim.MaxBytes-total, lim)
		total += n
		if err != nil {
			return nil, fmt.Errorf("dataset: %s: %s: %w", filepath.Base(zipPath), name, err)
		}
		out = append(out, File{Name: name, Path: filepath.Join(dir, filepath.FromSlash(name))})
	}
	slices.SortFunc(out, func(a, b File) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func checkEntry(f *zip.File) error {
	n := f.Name
	if strings.Contains(n, "\\") || strings.HasPrefix(n, "/") || !filepath.IsLocal(filepath.FromSlash(strings.TrimSuffix(n, "/"))) {
		return fmt.Errorf("%w: %q", ErrUnsafeArchive, n)
	}
	for seg := range strings.SplitSeq(strings.TrimSuffix(n, "/"), "/") {
		if seg == ".." {
			return fmt.Errorf("%w: %q", ErrUnsafeArchive, n)
		}
	}
	m := f.Mode()
	if m&os.ModeSymlink != 0 || m&(os.ModeDevice|os.ModeNamedPipe|os.ModeSocket|os.ModeCharDevice) != 0 {
		return fmt.Errorf("%w: %q is a link or device", ErrUnsafeArchive, n)
	}
	return nil
}

// extractOne copies one entry, counting real bytes against budget and the
// ratio limit.
func extractOne(ctx context.Context, f *zip.File, dst string, budget int64, lim *Limits) (int64, error) {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return 0, err
	}
	rc, err := f.Open()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	w, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return 0, err
	}
	defer w.Close()
	comp := max(int64(f.CompressedSize64), 1)
	buf := make([]byte, 256<<10)
	var n int64
	for {
		if n%(64<<20) < int64(len(buf)) {
			if err := ctx.Err(); err != nil {
				return n, err
			}
		}
		k, rerr := rc.Read(buf)
		n += int64(k)
		if n > budget {
			return n, fmt.Errorf("%w: more than %d bytes extracted", ErrTooLarge, lim.MaxBytes)
		}
		if n > 1<<20 && n/comp > lim.MaxRatio {
			return n, fmt.Errorf("%w: compression ratio above %d (zip bomb?)", ErrTooLarge, lim.MaxRatio)
		}
		if _, werr := w.Write(buf[:k]); werr != nil {
			return n, werr
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return n, rerr
		}
	}
	return n, w.Close()
}
