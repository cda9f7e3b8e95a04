package boost

import (
	"math"
	"slices"
)

// binned is the quantised training matrix of the hist method: row-major
// bin indices (uint8 when every feature fits, else uint16).
type binned struct {
	nrow, ncol int
	b8         []uint8
	b16        []uint16
	cuts       [][]float32 // per feature: XGBoost cut values (last = sentinel)
	mins       []float32   // per feature: XGBoost min value
	ptr        []int32     // histogram offset of each feature, len ncol+1
	miss       []int32     // local bin index of missing values, or -1
}

// sketchCuts returns XGBoost-style cuts for one feature from its present
// values (sorted in place) and their weights: the distinct values except
// the minimum when there are at most maxBin of them, else weighted
// quantiles; then a sentinel above the maximum.
func sketchCuts(vals []float32, ws []float32, maxBin int) (cuts []float32, minv float32) {
	if len(vals) == 0 {
		return []float32{1e-5}, -1e-5
	}
	// Sort values with their weights.
	idx := make([]int32, len(vals))
	for i := range idx {
		idx[i] = int32(i)
	}
	if ws != nil {
		slices.SortFunc(idx, func(a, b int32) int {
			switch {
			case vals[a] < vals[b]:
				return -1
			case vals[a] > vals[b]:
				return 1
			}
			return 0
		})
	}
	var dv []float32 // distinct values
	var cw []float64 // cumulative weight up to and including each distinct value
	if ws == nil {
		slices.Sort(vals)
		for i, v := range vals {
			if len(dv) == 0 || v != dv[len(dv)-1] {
				dv = append(dv, v)
				cw = append(cw, 0)
			}
			cw[len(cw)-1] = float64(i + 1)
		}
	} else {
		var acc float64
		for _, i := range idx {
			v := vals[i]
			acc += float64(ws[i])
			if len(dv) == 0 || v != dv[len(dv)-1] {
				dv = append(dv, v)
				cw = append(cw, 0)
			}
			cw[len(cw)-1] = acc
		}
	}
	mn, mx := dv[0], dv[len(dv)-1]
	minv = mn - float32(math.Abs(float64(mn))) - 1e-5
	sentinel := mx + (float32(math.Abs(float64(mx))) + 1e-5)
	// XGBoost: prune the (here exact) weighted summary to max_bin+1
	// entries, then cuts = summary[1 : min(size, max_bin)] + sentinel.
	sum := make([]wqEntry, len(dv))
	var prev float32
	for i, v := range dv {
		w := float32(cw[i] - func() float64 {
			if i == 0 {
				return 0
			}
			return cw[i-1]
		}())
		sum[i] = wqEntry{rmin: prev, rmax: prev + w, wmin: w, value: v}
		prev += w
	}
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

// binOf is XGBoost's SearchBin: the first cut greater than v.
func binOf(cuts []float32, v float32) int {
	i, _ := slices.BinarySearchFunc(cuts, v, func(c, v float32) int {
		if c <= v {
			return -1
		}
		return 1
	})
	if i == len(cuts) {
		i--
	}
	return i
}

// quantise builds the binned matrix from row-major float32 data.
func quantise(x []float32, nrow, ncol int, w []float32, maxBin, threads int) *binned {
	b := &binned{nrow: nrow, ncol: ncol, cuts: make([][]float32, ncol), mins: make([]float32, ncol),
		ptr: make([]int32, ncol+1), miss: make([]int32, ncol)}
	hasMiss := make([]bool, ncol)
	parallelFor(ncol, threads, func(f int) {
		vals := make([]float32, 0, nrow)
		var ws []float32
		if w != nil {
			ws = make([]float32, 0, nrow)
		}
		for r := 0; r < nrow; r++ {
			v := x[r*ncol+f]
			if v != v {
				hasMiss[f] = true
				continue
			}
			vals = append(vals, v)
			if w != nil {
				ws = append(ws, w[r])
			}
		}
		b.cuts[f], b.mins[f] = sketchCuts(vals, ws, maxBin)
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
		b.b16 = make([]uint16, nrow*ncol)
	} else {
		b.b8 = make([]uint8, nrow*ncol)
	}
	const blk = 4096
	parallelFor((nrow+blk-1)/blk, threads, func(k int) {
		for r := k * blk; r < min(nrow, k*blk+blk); r++ {
			for f := 0; f < ncol; f++ {
				v := x[r*ncol+f]
				var bin int
				if v != v {
					bin = int(b.miss[f])
				} else {
					bin = binOf(b.cuts[f], v)
				}
				if wide {
					b.b16[r*ncol+f] = uint16(bin)
				} else {
					b.b8[r*ncol+f] = uint8(bin)
				}
			}
		}
	})
	return b
}

// bin returns the local bin of row r, feature f.
func (b *binned) bin(r int32, f int) int32 {
	if b.b8 != nil {
		return int32(b.b8[int(r)*b.ncol+f])
	}
	return int32(b.b16[int(r)*b.ncol+f])
}

// hbin is one histogram bin, accumulated in float64.
type hbin struct{ g, h float64 }

// buildHist adds the gradient pairs of rows into hist (laid out by ptr).
func buildHist[B uint8 | uint16](bins []B, ncol int, ptr []int32, rows []int32, gp []gpair, hist []hbin) {
	ptr = ptr[:ncol]
	for _, r := range rows {
		g, h := float64(gp[r].g), float64(gp[r].h)
		row := bins[int(r)*ncol : int(r)*ncol+ncol]
		for f, off := range ptr {
			e := &hist[off+int32(row[f])]
			e.g += g
			e.h += h
		}
	}
}

func (b *binned) buildHist(rows []int32, gp []gpair, hist []hbin) {
	if b.b8 != nil {
		buildHist(b.b8, b.ncol, b.ptr, rows, gp, hist)
	} else {
		buildHist(b.b16, b.ncol, b.ptr, rows, gp, hist)
	}
}
