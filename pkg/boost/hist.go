package boost

import (
	"math"
	"slices"
	"sync"
	"unsafe"

	"gonum.org/v1/gonum/mat"
)

// binned is the quantised training matrix of the hist method.
//
// Every feature's bins are kept column-major (c8 or c16: one byte per
// value when every feature has at most 256 bins, else two), for
// partitioning rows. For histograms, the dense features (dense) are also
// kept row-major (b8 or b16), and the sparse ones, whose most frequent
// bin (def) holds at least half of the rows, as one list per row of the
// histogram slots of its values outside that bin (sp: CSR). A sparse
// feature's most frequent bin is not added up: it is the node's total
// minus the feature's other bins (fillDefaults). On one-hot columns this
// makes a histogram as cheap as the row's few non-zero values.
type binned struct {
	nrow, ncol int
	cuts       [][]float32 // per feature: XGBoost cut values (last = sentinel)
	mins       []float32   // per feature: XGBoost min value
	ptr        []int32     // histogram offset of each feature, len ncol+1
	miss       []int32     // local bin index of missing values, or -1
	c8         [][]uint8   // column-major bins, for partitioning
	c16        [][]uint16

	dense  []int32  // features stored row-major
	dptr   []int    // histogram offset of each dense feature
	b8     []uint8  // nrow x len(dense), row-major, for histograms
	b16    []uint16 // the same when some feature has more than 256 bins
	sparse []int32  // features stored as lists
	def    []int32  // local bin of each sparse feature that is not listed
	spRow  []int32  // row r's entries are spIdx[spRow[r]:spRow[r+1]]
	spIdx  []uint32 // histogram slot (ptr[f] + bin) of a sparse value
}

// sketchCuts returns XGBoost-style cuts for one feature from its present
// values sorted ascending (with their weights, nil = 1): the summary of
// distinct values pruned to maxBin+1 entries like XGBoost's
// WQSummary::SetPrune (for up to ~2000 rows this is exactly what XGBoost
// computes; above, XGBoost's streaming sketch approximates the same
// quantiles), then cuts = summary[1:min(size, maxBin)] plus a sentinel
// above the maximum. scratch, if it has room for len(sorted) entries,
// holds the summary (a column of a million distinct values would otherwise
// allocate tens of MB each time).
func sketchCuts(sorted []float32, ws []float32, maxBin int, scratch []wqEntry) (cuts []float32, minv float32) {
	if len(sorted) == 0 {
		return []float32{1e-5}, 1e-5
	}
	sum := scratch[:0]
	var acc float32
	for i, v := range sorted {
		w := float32(1)
		if ws != nil {
			w = ws[i]
		}
		if len(sum) == 0 || v != sum[len(sum)-1].value {
			sum = append(sum, wqEntry{rmin: acc, value: v})
		}
		e := &sum[len(sum)-1]
		e.wmin += w
		acc += w
		e.rmax = acc
	}
	mn, mx := sum[0].value, sum[len(sum)-1].value
	minv = mn - float32(math.Abs(float64(mn))) - 1e-5
	sentinel := mx + (float32(math.Abs(float64(mx))) + 1e-5)
	sum = setPrune(sum, maxBin+1)
	req := min(len(sum), maxBin)
	for i := 1; i < req; i++ {
		if i == 1 || sum[i].value > cuts[len(cuts)-1] {
			cuts = append(cuts, sum[i].value)
		}
	}
	cuts = append(cuts, sentinel)
	return cuts, minv
}

// wqEntry is an entry of XGBoost's weighted quantile summary (float32
// ranks like WQSummary<float, float>).
type wqEntry struct {
	rmin, rmax, wmin float32
	value            float32
}

// setPrune is XGBoost's WQSummary::SetPrune.
func setPrune(src []wqEntry, maxsize int) []wqEntry {
	if len(src) <= maxsize {
		return src
	}
	begin := src[0].rmax
	rng := src[len(src)-1].rmin - src[0].rmax
	n := maxsize - 1
	out := []wqEntry{src[0]}
	i, last := 1, 0
	for k := 1; k < n; k++ {
		dx2 := 2 * ((float32(k)*rng)/float32(n) + begin)
		for i < len(src)-1 && dx2 >= src[i+1].rmax+src[i+1].rmin {
			i++
		}
		if i == len(src)-1 {
			break
		}
		if dx2 < (src[i].rmin+src[i].wmin)+(src[i+1].rmax-src[i+1].wmin) {
			if i != last {
				out = append(out, src[i])
				last = i
			}
		} else if i+1 != last {
			out = append(out, src[i+1])
			last = i + 1
		}
	}
	if last != len(src)-1 {
		out = append(out, src[len(src)-1])
	}
	return out
}

// sortKey maps a float32 to a uint32 with the same order (-0 = +0).
func sortKey(v float32) uint32 {
	if v == 0 {
		v = 0
	}
	b := math.Float32bits(v)
	if b&0x80000000 != 0 {
		return ^b
	}
	return b | 0x80000000
}

func keyValue(k uint32) float32 {
	if k&0x80000000 != 0 {
		return math.Float32frombits(k &^ 0x80000000)
	}
	return math.Float32frombits(^k)
}

// radixSort sorts keys ascending, carrying rows along (LSD, 8-bit digits,
// stable). tk and tr are scratch of the same length.
func radixSort(keys []uint32, rows []int32, tk []uint32, tr []int32) ([]uint32, []int32) {
	var count [256]int
	for shift := uint(0); shift < 32; shift += 8 {
		clear(count[:])
		for _, k := range keys {
			count[(k>>shift)&255]++
		}
		if count[(keys[0]>>shift)&255] == len(keys) {
			continue // all keys share this digit
		}
		pos := 0
		for i, c := range count {
			count[i] = pos
			pos += c
		}
		for i, k := range keys {
			d := (k >> shift) & 255
			tk[count[d]] = k
			tr[count[d]] = rows[i]
			count[d]++
		}
		keys, tk = tk, keys
		rows, tr = tr, rows
	}
	return keys, rows
}

// quantiseFrom builds the binned matrix from the nrow × ncol data of src,
// read a few columns at a time as float32: per feature, radix-sort the
// present values, compute the cuts, and assign bins by a sweep
// over the sorted values (no per-value search). Zeros, most of a one-hot
// or count column, are counted rather than sorted: they sit between the
// negative and the positive values, in row order like the stable sort
// would leave them.
func quantiseFrom(src columns, nrow, ncol int, w []float32, maxBin, threads int) *binned {
	b := &binned{nrow: nrow, ncol: ncol, cuts: make([][]float32, ncol), mins: make([]float32, ncol),
		ptr: make([]int32, ncol+1), miss: make([]int32, ncol)}
	// Columns are binned straight to one byte per value when their bins
	// fit (the usual max_bin 256), else to two; the sort buffers are reused
	// across columns, so quantising allocates little beyond its output.
	col8 := make([][]uint8, ncol)
	col16 := make([][]uint16, ncol)
	hasMiss := make([]bool, ncol)
	// The columns come from src a group at a time into the worker's
	// buffers: enough groups for every thread to have two, at most
	// maxGroup columns each (a read of a row-major matrix brings whole
	// cache lines, so a group costs about what one column does).
	group := max(1, min(maxGroup, (ncol+2*threads-1)/(2*threads)))
	pool := sync.Pool{New: func() any {
		buf := &sortBufs{keys: make([]uint32, 0, nrow), tk: make([]uint32, nrow), rows: make([]int32, 0, nrow), tr: make([]int32, nrow),
			vals: make([]float32, nrow), sum: make([]wqEntry, 0, nrow), cols: make([][]float32, group)}
		for j := range buf.cols {
			buf.cols[j] = make([]float32, nrow)
		}
		return buf
	}}
	parallelFor((ncol+group-1)/group, threads, func(g int) {
		buf := pool.Get().(*sortBufs)
		defer pool.Put(buf)
		f0, f1 := g*group, min(ncol, g*group+group)
		cols := buf.cols[:f1-f0]
		src(f0, cols)
		for f := f0; f < f1; f++ {
			col := cols[f-f0]
			sc := buf.sortColumn(col, w)
			hasMiss[f] = sc.missing
			cuts, minv := sketchCuts(sc.vals, sc.ws, maxBin, buf.sum)
			b.cuts[f], b.mins[f] = cuts, minv
			col8[f], col16[f] = binColumn(col, sc, cuts)
		}
	})
	wide := false
	for f := 0; f < ncol; f++ {
		nb := int32(len(b.cuts[f]))
		b.miss[f] = -1
		if hasMiss[f] {
			b.miss[f] = nb
			nb++
		}
		if nb > 256 {
			wide = true
		}
		b.ptr[f+1] = b.ptr[f] + nb
	}
	if wide {
		// Some feature needs two bytes: widen the one-byte columns.
		parallelFor(ncol, threads, func(f int) {
			if col8[f] != nil {
				c := make([]uint16, nrow)
				for r, v := range col8[f] {
					c[r] = uint16(v)
				}
				col16[f], col8[f] = c, nil
			}
		})
		b.c16 = col16
	} else {
		b.c8 = col8
	}
	b.layout(threads)
	return b
}

// maxGroup is the most columns quantiseFrom reads from its source at once.
const maxGroup = 8

// columns writes the values of columns f0, f0+1, … of a matrix as float32
// into dst[0], dst[1], … (one per column, each as long as the matrix has
// rows).
type columns func(f0 int, dst [][]float32)

// denseColumns is X's columns, read row by row.
func denseColumns(X mat.Matrix) columns {
	r, _ := X.Dims()
	if raw, ok := X.(mat.RawMatrixer); ok {
		m := raw.RawMatrix()
		return func(f0 int, dst [][]float32) {
			for i := range r {
				for j, v := range m.Data[i*m.Stride+f0 : i*m.Stride+f0+len(dst)] {
					dst[j][i] = float32(v)
				}
			}
		}
	}
	return func(f0 int, dst [][]float32) {
		for j, col := range dst {
			for i := range col {
				col[i] = float32(X.At(i, f0+j))
			}
		}
	}
}

// sortBufs are one worker's buffers for quantising a group of columns
// (nrow each).
type sortBufs struct {
	keys, tk []uint32
	rows, tr []int32
	vals     []float32
	sum      []wqEntry
	cols     [][]float32 // the group's columns
}

// sortedColumn is a column's present values in ascending order: the
// non-zero ones as sort keys with their rows, the zeros counted apart
// (they sort between the neg negative values and the positive ones).
type sortedColumn struct {
	keys       []uint32
	rows       []int32
	zeros, neg int
	vals       []float32 // every present value, ascending (zeros in place)
	ws         []float32 // their weights, or nil
	missing    bool      // the column has missing values
}

// sortColumn sorts col's present values (radix sort on sortKey), with
// their weights from w (nil: none), in buf.
func (buf *sortBufs) sortColumn(col, w []float32) sortedColumn {
	sc := sortedColumn{keys: buf.keys[:0], rows: buf.rows[:0]}
	for r, v := range col {
		switch {
		case v != v:
			sc.missing = true
		case v == 0:
			sc.zeros++
		default:
			if v < 0 {
				sc.neg++
			}
			sc.keys = append(sc.keys, sortKey(v))
			sc.rows = append(sc.rows, int32(r))
		}
	}
	if len(sc.keys) > 0 {
		sc.keys, sc.rows = radixSort(sc.keys, sc.rows, buf.tk[:len(sc.keys)], buf.tr[:len(sc.keys)])
	}
	zeros, neg := sc.zeros, sc.neg
	sc.vals = buf.vals[:len(sc.keys)+zeros]
	for i, k := range sc.keys {
		if i >= neg {
			i += zeros
		}
		sc.vals[i] = keyValue(k)
	}
	clear(sc.vals[neg : neg+zeros]) // +0, also for -0 (sortKey's order)
	if w != nil {
		sc.ws = make([]float32, len(sc.vals))
		for i, r := range sc.rows {
			if i >= neg {
				i += zeros
			}
			sc.ws[i] = w[r]
		}
		z := neg
		for r, v := range col {
			if v == 0 {
				sc.ws[z] = w[r]
				z++
			}
		}
	}
	return sc
}

// binColumn returns the bin of each row of col under cuts, one byte a
// value when the column's bins (its cuts, and one for missing values)
// fit, else two: a missing value's bin is len(cuts), a present value's
// the first cut above it (upper_bound).
func binColumn(col []float32, sc sortedColumn, cuts []float32) (c8 []uint8, c16 []uint16) {
	nb := len(cuts) // the bin of a missing value
	width := nb     // bins of this feature: its cuts, plus one for missing
	if sc.missing {
		width++
	}
	var set func(r int32, bin int)
	if width <= 256 { // the same rule as "wide" in quantise
		c8 = make([]uint8, len(col))
		set = func(r int32, bin int) { c8[r] = uint8(bin) }
	} else {
		c16 = make([]uint16, len(col))
		set = func(r int32, bin int) { c16[r] = uint16(bin) }
	}
	if sc.missing || sc.zeros > 0 {
		zbin := 0 // upper_bound(cuts, 0), as the sweep below
		for zbin < len(cuts)-1 && cuts[zbin] <= 0 {
			zbin++
		}
		for r, v := range col {
			switch {
			case v != v:
				set(int32(r), nb)
			case v == 0:
				set(int32(r), zbin)
			}
		}
	}
	ci := 0
	for i, k := range sc.keys {
		v := keyValue(k)
		for ci < len(cuts)-1 && cuts[ci] <= v {
			ci++
		}
		set(sc.rows[i], ci)
	}
	return c8, c16
}

// layout chooses the dense and the sparse features and builds their
// row-major forms.
func (b *binned) layout(threads int) {
	def, out := b.mostFrequent(threads)
	sparse, nnz := b.chooseSparse(out)
	b.dense = make([]int32, 0, b.ncol-len(sparse))
	for f, j := 0, 0; f < b.ncol; f++ {
		if j < len(sparse) && sparse[j] == int32(f) {
			j++
			continue
		}
		b.dense = append(b.dense, int32(f))
		b.dptr = append(b.dptr, int(b.ptr[f]))
	}
	b.rowMajor(threads)
	if len(sparse) == 0 {
		return
	}
	b.sparse = sparse
	b.def = make([]int32, len(sparse))
	for j, f := range sparse {
		b.def[j] = def[f]
	}
	b.listSparse(nnz)
}

// mostFrequent returns each feature's most frequent bin (the first of
// equals) and the number of rows outside it.
func (b *binned) mostFrequent(threads int) (def []int32, out []int) {
	def = make([]int32, b.ncol)
	out = make([]int, b.ncol)
	parallelFor(b.ncol, threads, func(f int) {
		count := make([]int, b.ptr[f+1]-b.ptr[f])
		if b.c8 != nil {
			for _, v := range b.c8[f] {
				count[v]++
			}
		} else {
			for _, v := range b.c16[f] {
				count[v]++
			}
		}
		for i, c := range count {
			if c > count[def[f]] {
				def[f] = int32(i)
			}
		}
		out[f] = b.nrow - count[def[f]]
	})
	return def, out
}

// chooseSparse returns the features to list (ascending) and their number
// of listed values. A listed value costs about as much as a dense one,
// and each row pays for its list once: list the features whose most
// frequent bin holds at least half of the rows, when that saves more than
// a few dense values a row.
func (b *binned) chooseSparse(out []int) (sparse []int32, nnz int) {
	for f := range b.ncol {
		if 2*out[f] <= b.nrow && nnz+out[f] <= math.MaxInt32 {
			sparse = append(sparse, int32(f))
			nnz += out[f]
		}
	}
	if float64(len(sparse))-sparseEntryCost*float64(nnz)/float64(b.nrow) < sparseRowCost {
		return nil, 0
	}
	return sparse, nnz
}

// rowMajor copies the dense features' bins into b8 (or b16), row by row.
func (b *binned) rowMajor(threads int) {
	const blk = 4096
	nrow, nd := b.nrow, len(b.dense)
	if b.c16 != nil {
		b.b16 = make([]uint16, nrow*nd)
	} else {
		b.b8 = make([]uint8, nrow*nd)
	}
	parallelFor((nrow+blk-1)/blk, threads, func(k int) {
		for r := k * blk; r < min(nrow, k*blk+blk); r++ {
			for j, f := range b.dense {
				if b.c16 != nil {
					b.b16[r*nd+j] = b.c16[f][r]
				} else {
					b.b8[r*nd+j] = b.c8[f][r]
				}
			}
		}
	})
}

// listSparse lists each row's values of the sparse features outside
// their most frequent bin (spRow, spIdx; nnz of them): counted first,
// then listed feature by feature (so each row's list is in feature
// order), reading whole columns.
func (b *binned) listSparse(nnz int) {
	nrow := b.nrow
	b.spRow = make([]int32, nrow+1)
	next := b.spRow[1:]
	for j, f := range b.sparse {
		d := b.def[j]
		if b.c8 != nil {
			for r, v := range b.c8[f] {
				next[r] += b2i(int32(v) != d)
			}
		} else {
			for r, v := range b.c16[f] {
				next[r] += b2i(int32(v) != d)
			}
		}
	}
	for r := range nrow {
		b.spRow[r+1] += b.spRow[r]
	}
	pos := slices.Clone(b.spRow[:nrow])
	b.spIdx = make([]uint32, nnz)
	for j, f := range b.sparse {
		d, off := b.def[j], b.ptr[f]
		if b.c8 != nil {
			for r, v := range b.c8[f] {
				if int32(v) != d {
					b.spIdx[pos[r]] = uint32(off + int32(v))
					pos[r]++
				}
			}
		} else {
			for r, v := range b.c16[f] {
				if int32(v) != d {
					b.spIdx[pos[r]] = uint32(off + int32(v))
					pos[r]++
				}
			}
		}
	}
}

// Relative costs for choosing sparse features, in dense values: each
// listed value, and each row's list (its bounds, and the loop's exit
// branch, which mispredicts when lists vary in length).
const (
	sparseEntryCost = 1.5
	sparseRowCost   = 3
)

// fillDefaults sets each sparse feature's unlisted bin of hist to the
// node's totals G, H minus the feature's other bins.
func (b *binned) fillDefaults(hist []hbin, G, H float64) {
	for j, f := range b.sparse {
		bins := hist[b.ptr[f]:b.ptr[f+1]]
		d := b.def[j]
		var g, h float64
		for i, e := range bins {
			if int32(i) != d {
				g += e.g
				h += e.h
			}
		}
		bins[d] = hbin{G - g, H - h}
	}
}

// hbin is one histogram bin, accumulated in float64.
type hbin struct{ g, h float64 }

// buildHist adds the gradient pairs of rows into hist: the dense
// features sel of each row (row-major, ncol a row) and, when spRow is not
// nil, each row's listed sparse slots.
//
// The rows of a deep node are a thin, ascending subset of the matrix, so
// nearly every row's bins and gradient miss the cache. The histogram loop
// spends about two hundred instructions on a row, which leaves only a
// couple of rows' loads in flight. The assembly loop for one-byte bins
// without sparse features (addRows8) prefetches each row prefetchAhead
// rows before it adds it. The Go loops, when the rows are spread out
// (fewer than one in touchSpan), first load each row of a block of
// touchBlock with a cheap loop, putting all of the block's cache misses
// in flight at once, and then find them in cache: on 1M x 28 this takes a
// node of 6% of the rows from 6.2 to 2.0 ns per added bin, and costs
// dense nodes nothing, as they skip it.
func buildHist[B uint8 | uint16](bins []B, ncol int, sel []selCol, spRow []int32, spIdx []uint32, rows []int32, gp []gpair, hist []hbin) {
	if b8, ok := any(bins).([]uint8); ok && spRow == nil && haveAddRows8 {
		addRows8Checked(b8, ncol, sel, rows, gp, hist, prefetchAhead)
		return
	}
	add := addRows[B]
	if spRow != nil {
		add = addRowsSparse[B]
	}
	if n := len(rows); n > 1 && int(rows[n-1]-rows[0]) > touchSpan*n {
		for lo := 0; lo < n; lo += touchBlock {
			blk := rows[lo:min(n, lo+touchBlock)]
			touchRows(bins, ncol, spRow, spIdx, blk, gp)
			add(bins, ncol, sel, spRow, spIdx, blk, gp, hist)
		}
		return
	}
	add(bins, ncol, sel, spRow, spIdx, rows, gp, hist)
}

const (
	touchSpan  = 5  // rows spread over more than touchSpan x their number are touched first
	touchBlock = 32 // rows touched at a time

	// prefetchAhead is how many rows ahead the assembly loop (addRows8)
	// prefetches, on every node: on 13 features of 1M rows, a node of 6%
	// of the rows took 1.0 ms instead of 1.9 ms with touchRows, one of 30%
	// 2.8 instead of 3.5 ms (no touch, its rows being less spread), and
	// one of 90% the same 9.1 ms.
	prefetchAhead = 32
)

// touchRows loads the first and last bin, the first listed slot and the
// gradient of each row. It is not inlined, so the loads stay although
// the sum is unused.
//
//go:noinline
func touchRows[B uint8 | uint16](bins []B, ncol int, spRow []int32, spIdx []uint32, rows []int32, gp []gpair) (s uint32) {
	for _, r := range rows {
		if ncol > 0 {
			i := int(r) * ncol
			s += uint32(bins[i]) + uint32(bins[i+ncol-1])
		}
		if spRow != nil {
			if i := spRow[r]; i < int32(len(spIdx)) {
				s += spIdx[i]
			}
		}
		s += math.Float32bits(gp[r].g)
	}
	return s
}

// addRows adds the dense features sel of each row into hist, four at a
// time and then the last len(sel)%4 one at a time.
//
// It indexes the bins and hist with pointer arithmetic: the bounds checks
// the compiler cannot remove were a fifth of the loop's instructions
// (without them the tall fold's 13 features took 0.89 instead of 1.09 ns
// per added bin), and every index is in range by construction: rows are
// below nrow (the grower's row lists), a column below ncol, bins below
// their feature's bin count and a feature's offset plus that count at
// most len(hist) (quantise, selectDense; binned.buildHist checks the
// sizes). The loop counter and its test were another quarter of a bin's
// instructions, hence four features a step. (selectDense used to pad sel
// to a multiple of four instead of the remainder loop: on the tall
// shape's 11 sampled features that added a twelfth value a row, 8% of the
// histogram time.) addRowsSparse also adds the sparse features.
func addRows[B uint8 | uint16](bins []B, ncol int, sel []selCol, _ []int32, _ []uint32, rows []int32, gp []gpair, hist []hbin) {
	hp := unsafe.Pointer(unsafe.SliceData(hist))
	bp := unsafe.Pointer(unsafe.SliceData(bins))
	sp := unsafe.Pointer(unsafe.SliceData(sel))
	size := unsafe.Sizeof(B(0))
	n := uintptr(len(sel)) &^ 3
	for _, r := range rows {
		g, h := float64(gp[r].g), float64(gp[r].h)
		row := unsafe.Add(bp, uintptr(r)*uintptr(ncol)*size)
		for f := uintptr(0); f < n; f += 4 {
			t := (*[4]selCol)(unsafe.Add(sp, f*unsafe.Sizeof(selCol{})))
			e0 := (*hbin)(unsafe.Add(hp, (t[0].off+uintptr(*(*B)(unsafe.Add(row, t[0].col*size))))*unsafe.Sizeof(hbin{})))
			e0.g += g
			e0.h += h
			e1 := (*hbin)(unsafe.Add(hp, (t[1].off+uintptr(*(*B)(unsafe.Add(row, t[1].col*size))))*unsafe.Sizeof(hbin{})))
			e1.g += g
			e1.h += h
			e2 := (*hbin)(unsafe.Add(hp, (t[2].off+uintptr(*(*B)(unsafe.Add(row, t[2].col*size))))*unsafe.Sizeof(hbin{})))
			e2.g += g
			e2.h += h
			e3 := (*hbin)(unsafe.Add(hp, (t[3].off+uintptr(*(*B)(unsafe.Add(row, t[3].col*size))))*unsafe.Sizeof(hbin{})))
			e3.g += g
			e3.h += h
		}
		for f := n; f < uintptr(len(sel)); f++ {
			t := (*selCol)(unsafe.Add(sp, f*unsafe.Sizeof(selCol{})))
			e := (*hbin)(unsafe.Add(hp, (t.off+uintptr(*(*B)(unsafe.Add(row, t.col*size))))*unsafe.Sizeof(hbin{})))
			e.g += g
			e.h += h
		}
	}
}

// addRows8Checked calls the assembly addRows8 (which relies on the
// sizes binned.buildHist checks, as the Go loop does), prefetching the
// bins and gradient of the row ahead rows on (0: none).
func addRows8Checked(bins []uint8, ncol int, sel []selCol, rows []int32, gp []gpair, hist []hbin, ahead int) {
	if len(rows) == 0 || len(sel) == 0 || ncol == 0 {
		return
	}
	pf := ^uintptr(0) // no row is that far ahead
	if ahead > 0 {
		pf = uintptr(ahead)
	}
	addRows8(unsafe.SliceData(bins), uintptr(ncol), unsafe.SliceData(sel), uintptr(len(sel)), unsafe.SliceData(rows), uintptr(len(rows)), unsafe.SliceData(gp), unsafe.SliceData(hist), pf)
}

// addRowsSparse is addRows plus each row's listed sparse slots (below
// len(hist) by construction too); a function of its own, as the list's
// registers would push the dense loop's counter onto the stack.
func addRowsSparse[B uint8 | uint16](bins []B, ncol int, sel []selCol, spRow []int32, spIdx []uint32, rows []int32, gp []gpair, hist []hbin) {
	hp := unsafe.Pointer(unsafe.SliceData(hist))
	bp := unsafe.Pointer(unsafe.SliceData(bins))
	sp := unsafe.Pointer(unsafe.SliceData(sel))
	size := unsafe.Sizeof(B(0))
	n := uintptr(len(sel)) &^ 3
	for _, r := range rows {
		g, h := float64(gp[r].g), float64(gp[r].h)
		row := unsafe.Add(bp, uintptr(r)*uintptr(ncol)*size)
		for f := uintptr(0); f < n; f += 4 {
			t := (*[4]selCol)(unsafe.Add(sp, f*unsafe.Sizeof(selCol{})))
			e0 := (*hbin)(unsafe.Add(hp, (t[0].off+uintptr(*(*B)(unsafe.Add(row, t[0].col*size))))*unsafe.Sizeof(hbin{})))
			e0.g += g
			e0.h += h
			e1 := (*hbin)(unsafe.Add(hp, (t[1].off+uintptr(*(*B)(unsafe.Add(row, t[1].col*size))))*unsafe.Sizeof(hbin{})))
			e1.g += g
			e1.h += h
			e2 := (*hbin)(unsafe.Add(hp, (t[2].off+uintptr(*(*B)(unsafe.Add(row, t[2].col*size))))*unsafe.Sizeof(hbin{})))
			e2.g += g
			e2.h += h
			e3 := (*hbin)(unsafe.Add(hp, (t[3].off+uintptr(*(*B)(unsafe.Add(row, t[3].col*size))))*unsafe.Sizeof(hbin{})))
			e3.g += g
			e3.h += h
		}
		for f := n; f < uintptr(len(sel)); f++ {
			t := (*selCol)(unsafe.Add(sp, f*unsafe.Sizeof(selCol{})))
			e := (*hbin)(unsafe.Add(hp, (t.off+uintptr(*(*B)(unsafe.Add(row, t.col*size))))*unsafe.Sizeof(hbin{})))
			e.g += g
			e.h += h
		}
		for _, i := range spIdx[spRow[r]:spRow[r+1]] {
			e := (*hbin)(unsafe.Add(hp, uintptr(i)*unsafe.Sizeof(hbin{})))
			e.g += g
			e.h += h
		}
	}
}

// selCol is a dense feature that histograms add: its index in a row of
// the row-major bins and its histogram offset.
type selCol struct{ col, off uintptr }

// selectDense returns the dense features that a tree's histograms add:
// those in feats (ascending; colsample_bytree leaves the others out, and
// their bins are never read), or every dense feature when feats is nil or
// there are sparse features (the sparse loop pays for a row anyway).
func (b *binned) selectDense(feats []int32) []selCol {
	var sel []selCol
	for j, f := range b.dense {
		if _, ok := slices.BinarySearch(feats, f); ok || feats == nil || len(b.sparse) > 0 {
			sel = append(sel, selCol{uintptr(j), uintptr(b.dptr[j])})
		}
	}
	return sel
}

// histLen is the length of a histogram: every feature's bins.
func (b *binned) histLen() int {
	return int(b.ptr[b.ncol])
}

// buildHist adds rows into hist (len histLen); the sparse features'
// unlisted bins are left for fillDefaults. sel (selectDense) chooses the
// dense features; nil means all.
func (b *binned) buildHist(rows []int32, gp []gpair, hist []hbin, sel []selCol) {
	if len(hist) < b.histLen() || len(gp) < b.nrow || len(b.b8)+len(b.b16) != b.nrow*len(b.dense) {
		panic("boost: histogram, gradients or bins of the wrong size")
	}
	if sel == nil {
		sel = b.selectDense(nil)
	}
	if b.b16 != nil {
		buildHist(b.b16, len(b.dense), sel, b.spRow, b.spIdx, rows, gp, hist)
	} else {
		buildHist(b.b8, len(b.dense), sel, b.spRow, b.spIdx, rows, gp, hist)
	}
}
