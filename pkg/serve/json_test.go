package serve

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzParseJSON checks parseJSON against encoding/json: the same bodies
// accepted, the same values read (numbers as their literal).
func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{`{"a": [1, -2.5e3, "x\u00e9\n", true, false, null, {}, []]}`, `[`, `"\ud800"`, "\"\xff\"", `01`, `1.`, `-`, `{"a":1,"a":2}`, ` 3 `, `[1,]`, `{"a" 1}`, `tru`, "\"a\tb\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, v, err := parseJSON(b)
		if valid := json.Valid(b); valid != (err == nil) {
			t.Fatalf("json.Valid %v, parseJSON error %v", valid, err)
		}
		if err != nil {
			return
		}
		var want any
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		if err := d.Decode(&want); err != nil {
			t.Fatal(err)
		}
		if got := doc.any(v); !reflect.DeepEqual(got, want) {
			t.Fatalf("parseJSON %#v, encoding/json %#v", got, want)
		}
	})
}

func TestParseJSONDepth(t *testing.T) {
	deep := bytes.Repeat([]byte("["), 100000)
	if _, _, err := parseJSON(deep); err == nil {
		t.Fatal("100,000 nested arrays: no error")
	}
}
