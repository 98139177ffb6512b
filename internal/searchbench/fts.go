package searchbench

import (
	"context"
	"database/sql"
	"fmt"
	"iter"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"chatseal/chat"
)

// ftsTxRows is the number of messages inserted per SQLite transaction.
const ftsTxRows = 10_000

// ftsSchema is the SQLite side: the FTS5 table of the text, with the
// unicode61 tokenizer removing diacritics, and plain tables for the filters. phone and money hold the
// numbers that extractPhones and extractAmounts find, one row per number
// and message. The indexes exist before the load, as they would in an
// archive that grows by imports.
var ftsSchema = []string{
	`CREATE VIRTUAL TABLE m USING fts5(text, tokenize='unicode61 remove_diacritics 2')`,
	`CREATE TABLE meta(id INTEGER PRIMARY KEY, account TEXT NOT NULL, sent_at INTEGER NOT NULL)`,
	`CREATE INDEX meta_account_sent_at ON meta(account, sent_at)`,
	`CREATE TABLE phone(number TEXT NOT NULL, id INTEGER NOT NULL)`,
	`CREATE INDEX phone_number ON phone(number, id)`,
	`CREATE TABLE money(amount INTEGER NOT NULL, id INTEGER NOT NULL)`,
	`CREATE INDEX money_amount ON money(amount, id)`,
}

// ftsPragmas apply to the one connection of the database. WAL and
// synchronous=NORMAL are the usual settings for a write-heavy SQLite
// file; the page cache of 64 MiB and the memory map of 4 GiB let SQLite
// read through the operating system's page cache, as Bleve does.
var ftsPragmas = []string{
	`PRAGMA journal_mode=WAL`,
	`PRAGMA synchronous=NORMAL`,
	`PRAGMA cache_size=-65536`,
	`PRAGMA mmap_size=4294967296`,
}

// ftsEngine is the SQLite FTS5 side of the benchmark.
type ftsEngine struct {
	db   *sql.DB
	path string

	wordTop, wordCount         *sql.Stmt
	filteredTop, filteredCount *sql.Stmt
	phoneTop, phoneCount       *sql.Stmt
	moneyTop, moneyCount       *sql.Stmt
}

// openFTS creates a new SQLite database at path.
func openFTS(ctx context.Context, path string) (*ftsEngine, error) {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return nil, fmt.Errorf("searchbench: open sqlite %s: %w", path, err)
	}
	// One connection, so that the pragmas hold for every statement.
	db.SetMaxOpenConns(1)
	e := &ftsEngine{db: db, path: path}
	for _, stmt := range append(append([]string{}, ftsPragmas...), ftsSchema...) {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("searchbench: sqlite %s: %s: %w", path, stmt, err)
		}
	}
	return e, nil
}

// load inserts msgs, one transaction per ftsTxRows messages, and counts
// them on progress.
func (e *ftsEngine) load(ctx context.Context, msgs iter.Seq[*chat.Message], progress *progressMeter) error {
	var tx *sql.Tx
	var insText, insMeta, insPhone, insMoney *sql.Stmt
	begin := func() error {
		var err error
		if tx, err = e.db.BeginTx(ctx, nil); err != nil {
			return err
		}
		for _, p := range []struct {
			stmt **sql.Stmt
			sql  string
		}{
			{&insText, `INSERT INTO m(rowid, text) VALUES (?, ?)`},
			{&insMeta, `INSERT INTO meta(id, account, sent_at) VALUES (?, ?, ?)`},
			{&insPhone, `INSERT INTO phone(number, id) VALUES (?, ?)`},
			{&insMoney, `INSERT INTO money(amount, id) VALUES (?, ?)`},
		} {
			if *p.stmt, err = tx.PrepareContext(ctx, p.sql); err != nil {
				return err
			}
		}
		return nil
	}

	rows := 0
	for m := range msgs {
		if rows%ftsTxRows == 0 {
			if tx != nil {
				if err := tx.Commit(); err != nil {
					return fmt.Errorf("searchbench: sqlite %s: commit at message %d: %w", e.path, rows, err)
				}
			}
			if err := begin(); err != nil {
				return fmt.Errorf("searchbench: sqlite %s: begin at message %d: %w", e.path, rows, err)
			}
		}
		if err := e.insert(ctx, m, insText, insMeta, insPhone, insMoney); err != nil {
			_ = tx.Rollback()
			return err
		}
		rows++
		progress.add(1)
	}
	if tx != nil {
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("searchbench: sqlite %s: commit at message %d: %w", e.path, rows, err)
		}
	}
	if _, err := e.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return fmt.Errorf("searchbench: sqlite %s: checkpoint: %w", e.path, err)
	}
	return nil
}

func (e *ftsEngine) insert(ctx context.Context, m *chat.Message, insText, insMeta, insPhone, insMoney *sql.Stmt) error {
	id, ok := rowID(m.ID)
	if !ok {
		return fmt.Errorf("searchbench: sqlite: message ID %q is not a corpus ID", m.ID)
	}
	if _, err := insText.ExecContext(ctx, id, m.Text); err != nil {
		return fmt.Errorf("searchbench: sqlite %s: insert text of %s: %w", e.path, m.ID, err)
	}
	if _, err := insMeta.ExecContext(ctx, id, m.Account, m.SentAt.Unix()); err != nil {
		return fmt.Errorf("searchbench: sqlite %s: insert meta of %s: %w", e.path, m.ID, err)
	}
	for _, number := range extractPhones(m.Text) {
		if _, err := insPhone.ExecContext(ctx, number, id); err != nil {
			return fmt.Errorf("searchbench: sqlite %s: insert phone of %s: %w", e.path, m.ID, err)
		}
	}
	for _, amount := range extractAmounts(m.Text) {
		if _, err := insMoney.ExecContext(ctx, amount, id); err != nil {
			return fmt.Errorf("searchbench: sqlite %s: insert amount of %s: %w", e.path, m.ID, err)
		}
	}
	return nil
}

// prepare prepares the query statements. Each class has a statement for
// the 20 best hits and one for the count of all hits; search runs both.
func (e *ftsEngine) prepare(ctx context.Context) error {
	// CROSS JOIN makes m the outer loop: one MATCH, then a primary key
	// lookup in meta per hit. With a plain JOIN, SQLite's planner scans
	// meta by account and date and runs the MATCH once per row. With
	// ORDER BY rank, each of those runs reads the whole doclist of the
	// words to compute bm25, which took 100 s for the word "em" on a
	// million messages (SQLite 3.40).
	const filter = ` FROM m CROSS JOIN meta ON meta.id = m.rowid WHERE m MATCH ?1 AND meta.account = ?2 AND meta.sent_at >= ?3 AND meta.sent_at < ?4`
	for _, p := range []struct {
		stmt **sql.Stmt
		sql  string
	}{
		{&e.wordTop, `SELECT rowid FROM m WHERE m MATCH ?1 ORDER BY rank LIMIT 20`},
		{&e.wordCount, `SELECT count(*) FROM m WHERE m MATCH ?1`},
		{&e.filteredTop, `SELECT m.rowid` + filter + ` ORDER BY m.rank LIMIT 20`},
		{&e.filteredCount, `SELECT count(*)` + filter},
		{&e.phoneTop, `SELECT DISTINCT id FROM phone WHERE number = ?1 ORDER BY id LIMIT 20`},
		{&e.phoneCount, `SELECT count(DISTINCT id) FROM phone WHERE number = ?1`},
		{&e.moneyTop, `SELECT DISTINCT id FROM money WHERE amount BETWEEN ?1 AND ?2 ORDER BY id LIMIT 20`},
		{&e.moneyCount, `SELECT count(DISTINCT id) FROM money WHERE amount BETWEEN ?1 AND ?2`},
	} {
		var err error
		if *p.stmt, err = e.db.PrepareContext(ctx, p.sql); err != nil {
			return fmt.Errorf("searchbench: sqlite %s: prepare %s: %w", e.path, p.sql, err)
		}
	}
	return nil
}

func (e *ftsEngine) name() string { return engineFTS5 }

// ftsPhrase returns words as one FTS5 string: a phrase of its tokens, with
// FTS5 operators in it read as plain words.
func ftsPhrase(words string) string {
	return `"` + strings.ReplaceAll(words, `"`, `""`) + `"`
}

// search runs q and returns the rowids of the 20 best hits and the count
// of all hits.
func (e *ftsEngine) search(ctx context.Context, q *Query) ([]int64, int64, error) {
	var top, count *sql.Stmt
	var args []any
	switch {
	case q.Class == ClassPhone:
		top, count = e.phoneTop, e.phoneCount
		numbers := normalizeNumber(strings.Map(keepDigits, q.Phone), false)
		if len(numbers) == 0 {
			return nil, 0, fmt.Errorf("searchbench: sqlite: phone query %q is not a phone number", q.Phone)
		}
		args = []any{numbers[0]}
	case q.Class == ClassMoney:
		top, count = e.moneyTop, e.moneyCount
		args = []any{q.MoneyLow, q.MoneyHigh}
	case q.Account != "":
		top, count = e.filteredTop, e.filteredCount
		args = []any{ftsPhrase(q.Words), q.Account, q.After.Unix(), q.Before.Unix()}
	default:
		top, count = e.wordTop, e.wordCount
		args = []any{ftsPhrase(q.Words)}
	}
	return e.run(ctx, q, top, count, args)
}

// run runs the top and count statements of q with args.
func (e *ftsEngine) run(ctx context.Context, q *Query, top, count *sql.Stmt, args []any) ([]int64, int64, error) {
	rows, err := top.QueryContext(ctx, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("searchbench: sqlite: %s query: %w", q.Class, err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			_ = rows.Close()
			return nil, 0, fmt.Errorf("searchbench: sqlite: %s query: %w", q.Class, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Close(); err != nil {
		return nil, 0, fmt.Errorf("searchbench: sqlite: %s query: %w", q.Class, err)
	}
	var total int64
	if err := count.QueryRowContext(ctx, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("searchbench: sqlite: %s count: %w", q.Class, err)
	}
	return ids, total, nil
}

// tableSizes returns the bytes of each table and index from SQLite's
// dbstat table, or nil when this SQLite build has none.
func (e *ftsEngine) tableSizes(ctx context.Context) map[string]int64 {
	rows, err := e.db.QueryContext(ctx, `SELECT name, SUM(pgsize) FROM dbstat GROUP BY name`)
	if err != nil {
		return nil
	}
	defer rows.Close()
	sizes := make(map[string]int64)
	for rows.Next() {
		var name string
		var size int64
		if rows.Scan(&name, &size) == nil {
			sizes[name] = size
		}
	}
	return sizes
}

func (e *ftsEngine) close() error {
	if err := e.db.Close(); err != nil {
		return fmt.Errorf("searchbench: close sqlite %s: %w", e.path, err)
	}
	return nil
}

func keepDigits(r rune) rune {
	if r >= '0' && r <= '9' {
		return r
	}
	return -1
}
