package archive

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// Checkpoint is a signed head of a tenant's Merkle log: the number of
// records in the log and the RFC 6962 root hash over them, at a time. It is
// stored as a signed note (golang.org/x/mod/sumdb/note) whose text is
//
//	chatseal/<tenant>
//	<size>
//	<base64 root hash>
//	<time, RFC 3339 UTC>
//
// followed by a blank line and the Ed25519 signature lines.
type Checkpoint struct {
	Tenant string
	Size   int64
	Root   tlog.Hash
	Time   time.Time
}

// checkpointOrigin is the first line of a checkpoint's text.
func checkpointOrigin(tenant string) string { return "chatseal/" + tenant }

// Text returns the note text that is signed.
func (c Checkpoint) Text() string {
	return fmt.Sprintf("%s\n%d\n%s\n%s\n", checkpointOrigin(c.Tenant), c.Size,
		base64.StdEncoding.EncodeToString(c.Root[:]), c.Time.UTC().Format(time.RFC3339))
}

// ParseCheckpoint reads the text of a checkpoint note (without signatures).
func ParseCheckpoint(text string) (Checkpoint, error) {
	var c Checkpoint
	lines := strings.Split(text, "\n")
	if len(lines) != 5 || lines[4] != "" {
		return c, fmt.Errorf("archive: checkpoint text has %d lines, want 4", len(lines)-1)
	}
	tenant, ok := strings.CutPrefix(lines[0], "chatseal/")
	if !ok || tenant == "" {
		return c, fmt.Errorf("archive: checkpoint origin %q does not start with chatseal/", lines[0])
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 {
		return c, fmt.Errorf("archive: checkpoint size %q is not a count", lines[1])
	}
	root, err := base64.StdEncoding.Strict().DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return c, fmt.Errorf("archive: checkpoint root %q is not a base64 SHA-256 hash", lines[2])
	}
	at, err := time.Parse(time.RFC3339, lines[3])
	if err != nil {
		return c, fmt.Errorf("archive: checkpoint time %q is not RFC 3339", lines[3])
	}
	c.Tenant, c.Size, c.Time = tenant, size, at
	copy(c.Root[:], root)
	return c, nil
}

// CheckpointPrefix returns the key prefix of a tenant's checkpoints.
func CheckpointPrefix(tenant string) string {
	return EscapeKeyElement(tenant) + "/checkpoints/"
}

// CheckpointKey returns the object key of the checkpoint at a tree size.
// The size is zero-padded to 20 digits so that keys sort by size.
func CheckpointKey(tenant string, size int64) string {
	return fmt.Sprintf("%s%020d.note", CheckpointPrefix(tenant), size)
}
