package charts

import (
	"bytes"
	"compress/flate"
	_ "embed"
	"encoding/base64"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// pakoJS is dist/pako_inflate.min.js of npm pako@2.1.0 ((MIT AND Zlib)), a
// DEFLATE decoder; see assets/README.md.
//
//go:embed assets/pako_inflate.min.js
var pakoJS string

// loaderJS returns the script that puts ECharts on the page. The embedded
// library travels DEFLATE-compressed and base64-encoded (0.44 MB instead of
// 1.02 MB, which matters when every notebook output carries it); pako
// inflates it synchronously (about 10 ms) and it is evaluated once per
// page, in a script element, with define, exports and module hidden. pako
// itself is loaded into local exports, so it leaves no global behind.
//
// The hiding lets the UMD build set window.echarts even when RequireJS is
// present (nbconvert's exported HTML; Jupyter Notebook 6): unhidden, the
// build calls an anonymous define(), which RequireJS rejects ("Mismatched
// anonymous define() module") and which leaves window.echarts unset.
var loaderJS = sync.OnceValue(func() string {
	var z bytes.Buffer
	w, err := flate.NewWriter(&z, flate.BestCompression)
	if err != nil {
		panic(err) // only for an invalid level
	}
	w.Write([]byte(echartsJS)) // writes to a bytes.Buffer do not fail
	w.Close()
	return "if(!(window.echarts&&window.echarts.init)){(function(){\n" +
		"var define,exports={},module={exports:exports};\n" + pakoJS + "\n" +
		"var z=atob(\"" + base64.StdEncoding.EncodeToString(z.Bytes()) + "\"),b=new Uint8Array(z.length);\n" +
		"for(var i=0;i<z.length;i++)b[i]=z.charCodeAt(i);\n" +
		"var s=document.createElement(\"script\");\n" +
		"s.text=\"(function(define,exports,module){\\n\"+new TextDecoder().decode(exports.inflateRaw(b))+\"\\n}).call(window);\";\n" +
		"(document.head||document.documentElement).appendChild(s);\n})();}\n"
})

// LibraryHTML returns a <script> element that puts the embedded ECharts on
// a page (window.echarts), inflated from its compressed copy, unless the
// page has it already; about 0.44 MB. It is what a page of Fragments needs
// when nothing serves the library (see Fragment), and what an exported
// notebook page carries in its head.
func LibraryHTML() string {
	return "<script type=\"text/javascript\">\n" + loaderJS() + "</script>\n"
}

// LibraryFile returns the path of assets/echarts.min.js in the source tree
// this package was built from, when that file is there and is the library
// the package embeds; "" otherwise (a -trimpath build, a binary run
// elsewhere). A server whose root holds the tree can serve it to pages of
// Fragments (pkg/notebook serves it through Jupyter).
func LibraryFile() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return ""
	}
	p := filepath.Join(filepath.Dir(file), "assets", "echarts.min.js")
	if fi, err := os.Stat(p); err != nil || fi.Size() != int64(len(echartsJS)) {
		return ""
	}
	return p
}
