package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Local is a Store in a folder: bucket b is the directory root/b, object k
// the file root/b/k. Metadata lives in root/.meta/b/k.json and temporary
// files in root/.tmp, so neither can clash with a bucket (bucket names do
// not start with a dot).
type Local struct {
	root string
}

var _ Store = (*Local)(nil)

// NewLocal returns a store rooted at dir, creating dir if needed.
func NewLocal(dir string) (*Local, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	return &Local{root: abs}, nil
}

// Root returns the store's folder.
func (l *Local) Root() string { return l.root }

type localMeta struct {
	ContentType string `json:"content_type"`
	SHA256      string `json:"sha256"`
	Size        int64  `json:"size"`
}

func (l *Local) objPath(bucket, key string) string {
	return filepath.Join(l.root, bucket, filepath.FromSlash(key))
}

func (l *Local) metaPath(bucket, key string) string {
	return filepath.Join(l.root, ".meta", bucket, filepath.FromSlash(key)+".json")
}

func (l *Local) bucketExists(bucket string) error {
	fi, err := os.Stat(filepath.Join(l.root, bucket))
	if err != nil || !fi.IsDir() {
		return fmt.Errorf("storage: %s: %w", bucket, ErrNoBucket)
	}
	return nil
}

// EnsureBucket creates the bucket's directory.
func (l *Local) EnsureBucket(ctx context.Context, bucket string) error {
	if err := CheckBucketName(bucket); err != nil {
		return err
	}
	return os.MkdirAll(filepath.Join(l.root, bucket), 0o755)
}

// Put writes r to a temporary file, then renames it (and its metadata)
// into place.
func (l *Local) Put(ctx context.Context, bucket, key string, r io.Reader, opts *PutOptions) (ObjectInfo, error) {
	if err := checkNames(bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	if err := l.bucketExists(bucket); err != nil {
		return ObjectInfo{}, err
	}
	if opts == nil {
		opts = &PutOptions{}
	}
	tmpDir := filepath.Join(l.root, ".tmp")
	if err := os.MkdirAll(tmpDir, 0o755); err != nil {
		return ObjectInfo{}, err
	}
	f, err := os.CreateTemp(tmpDir, "put-*")
	if err != nil {
		return ObjectInfo{}, err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	var src io.Reader = ctxReader{ctx, r}
	if opts.Progress != nil {
		src = &progressReader{r: src, fn: opts.Progress}
	}
	h := newSHA()
	n, err := io.Copy(io.MultiWriter(f, h), src)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("storage: put %s/%s: %w", bucket, key, err)
	}
	sum := h.hex()
	if opts.SHA256 != "" && !strings.EqualFold(opts.SHA256, sum) {
		return ObjectInfo{}, fmt.Errorf("storage: put %s/%s: %w: got %s, want %s", bucket, key, ErrChecksum, sum, opts.SHA256)
	}
	ct := opts.ContentType
	if ct == "" {
		ct = ContentType(key)
	}
	meta, _ := json.Marshal(localMeta{ContentType: ct, SHA256: sum, Size: n})
	mp, op := l.metaPath(bucket, key), l.objPath(bucket, key)
	for _, d := range []string{filepath.Dir(mp), filepath.Dir(op)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return ObjectInfo{}, err
		}
	}
	mt, err := os.CreateTemp(tmpDir, "meta-*")
	if err != nil {
		return ObjectInfo{}, err
	}
	defer os.Remove(mt.Name())
	_, err = mt.Write(meta)
	if cerr := mt.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(mt.Name(), mp)
	}
	if err == nil {
		err = os.Rename(tmp, op)
	}
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("storage: put %s/%s: %w", bucket, key, err)
	}
	return l.Stat(ctx, bucket, key)
}

// Get opens the object's file.
func (l *Local) Get(ctx context.Context, bucket, key string) (io.ReadCloser, ObjectInfo, error) {
	info, err := l.Stat(ctx, bucket, key)
	if err != nil {
		return nil, ObjectInfo{}, err
	}
	f, err := os.Open(l.objPath(bucket, key))
	if err != nil {
		return nil, ObjectInfo{}, l.notFound("get", bucket, key, err)
	}
	return f, info, nil
}

// Stat describes the object. The SHA-256 is reported only while the
// metadata matches the file's size.
func (l *Local) Stat(ctx context.Context, bucket, key string) (ObjectInfo, error) {
	if err := checkNames(bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	if err := l.bucketExists(bucket); err != nil {
		return ObjectInfo{}, err
	}
	fi, err := os.Stat(l.objPath(bucket, key))
	if err != nil || !fi.Mode().IsRegular() {
		return ObjectInfo{}, l.notFound("stat", bucket, key, err)
	}
	return l.info(bucket, key, fi), nil
}

func (l *Local) info(bucket, key string, fi fs.FileInfo) ObjectInfo {
	o := ObjectInfo{Bucket: bucket, Key: key, Size: fi.Size(), ModTime: fi.ModTime().UTC().Truncate(time.Millisecond), ContentType: ContentType(key)}
	if b, err := os.ReadFile(l.metaPath(bucket, key)); err == nil {
		var m localMeta
		if json.Unmarshal(b, &m) == nil && m.Size == fi.Size() {
			o.SHA256, o.ContentType = m.SHA256, m.ContentType
		}
	}
	return o
}

func (l *Local) notFound(op, bucket, key string, err error) error {
	if err == nil || errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("storage: %s %s/%s: %w", op, bucket, key, ErrNotFound)
	}
	return fmt.Errorf("storage: %s %s/%s: %w", op, bucket, key, err)
}

// List walks the bucket's directory.
func (l *Local) List(ctx context.Context, bucket, prefix string) iter.Seq2[ObjectInfo, error] {
	return func(yield func(ObjectInfo, error) bool) {
		if err := CheckBucketName(bucket); err != nil {
			yield(ObjectInfo{}, err)
			return
		}
		if err := l.bucketExists(bucket); err != nil {
			yield(ObjectInfo{}, err)
			return
		}
		base := filepath.Join(l.root, bucket)
		var out []ObjectInfo
		err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			rel, _ := filepath.Rel(base, p)
			key := filepath.ToSlash(rel)
			if d.IsDir() {
				if p != base && !strings.HasPrefix(key+"/", prefix) && !strings.HasPrefix(prefix, key+"/") {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() || !strings.HasPrefix(key, prefix) {
				return nil
			}
			fi, err := d.Info()
			if err != nil {
				return nil // removed meanwhile
			}
			out = append(out, l.info(bucket, key, fi))
			return nil
		})
		if err != nil {
			yield(ObjectInfo{}, fmt.Errorf("storage: list %s/%s: %w", bucket, prefix, err))
			return
		}
		slices.SortFunc(out, func(a, b ObjectInfo) int { return strings.Compare(a.Key, b.Key) })
		for _, o := range out {
			if !yield(o, nil) {
				return
			}
		}
	}
}

// Remove deletes the object's file and metadata.
func (l *Local) Remove(ctx context.Context, bucket, key string) error {
	if err := checkNames(bucket, key); err != nil {
		return err
	}
	if err := os.Remove(l.objPath(bucket, key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("storage: remove %s/%s: %w", bucket, key, err)
	}
	os.Remove(l.metaPath(bucket, key))
	return nil
}
