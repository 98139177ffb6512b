package catalog

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble"
	"golang.org/x/mod/sumdb/tlog"
)

// The catalog keeps the tenant's Merkle log (RFC 6962 hashing, through
// golang.org/x/mod/sumdb/tlog) in three key ranges:
//
//	l tenant seq(8)   → leaf hash of the record with that seq, while the
//	                    record is beyond the tree (catalogs of earlier
//	                    versions have the row for every record)
//	h tenant index(8) → tlog stored hash at that storage index
//	r tenant          → tree size: leaves 0..size-1 are in the tree
//
// Leaves may arrive in any order (a rebuild reads segments in key order);
// the tree grows over the longest run of leaves from its current size, so
// it is always the log of records 0..size-1. Everything here is derived
// from the segments and recomputed by a rebuild.

func leafKey(tenant string, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(append(key('l', tenant), 0), seq)
}

func storedHashKey(tenant string, index int64) []byte {
	return binary.BigEndian.AppendUint64(append(key('h', tenant), 0), uint64(index))
}

// hashReader reads stored hashes from a Pebble reader.
func hashReader(r pebble.Reader, tenant string) tlog.HashReaderFunc {
	return func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, idx := range indexes {
			v, closer, err := r.Get(storedHashKey(tenant, idx))
			if errors.Is(err, pebble.ErrNotFound) {
				return nil, fmt.Errorf("catalog: Merkle stored hash %d of tenant %s is missing", idx, tenant)
			}
			if err != nil {
				return nil, fmt.Errorf("catalog: read Merkle stored hash %d: %w", idx, err)
			}
			copy(out[i][:], v)
			closer.Close()
		}
		return out, nil
	}
}

func readUint64(r pebble.Reader, k []byte) (uint64, error) {
	v, closer, err := r.Get(k)
	if errors.Is(err, pebble.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("catalog: read %q: %w", k, err)
	}
	defer closer.Close()
	if len(v) != 8 {
		return 0, fmt.Errorf("catalog: value of %q has %d bytes, want 8", k, len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}

// extendTree adds to the tree every leaf that continues it, writing to
// batch b, and returns the tree's new size. Leaves and stored hashes come
// from leaves and the hashes this call computes, or else from the
// committed database r: leaves may have been committed earlier, out of
// order.
func extendTree(b *rowBatch, r pebble.Reader, tenant string, leaves map[uint64]tlog.Hash) (uint64, error) {
	size, err := readUint64(r, key('r', tenant))
	if err != nil {
		return 0, err
	}
	start := size
	written := map[int64]tlog.Hash{}
	committed := hashReader(r, tenant)
	reader := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, idx := range indexes {
			h, ok := written[idx]
			if !ok {
				read, err := committed([]int64{idx})
				if err != nil {
					return nil, err
				}
				h = read[0]
			}
			out[i] = h
		}
		return out, nil
	})
	for {
		leaf, ok := leaves[size]
		if !ok {
			v, closer, err := r.Get(leafKey(tenant, size))
			if errors.Is(err, pebble.ErrNotFound) {
				break
			}
			if err != nil {
				return 0, fmt.Errorf("catalog: read leaf %d: %w", size, err)
			}
			copy(leaf[:], v)
			closer.Close()
		}
		hashes, err := tlog.StoredHashesForRecordHash(int64(size), leaf, reader)
		if err != nil {
			return 0, fmt.Errorf("catalog: extend Merkle tree at leaf %d: %w", size, err)
		}
		base := tlog.StoredHashIndex(0, int64(size))
		for i, h := range hashes {
			written[base+int64(i)] = h
			b.set(storedHashKey(tenant, base+int64(i)), h[:])
		}
		size++
	}
	if size != start {
		b.set(key('r', tenant), binary.BigEndian.AppendUint64(nil, size))
	}
	return size, nil
}

// TreeSize returns how many leaves the tenant's Merkle tree holds.
func (c *Catalog) TreeSize(tenant string) (int64, error) {
	n, err := readUint64(c.db, key('r', tenant))
	return int64(n), err
}

// TreeHash returns the root hash of the tenant's tree at size n, which must
// not exceed TreeSize.
func (c *Catalog) TreeHash(tenant string, n int64) (tlog.Hash, error) {
	return tlog.TreeHash(n, c.HashReader(tenant))
}

// HashReader returns a tlog.HashReader over the tenant's stored hashes, for
// inclusion and consistency proofs.
func (c *Catalog) HashReader(tenant string) tlog.HashReader {
	return hashReader(c.db, tenant)
}

// Leaf returns the stored leaf hash of the record with seq.
func (c *Catalog) Leaf(tenant string, seq uint64) (tlog.Hash, error) {
	var h tlog.Hash
	size, err := readUint64(c.db, key('r', tenant))
	if err != nil {
		return h, err
	}
	if seq < size {
		hashes, err := hashReader(c.db, tenant)([]int64{tlog.StoredHashIndex(0, int64(seq))})
		if err != nil {
			return h, fmt.Errorf("catalog: leaf %d: %w", seq, err)
		}
		return hashes[0], nil
	}
	v, closer, err := c.db.Get(leafKey(tenant, seq))
	if errors.Is(err, pebble.ErrNotFound) {
		return h, fmt.Errorf("catalog: leaf %d: %w", seq, ErrNotFound)
	}
	if err != nil {
		return h, fmt.Errorf("catalog: read leaf %d: %w", seq, err)
	}
	defer closer.Close()
	copy(h[:], v)
	return h, nil
}
