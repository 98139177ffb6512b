package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// writeJSON writes v as one line of JSON without HTML escaping.
func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// progressBar draws a one-line progress bar on a terminal and nothing
// otherwise, so logs and pipes stay clean.
type progressBar struct {
	w       io.Writer
	enabled bool
	started time.Time
	drawn   bool
}

func newProgressBar(w io.Writer) *progressBar {
	enabled := false
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		enabled = true
	}
	return &progressBar{w: w, enabled: enabled, started: time.Now()}
}

func (p *progressBar) update(file string, done, total, messages int64) {
	if !p.enabled {
		return
	}
	const width = 30
	frac := 0.0
	if total > 0 {
		frac = float64(done) / float64(total)
	}
	if frac > 1 {
		frac = 1
	}
	filled := int(frac * width)
	rate := float64(messages) / time.Since(p.started).Seconds()
	name := file
	if len(name) > 28 {
		name = "…" + name[len(name)-27:]
	}
	fmt.Fprintf(p.w, "\r%-28s [%s%s] %3.0f%%  %d tin nhắn/messages  %.0f/s ",
		name, strings.Repeat("=", filled), strings.Repeat(" ", width-filled), frac*100, messages, rate)
	p.drawn = true
}

func (p *progressBar) done() {
	if p.enabled && p.drawn {
		fmt.Fprintln(p.w)
	}
}

// counter draws "label done/total" on a terminal, for jobs counted in items.
func (p *progressBar) count(label string, done, total int) {
	if !p.enabled {
		return
	}
	fmt.Fprintf(p.w, "\r%s %d/%d ", label, done, total)
	p.drawn = true
}
