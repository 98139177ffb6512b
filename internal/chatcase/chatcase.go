// Package chatcase runs the chatcase/1 import cases of ../shared/cases: an
// input with an expected file that states its correct parse. An importer's
// test reads the inputs its own way and hands the messages and warnings to
// Check, which compares every key of the expected file. A key the checker
// does not know fails the test unless the importer's Config checks it or
// lists it as unchecked with a reason, so an expectation cannot be skipped
// unnoticed.
package chatcase

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"chatseal/chat"
	"chatseal/ingest"
)

// Object is an expected-file object with its members kept raw, so that an
// absent key can be told from null.
type Object map[string]json.RawMessage

// Case is one loaded expected file.
type Case struct {
	Name     string
	Path     string // the expected file
	Dir      string // the folder holding it
	Format   string
	Inputs   []string // as written: relative to Dir, a trailing "/" for a folder
	Expected Object
}

// Dir returns the cases folder of one source, such as "whatsapp": the
// project's testdata copy of ../shared/cases.
func Dir(source string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", source)
}

// Load reads every expected file of dir whose format is one of formats.
func Load(t testing.TB, dir string, formats ...string) []*Case {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []*Case
	for _, p := range paths {
		c := LoadFile(t, p)
		if len(formats) == 0 || contains(formats, c.Format) {
			cases = append(cases, c)
		}
	}
	if len(cases) == 0 {
		t.Fatalf("no cases of format %v in %s", formats, dir)
	}
	return cases
}

// LoadFile reads one expected file.
func LoadFile(t testing.TB, path string) *Case {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c := &Case{
		Name: strings.TrimSuffix(filepath.Base(path), ".expected.json"),
		Path: path,
		Dir:  filepath.Dir(path),
	}
	if err := json.Unmarshal(data, &c.Expected); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	Decode(t, "format", c.Expected["format"], &c.Format)
	Decode(t, "inputs", c.Expected["inputs"], &c.Inputs)
	return c
}

// InputPath returns the file-system path of input i.
func (c *Case) InputPath(i int) string {
	return filepath.Join(c.Dir, filepath.FromSlash(strings.TrimSuffix(c.Inputs[i], "/")))
}

// Option decodes options.key into dst and reports whether it was present.
func (c *Case) Option(t testing.TB, key string, dst any) bool {
	t.Helper()
	var opts Object
	if raw, ok := c.Expected["options"]; ok {
		Decode(t, "options", raw, &opts)
	}
	raw, ok := opts[key]
	if !ok || IsNull(raw) {
		return false
	}
	Decode(t, "options."+key, raw, dst)
	return true
}

// Result is the output of an importer for one case.
type Result struct {
	// Messages are every message read, in input order.
	Messages []*chat.Message
	// Warnings are the input-level warnings reported through
	// ingest.Options.Warn.
	Warnings []ingest.Warning
	// Bad are the items the reader returned as bad records.
	Bad []*ingest.BadRecord
	// Totals are the distinct messages stored after each import step, for
	// cases with after_each_import_total.
	Totals []int
}

// Config adapts Check to one importer.
type Config struct {
	// Unchecked lists keys the importer does not check, with the reason.
	// Keys are written "case.KEY", "conversation.KEY", "message.KEY" or
	// "attachment.KEY".
	Unchecked map[string]string
	// Message checks a message key the common checker does not know and
	// reports whether it did.
	Message func(t *testing.T, key string, want json.RawMessage, got chat.ThreadView) bool
	// Conversation checks a conversation key the common checker does not
	// know and reports whether it did.
	Conversation func(t *testing.T, key string, want json.RawMessage, got []chat.ThreadView) bool
	// Case checks a top-level key the common checker does not know and
	// reports whether it did. views holds every conversation's thread.
	Case func(t *testing.T, key string, want json.RawMessage, res *Result, views [][]chat.ThreadView) bool
}

func (cfg *Config) unchecked(scope, key string) bool {
	_, ok := cfg.Unchecked[scope+"."+key]
	if ok {
		return true
	}
	_, ok = defaultUnchecked[scope+"."+key]
	return ok
}

var defaultUnchecked = map[string]string{
	"case.schema":               "always chatcase/1; it names the file format, not a result",
	"case.case_id":              "names the subtest",
	"case.format":               "names the importer under test",
	"case.inputs":               "read to run the importer",
	"case.options":              "read to run the importer",
	"case.sources":              "documentation of where the case comes from",
	"case.notes":                "documentation of what the case tests",
	"conversation.note":         "documentation",
	"message.sent_at_precision": "chat.Message does not record the precision of SentAt",
	"message.sent_at_utc":       "the same instant as sent_at, which is checked",
	"conversation.thread_type":  "the input's own name for the kind, checked through kind",
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// SortedKeys returns the keys of o in order.
func SortedKeys(o Object) []string {
	keys := make([]string, 0, len(o))
	for k := range o {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// IsNull reports whether raw is absent or JSON null.
func IsNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// Decode unmarshals raw into dst or fails the test naming field.
func Decode(t testing.TB, field string, raw json.RawMessage, dst any) {
	t.Helper()
	if err := json.Unmarshal(raw, dst); err != nil {
		t.Fatalf("expected file: key %s: %v", field, err)
	}
}
