// Command chatseal archives business chat in an append-only, encrypted
// archive, searches it in Vietnamese with or without diacritics, and checks
// that it is intact.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}
