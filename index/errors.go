package index

import "errors"

// ErrSchemaVersion is wrapped by Open's error when the index on disk was
// written with another document layout, another shard layout or another
// Config.Location. The index is derived data: delete it and index the
// archive again.
var ErrSchemaVersion = errors.New("index schema version differs")

// ErrUnknownCustodian is returned, wrapped, by a QueryOptions.Custodian
// function for a name it does not know. The search then fails with a
// *SyntaxError that names the custodian and wraps this error.
var ErrUnknownCustodian = errors.New("unknown custodian")

// ErrInvalidCursor is wrapped by the error for a SearchOptions.After that
// is malformed or was made for another sort.
var ErrInvalidCursor = errors.New("invalid search cursor")

// ErrInvalidSort is wrapped by the error for an unknown sort name.
var ErrInvalidSort = errors.New("invalid sort")
