package boost

import (
	"math/bits"
	"slices"
	"unsafe"
)

// A node with few rows fills few of its histogram's bins: on a 10k-row
// fold grown to depth 8, most nodes hold tens of rows and 30 features of
// 256 bins, so clearing, subtracting and scanning a whole histogram cost
// ten times adding the rows. Such a node (at most sparseRows rows) keeps a
// sparseHist, its bins that may be non-zero in slot order, and every
// operation on it is the dense one restricted to those bins, with the
// same arithmetic in the same order:
//   - built directly, it is buildHist into a zeroed scratch histogram,
//     whose touched bins are then listed (a bin no row touched is zero);
//   - as the larger child of a sparse parent, it is parent − sibling over
//     the union of their bins (a bin in neither is 0 − 0);
//   - as the larger child of a dense parent, it is parent − sibling over
//     every bin of the histogram, listing those not both zero (once, where
//     the tree passes from dense to sparse nodes);
//   - the larger child of a dense parent that stays dense is the parent
//     minus the sibling's listed bins in place (x − 0 is x).
//
// So a tree grown with sparse nodes is bit for bit the one grown without
// (TestSparseHistSameTrees), and evalBins, which skips empty bins, sees
// the same non-empty bins either way.

// sparseHist is a node's histogram as its listed bins, ascending by slot
// (ptr[f] + bin); bins not listed are zero.
type sparseHist struct {
	slot []int32
	bin  []hbin
}

// sparseScratch is one worker's zeroed dense histogram and bitmap of
// touched slots, for building sparse histograms.
type sparseScratch struct {
	hist []hbin
	mark []uint64
}

// sparseRowsFor returns the most rows a node may have to keep a sparse
// histogram: a quarter of the average feature's bins (on the search
// benchmark's folds, a half or all of them cost more CPU time than they
// saved: building and merging lists is dearer per bin than the dense
// scan, which with scanBins costs 1.5 ns a bin). Features stored as lists (the
// sparse layout of binned) keep dense histograms: fillDefaults derives
// their unlisted bin from all the others.
func sparseRowsFor(b *binned) int32 {
	if len(b.sparse) > 0 || b.ncol == 0 {
		return 0
	}
	return int32(b.histLen() / b.ncol / 4)
}

// scratch returns worker w's scratch.
func (g *histGrower) scratch(w int) *sparseScratch {
	for len(g.scratches) <= w {
		g.scratches = append(g.scratches, nil)
	}
	s := g.scratches[w]
	if s == nil {
		s = &sparseScratch{hist: make([]hbin, g.nbins), mark: make([]uint64, (g.nbins+63)/64)}
		g.scratches[w] = s
	}
	return s
}

// buildSparse returns the histogram of rows, built as buildHist builds a
// dense one, listing the bins the rows touch.
func (g *histGrower) buildSparse(rows []int32, gp []gpair, s *sparseScratch) *sparseHist {
	b := g.b
	b.buildHist(rows, gp, s.hist, g.sel)
	if b.b16 != nil {
		markRows(b.b16, len(b.dense), g.sel, rows, s.mark)
	} else {
		markRows(b.b8, len(b.dense), g.sel, rows, s.mark)
	}
	n := 0
	for _, w := range s.mark {
		n += bits.OnesCount64(w)
	}
	sp := &sparseHist{slot: make([]int32, 0, n), bin: make([]hbin, 0, n)}
	for i, w := range s.mark {
		for w != 0 {
			slot := i*64 + bits.TrailingZeros64(w)
			w &= w - 1
			sp.slot = append(sp.slot, int32(slot))
			sp.bin = append(sp.bin, s.hist[slot])
			s.hist[slot] = hbin{}
		}
		s.mark[i] = 0
	}
	return sp
}

// markRows sets the bit of every slot the dense features sel of rows
// touch (indexes in range as in addRows).
func markRows[B uint8 | uint16](bins []B, ncol int, sel []selCol, rows []int32, mark []uint64) {
	bp := unsafe.Pointer(unsafe.SliceData(bins))
	size := unsafe.Sizeof(B(0))
	for _, r := range rows {
		row := unsafe.Add(bp, uintptr(r)*uintptr(ncol)*size)
		for _, t := range sel {
			slot := t.off + uintptr(*(*B)(unsafe.Add(row, t.col*size)))
			mark[slot>>6] |= 1 << (slot & 63)
		}
	}
}

// subSparse returns p − s over the union of their bins.
func subSparse(p, s *sparseHist) *sparseHist {
	out := &sparseHist{slot: make([]int32, 0, len(p.slot)), bin: make([]hbin, 0, len(p.slot))}
	i, j := 0, 0
	for i < len(p.slot) || j < len(s.slot) {
		switch {
		case j == len(s.slot) || i < len(p.slot) && p.slot[i] < s.slot[j]:
			out.slot = append(out.slot, p.slot[i])
			out.bin = append(out.bin, p.bin[i])
			i++
		case i == len(p.slot) || s.slot[j] < p.slot[i]:
			out.slot = append(out.slot, s.slot[j])
			out.bin = append(out.bin, hbin{0 - s.bin[j].g, 0 - s.bin[j].h})
			j++
		default:
			out.slot = append(out.slot, p.slot[i])
			out.bin = append(out.bin, hbin{p.bin[i].g - s.bin[j].g, p.bin[i].h - s.bin[j].h})
			i++
			j++
		}
	}
	return out
}

// denseMinusSparse returns p − s as a sparse histogram, listing every bin
// of the features sel that is not zero (the others are zero in both).
func denseMinusSparse(p []hbin, s *sparseHist, b *binned, sel []selCol) *sparseHist {
	out := &sparseHist{}
	j := 0
	for _, t := range sel {
		f := b.dense[t.col]
		for slot := b.ptr[f]; slot < b.ptr[f+1]; slot++ {
			e := p[slot]
			for j < len(s.slot) && s.slot[j] < slot {
				j++ // a slot of a feature outside sel: zero in p too
			}
			if j < len(s.slot) && s.slot[j] == slot {
				e.g -= s.bin[j].g
				e.h -= s.bin[j].h
			}
			if e.g != 0 || e.h != 0 {
				out.slot = append(out.slot, slot)
				out.bin = append(out.bin, e)
			}
		}
	}
	return out
}

// subInPlace subtracts s from the dense histogram p at s's bins.
func subInPlace(p []hbin, s *sparseHist) {
	for k, slot := range s.slot {
		p[slot].g -= s.bin[k].g
		p[slot].h -= s.bin[k].h
	}
}

// feature returns the listed bins of f's cut bins: their local bins and
// sums.
func (s *sparseHist) feature(b *binned, f int32) (idx []int32, bins []hbin) {
	lo := b.ptr[f]
	i, _ := slices.BinarySearch(s.slot, lo)
	j, _ := slices.BinarySearch(s.slot[i:], lo+int32(len(b.cuts[f])))
	return s.slot[i : i+j], s.bin[i : i+j]
}
