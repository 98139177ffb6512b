package archive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"syscall"
	"time"
)

// RetryPolicy sets how long a Retrying store keeps trying an operation that
// failed for a reason that may pass (the store is down, slow or
// overloaded).
type RetryPolicy struct {
	// FirstWait is the pause after the first failure; it doubles after
	// each further one. Zero means 200 ms.
	FirstWait time.Duration
	// MaxWait caps one pause. Zero means 30 s.
	MaxWait time.Duration
	// GiveUpAfter is the total time after which the last error is
	// returned. Zero means 10 minutes.
	GiveUpAfter time.Duration
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.FirstWait <= 0 {
		p.FirstWait = 200 * time.Millisecond
	}
	if p.MaxWait <= 0 {
		p.MaxWait = 30 * time.Second
	}
	if p.GiveUpAfter <= 0 {
		p.GiveUpAfter = 10 * time.Minute
	}
	return p
}

// Retrying wraps a Store so that failed operations are retried with
// exponential backoff. Errors that retrying cannot change (ErrNotExist,
// ErrExist, ErrLocked, a cancelled context) are returned at once. Each
// retry is logged as a warning with the attempt number and the error.
type Retrying struct {
	Store
	policy RetryPolicy
	log    *slog.Logger
}

// NewRetrying wraps st.
func NewRetrying(st Store, policy RetryPolicy, logger *slog.Logger) *Retrying {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Retrying{Store: st, policy: policy.withDefaults(), log: logger}
}

// callerError carries an error of the caller's callback out of a retried
// operation without retrying it.
type callerError struct{ err error }

func (e callerError) Error() string { return e.err.Error() }
func (e callerError) Unwrap() error { return e.err }

// permanent reports whether retrying err cannot help. That is the case for
// the caller's own error, the store's report on the object itself, a
// cancelled context, and a local file system error that waiting does not
// change, such as a file where a folder should be or a read-only disk.
func permanent(err error) bool {
	var ce callerError
	if errors.As(err, &ce) || errors.Is(err, ErrNotExist) || errors.Is(err, ErrExist) || errors.Is(err, ErrLocked) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		switch errno {
		case syscall.ENOTDIR, syscall.EISDIR, syscall.EACCES, syscall.EPERM, syscall.EROFS, syscall.ENAMETOOLONG, syscall.EINVAL:
			return true
		}
	}
	return false
}

func (r *Retrying) do(ctx context.Context, op, key string, fn func() error) error {
	started := time.Now()
	wait := r.policy.FirstWait
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil || permanent(err) {
			if err == nil && attempt > 1 {
				r.log.Info("object store operation succeeded after retries", "op", op, "key", key, "attempts", attempt)
			}
			return err
		}
		if time.Since(started)+wait > r.policy.GiveUpAfter {
			r.log.Error("object store operation failed; giving up", "op", op, "key", key, "attempts", attempt, "err", err)
			return fmt.Errorf("archive: %s %s: gave up after %d attempts in %s: %w", op, key, attempt, time.Since(started).Round(time.Second), err)
		}
		r.log.Warn("object store operation failed; retrying", "op", op, "key", key, "attempt", attempt, "wait", wait, "err", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, r.policy.MaxWait)
	}
}

// Put implements Store. A seekable body is rewound before each attempt;
// any other body is read into memory once so that it can be sent again.
func (r *Retrying) Put(ctx context.Context, key string, body io.Reader, size int64, opts PutOptions) error {
	seeker, ok := body.(io.ReadSeeker)
	if !ok {
		data, err := io.ReadAll(body)
		if err != nil {
			return fmt.Errorf("archive: put %s: read body: %w", key, err)
		}
		seeker = bytes.NewReader(data)
	}
	start, err := seeker.Seek(0, io.SeekCurrent)
	if err != nil {
		return fmt.Errorf("archive: put %s: %w", key, err)
	}
	return r.do(ctx, "put", key, func() error {
		if _, err := seeker.Seek(start, io.SeekStart); err != nil {
			return callerError{fmt.Errorf("archive: put %s: rewind body: %w", key, err)}
		}
		return r.Store.Put(ctx, key, seeker, size, opts)
	})
}

// Get implements Store.
func (r *Retrying) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	var rc io.ReadCloser
	err := r.do(ctx, "get", key, func() error {
		var err error
		rc, err = r.Store.Get(ctx, key)
		return err
	})
	return rc, err
}

// Stat implements Store.
func (r *Retrying) Stat(ctx context.Context, key string) (ObjectInfo, error) {
	var info ObjectInfo
	err := r.do(ctx, "stat", key, func() error {
		var err error
		info, err = r.Store.Stat(ctx, key)
		return err
	})
	return info, err
}

// List implements Store. A listing that fails part way is retried from the
// start, skipping the keys fn has already seen.
func (r *Retrying) List(ctx context.Context, prefix string, fn func(ObjectInfo) error) error {
	var last string
	var fnErr error
	err := r.do(ctx, "list", prefix, func() error {
		err := r.Store.List(ctx, prefix, func(o ObjectInfo) error {
			if last != "" && o.Key <= last {
				return nil
			}
			if err := fn(o); err != nil {
				fnErr = err
				return err
			}
			last = o.Key
			return nil
		})
		if fnErr != nil {
			return callerError{fnErr}
		}
		return err
	})
	if fnErr != nil {
		return fnErr
	}
	return err
}

// Capabilities implements Store.
func (r *Retrying) Capabilities(ctx context.Context) (Capabilities, error) {
	var caps Capabilities
	err := r.do(ctx, "capabilities", "", func() error {
		var err error
		caps, err = r.Store.Capabilities(ctx)
		return err
	})
	return caps, err
}
