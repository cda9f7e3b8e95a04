package neighbors

// kernel is an implementation of the k-d tree's two inner loops in
// assembly, for one instruction set. The Go loops (tree.filterLeaf,
// kdTree.boxDist) are the reference every kernel must equal: the same
// survivors and sums, through the same margins.
type kernel struct {
	name string
	// leaf is the filtering part of tree.scan for one leaf (l rows stored
	// column by column, d columns, the query's value for the leaf's c-th
	// column at q[cols[c]]), in blocks of 16 rows: it writes to live the
	// rows whose partial squared distance stays within limit through every
	// column, in ascending order, sets part[i] to the sum over all columns
	// of each such row i, and returns their number and the terms it summed
	// (16 a block and column entered). live must have room for l+16
	// indices, part for l sums.
	leaf func(xs *float64, l, d int, q *float64, cols *int32, limit float64, live *int32, part *float64) (n, terms int)
	// box2 returns kdTree.boxDist of two sibling nodes (their bounds one
	// after the other from b, in cols order, and the query qo), summed in
	// another order and without the early return.
	box2 func(b *float64, qo *float64, d int) (dl, dr float64)
	// cost is Auto's model of a k-d tree query with this kernel.
	cost costModel
}

// costModel estimates the nanoseconds of one k-d tree query from the work
// of a pilot's queries (for Auto; see kdQueryNs): query per query, and per
// query on average, cell per term summed, block per block of 16 rows a
// kernel entered, box per node bound and group of width columns, exact
// per exact distance and column.
type costModel struct {
	query, cell, block, box, exact float64
	width                          int
}

// ns returns the model's nanoseconds for one query on d columns, from the
// work of queries queries.
func (m costModel) ns(w work, queries, d int) float64 {
	groups := float64((d + m.width - 1) / m.width)
	return m.query + (m.cell*float64(w.cells)+m.block*float64(w.blocks)+
		m.box*float64(w.boxes)*groups+m.exact*float64(w.exact)*float64(d))/float64(max(queries, 1))
}

// goCost is the Go loops' model: per term, per node bound and column.
var goCost = costModel{cell: 2.1, box: 1, width: 1}

// kern is the kernel the trees use, the fastest this CPU runs (kernels,
// from scan_amd64.go); nil means the Go loops. Tests switch it.
var kern = func() *kernel {
	if len(kernels) == 0 {
		return nil
	}
	return kernels[0]
}()
