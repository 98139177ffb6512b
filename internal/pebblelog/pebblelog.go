// Package pebblelog adapts log/slog to Pebble's logger interface, so that
// Pebble's informational chatter goes to the component's debug log and not
// to the user's terminal.
package pebblelog

import (
	"fmt"
	"log/slog"
)

// Logger implements pebble.Logger on top of a slog.Logger.
type Logger struct {
	L *slog.Logger
}

// Infof logs at debug level: Pebble reports routine work here.
func (l Logger) Infof(format string, args ...any) {
	l.L.Debug(fmt.Sprintf(format, args...))
}

// Errorf logs at error level.
func (l Logger) Errorf(format string, args ...any) {
	l.L.Error(fmt.Sprintf(format, args...))
}

// Fatalf logs at error level and panics: Pebble calls it only when its own
// invariants are broken.
func (l Logger) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	l.L.Error(msg)
	panic("pebble: " + msg)
}
