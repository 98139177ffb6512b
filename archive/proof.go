package archive

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"chatseal/chat"
)

// ProofFormat names the inclusion proof file format.
const ProofFormat = "chatseal-inclusion-proof/1"

// InclusionProof shows that one message record is leaf Seq of the Merkle
// log that a signed checkpoint commits to (RFC 6962 audit path). It can be
// checked offline with only the checkpoint public key.
type InclusionProof struct {
	Format    string `json:"format"`
	Tenant    string `json:"tenant"`
	MessageID string `json:"message_id"`
	Seq       int64  `json:"seq"`
	// Record is the message's record line exactly as stored in its
	// segment; its leaf hash is SHA-256(0x00 || Record).
	Record string `json:"record"`
	// Checkpoint is the signed note of the checkpoint the proof is against.
	Checkpoint string `json:"checkpoint"`
	// Path is the audit path, base64 hashes from the leaf upwards.
	Path []string `json:"path"`
}

// Encode writes the proof as indented JSON.
func (p *InclusionProof) Encode() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// proofKeys are the members an inclusion proof has, all required.
var proofKeys = []string{"checkpoint", "format", "message_id", "path", "record", "seq", "tenant"}

// CheckInclusionProof parses a proof file and checks it against the
// checkpoint public key vkey: the checkpoint's signature, that the record
// is the message and seq the proof names, and the audit path from the
// record's leaf to the signed root. It returns the checked checkpoint and
// the record's message.
func CheckInclusionProof(data []byte, vkey string) (*Checkpoint, *chat.Message, error) {
	// Member names are matched exactly: encoding/json alone would accept
	// "Seq" for "seq", and a proof must not mean the same after a change.
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil {
		return nil, nil, fmt.Errorf("proof: not a JSON object: %w", err)
	}
	var names []string
	for k := range members {
		names = append(names, k)
	}
	sort.Strings(names)
	if fmt.Sprint(names) != fmt.Sprint(proofKeys) {
		return nil, nil, fmt.Errorf("proof: members are %q, want exactly %q", names, proofKeys)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p InclusionProof
	if err := dec.Decode(&p); err != nil {
		return nil, nil, fmt.Errorf("proof: %w", err)
	}
	if p.Format != ProofFormat {
		return nil, nil, fmt.Errorf("proof: format %q, want %q", p.Format, ProofFormat)
	}

	if err := checkCanonicalSignatures(p.Checkpoint); err != nil {
		return nil, nil, err
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, nil, fmt.Errorf("proof: invalid public key: %w", err)
	}
	n, err := note.Open([]byte(p.Checkpoint), note.VerifierList(verifier))
	if err != nil {
		return nil, nil, fmt.Errorf("proof: checkpoint signature does not verify with the given public key: %w", err)
	}
	cp, err := ParseCheckpoint(n.Text)
	if err != nil {
		return nil, nil, fmt.Errorf("proof: %w", err)
	}
	if cp.Tenant != p.Tenant {
		return nil, nil, fmt.Errorf("proof: names tenant %q but its checkpoint is for %q", p.Tenant, cp.Tenant)
	}

	m, err := chat.DecodeRecord([]byte(p.Record))
	if err != nil {
		return nil, nil, fmt.Errorf("proof: record: %w", err)
	}
	if m.ID != p.MessageID || int64(m.Seq) != p.Seq || m.Tenant != p.Tenant {
		return nil, nil, fmt.Errorf("proof: names message %s seq %d of tenant %q, but the record is message %s seq %d of tenant %q", p.MessageID, p.Seq, p.Tenant, m.ID, m.Seq, m.Tenant)
	}
	if p.Seq < 0 || p.Seq >= cp.Size {
		return nil, nil, fmt.Errorf("proof: seq %d is outside the checkpoint's %d records", p.Seq, cp.Size)
	}

	path := make(tlog.RecordProof, len(p.Path))
	for i, s := range p.Path {
		b, err := base64.StdEncoding.Strict().DecodeString(s)
		if err != nil || len(b) != tlog.HashSize {
			return nil, nil, fmt.Errorf("proof: path hash %d %q is not a base64 SHA-256 hash", i, s)
		}
		copy(path[i][:], b)
	}
	if err := tlog.CheckRecord(path, cp.Size, cp.Root, p.Seq, LeafHash([]byte(p.Record))); err != nil {
		return nil, nil, fmt.Errorf("proof: audit path does not lead from the record to the signed root: %w", err)
	}
	return &cp, m, nil
}

// checkCanonicalSignatures rejects signature lines whose base64 has
// non-zero padding bits. The note package decodes them leniently, so two
// spellings of one signature would otherwise both verify, and a proof could
// change without failing.
func checkCanonicalSignatures(signed string) error {
	_, sigs, ok := strings.Cut(signed, "\n\n")
	if !ok {
		return errors.New("proof: checkpoint is not a signed note")
	}
	for _, line := range strings.Split(strings.TrimSuffix(sigs, "\n"), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		sig := fields[len(fields)-1]
		if _, err := base64.StdEncoding.Strict().DecodeString(sig); err != nil {
			return fmt.Errorf("proof: checkpoint signature %q is not canonical base64: %w", sig, err)
		}
	}
	return nil
}

// ErrNoCheckpoint is returned when no checkpoint covers a record yet.
var ErrNoCheckpoint = errors.New("no checkpoint covers the record")
