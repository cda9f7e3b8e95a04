package frame

import (
	"html"
	"strings"
	"unicode/utf8"
)

// table is a header and rows of cells rendered as aligned text or HTML.
type table struct {
	header []string
	rows   [][]string
	right  []bool // right-align column j
}

func (t *table) text() string {
	w := make([]int, len(t.header))
	for j, h := range t.header {
		w[j] = utf8.RuneCountInString(h)
	}
	for _, r := range t.rows {
		for j, s := range r {
			w[j] = max(w[j], utf8.RuneCountInString(s))
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		for j, s := range cells {
			if j > 0 {
				b.WriteString("  ")
			}
			pad := strings.Repeat(" ", w[j]-utf8.RuneCountInString(s))
			if t.right[j] {
				b.WriteString(pad + s)
			} else if j == len(cells)-1 {
				b.WriteString(s)
			} else {
				b.WriteString(s + pad)
			}
		}
		b.WriteString("\n")
	}
	line(t.header)
	for _, r := range t.rows {
		line(r)
	}
	// Trailing spaces of right-aligned-free last columns are trimmed above;
	// left-aligned last cells are never padded.
	return b.String()
}

func (t *table) html() string {
	var b strings.Builder
	b.WriteString("<table class=\"dataframe\">\n<thead><tr>")
	for _, h := range t.header {
		b.WriteString("<th>" + html.EscapeString(h) + "</th>")
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	for _, r := range t.rows {
		b.WriteString("<tr>")
		for j, s := range r {
			tag := "td"
			if j == 0 {
				tag = "th"
			}
			style := ""
			if t.right[j] && j > 0 {
				style = ` style="text-align:right"`
			}
			b.WriteString("<" + tag + style + ">" + html.EscapeString(s) + "</" + tag + ">")
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody>\n</table>\n")
	return b.String()
}
