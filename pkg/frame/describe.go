package frame

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
)

// Summary holds the descriptive statistics of one column. Fields that do
// not apply to the column's kind are NaN (numbers) or zero.
type Summary struct {
	Name    string
	Kind    Kind
	Count   int // non-missing values
	Missing int

	// Numeric columns: mean, sample standard deviation (ddof=1, as pandas),
	// minimum, quartiles (linear interpolation, as numpy's default) and
	// maximum of the non-missing values.
	Mean, Std, Min, Q25, Q50, Q75, Max float64

	// Categorical and boolean columns: number of distinct values, the most
	// frequent value (the first to appear among equally frequent ones) and
	// its count.
	Unique int
	Top    string
	Freq   int
}

// Description is the output of Describe: one Summary per column.
type Description struct {
	Columns []Summary
}

// Describe returns descriptive statistics of every column, like pandas'
// DataFrame.describe(include="all") plus a count of missing values.
func (f *Frame) Describe() *Description {
	d := &Description{Columns: make([]Summary, len(f.cols))}
	for j, c := range f.cols {
		d.Columns[j] = summarize(c)
	}
	return d
}

func summarize(c *Column) Summary {
	nan := math.NaN()
	s := Summary{Name: c.name, Kind: c.kind, Mean: nan, Std: nan, Min: nan, Q25: nan, Q50: nan, Q75: nan, Max: nan}
	s.Missing = c.Missing()
	s.Count = c.Len() - s.Missing
	if c.kind != Numeric {
		vc := valueCounts(c)
		s.Unique = len(vc)
		if len(vc) > 0 {
			s.Top, s.Freq = vc[0].Value, vc[0].Count
		}
		return s
	}
	x := make([]float64, 0, s.Count)
	for _, v := range c.values() {
		if !math.IsNaN(v) {
			x = append(x, v)
		}
	}
	if len(x) == 0 {
		return s
	}
	var sum float64
	for _, v := range x {
		sum += v
	}
	s.Mean = sum / float64(len(x))
	if len(x) > 1 {
		var ss float64
		for _, v := range x {
			ss += (v - s.Mean) * (v - s.Mean)
		}
		s.Std = math.Sqrt(ss / float64(len(x)-1))
	}
	slices.Sort(x)
	s.Min, s.Max = x[0], x[len(x)-1]
	s.Q25, s.Q50, s.Q75 = Quantile(x, 0.25), Quantile(x, 0.5), Quantile(x, 0.75)
	return s
}

// Quantile returns the q-quantile of the sorted values x by linear
// interpolation between closest ranks (numpy's default "linear" method,
// R type 7). It returns NaN if x is empty and panics if q is outside
// [0, 1].
func Quantile(x []float64, q float64) float64 {
	if q < 0 || q > 1 {
		panic("frame: quantile out of bounds")
	}
	if len(x) == 0 {
		return math.NaN()
	}
	pos := q * float64(len(x)-1)
	lo := int(math.Floor(pos))
	if lo >= len(x)-1 {
		return x[len(x)-1]
	}
	t := pos - float64(lo)
	a, b := x[lo], x[lo+1]
	if t >= 0.5 { // numpy's lerp: exact at both ends
		return b - (b-a)*(1-t)
	}
	return a + (b-a)*t
}

// Median returns Quantile(sorted x, 0.5) without sorting: it reorders x
// in place (expected O(len(x)) time) and returns the same float64, bit for
// bit. x must not hold NaN. It returns NaN if x is empty.
func Median(x []float64) float64 {
	n := len(x)
	if n == 0 {
		return math.NaN()
	}
	lo := (n - 1) / 2
	selectNth(x, lo)
	if lo+1 < n { // Quantile reads x[lo+1] too: the next order statistic
		m := lo + 1
		for i := lo + 2; i < n; i++ {
			if x[i] < x[m] {
				m = i
			}
		}
		x[lo+1], x[m] = x[m], x[lo+1]
	}
	return Quantile(x, 0.5)
}

// selectNth reorders x so that x[k] is the value sorting would put there,
// with no larger value before it and no smaller one after (Hoare's
// quickselect with a median-of-three pivot; it falls back to sorting the
// part left after 64 rounds, which bounds the worst case).
func selectNth(x []float64, k int) {
	lo, hi := 0, len(x)-1
	for round := 0; hi > lo; round++ {
		if round == 64 || hi-lo < 16 {
			slices.Sort(x[lo : hi+1])
			return
		}
		mid := lo + (hi-lo)/2
		if x[mid] < x[lo] {
			x[mid], x[lo] = x[lo], x[mid]
		}
		if x[hi] < x[lo] {
			x[hi], x[lo] = x[lo], x[hi]
		}
		if x[hi] < x[mid] {
			x[hi], x[mid] = x[mid], x[hi]
		}
		pivot := x[mid]
		i, j := lo, hi
		for i <= j {
			for x[i] < pivot {
				i++
			}
			for pivot < x[j] {
				j--
			}
			if i <= j {
				x[i], x[j] = x[j], x[i]
				i++
				j--
			}
		}
		// Now x[lo..j] <= pivot <= x[i..hi], and everything between equals pivot.
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return
		}
	}
}

// String returns d as an aligned text table, one row per column.
func (d *Description) String() string { return d.table().text() }

// WriteTo writes d as String does.
func (d *Description) WriteTo(w io.Writer) (int64, error) {
	n, err := io.WriteString(w, d.String())
	return int64(n), err
}

// HTML returns d as an HTML table, for notebooks.
func (d *Description) HTML() string { return d.table().html() }

func (d *Description) table() *table {
	var hasNum, hasCat bool
	for _, s := range d.Columns {
		hasNum = hasNum || s.Kind == Numeric
		hasCat = hasCat || s.Kind != Numeric
	}
	t := &table{header: []string{"column", "kind", "count", "missing"}}
	if hasNum {
		t.header = append(t.header, "mean", "std", "min", "25%", "50%", "75%", "max")
	}
	if hasCat {
		t.header = append(t.header, "unique", "top", "freq")
	}
	t.right = make([]bool, len(t.header))
	for j := 2; j < len(t.right); j++ {
		t.right[j] = t.header[j] != "top"
	}
	for _, s := range d.Columns {
		row := []string{s.Name, s.Kind.String(), strconv.Itoa(s.Count), strconv.Itoa(s.Missing)}
		if hasNum {
			for _, v := range []float64{s.Mean, s.Std, s.Min, s.Q25, s.Q50, s.Q75, s.Max} {
				if s.Kind != Numeric {
					row = append(row, "")
				} else {
					row = append(row, formatStat(v))
				}
			}
		}
		if hasCat {
			if s.Kind == Numeric {
				row = append(row, "", "", "")
			} else {
				row = append(row, strconv.Itoa(s.Unique), s.Top, strconv.Itoa(s.Freq))
			}
		}
		t.rows = append(t.rows, row)
	}
	return t
}

// formatStat formats a statistic with six decimals, as pandas prints
// describe(), switching to exponent form for very large magnitudes.
func formatStat(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.Abs(v) >= 1e15:
		return fmt.Sprintf("%.6g", v)
	}
	return strconv.FormatFloat(v, 'f', 6, 64)
}
