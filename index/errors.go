package index

import "errors"

// ErrSchemaVersion is wrapped by Open's error when the index on disk was
// written with another document layout. The index is derived data: delete
// it and index the archive again.
var ErrSchemaVersion = errors.New("index schema version differs")
