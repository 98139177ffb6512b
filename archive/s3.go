package archive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config locates an S3-compatible bucket.
type S3Config struct {
	// Endpoint is the server's host:port without a scheme, for example
	// "127.0.0.1:7070" or "s3.eu-west-1.amazonaws.com". Required.
	Endpoint string
	// Bucket is the bucket name. Required.
	Bucket string
	// AccessKey and SecretKey are the static credentials used to sign
	// requests. Both empty means anonymous requests.
	AccessKey string
	SecretKey string
	// UseTLS selects https. False means plain http.
	UseTLS bool
	// Region is the bucket's region. Empty means "us-east-1".
	Region string
	// Prefix is prepended to every key inside the bucket, for example
	// "prod/". Empty means none. A missing trailing '/' is added.
	Prefix string
}

// defaultS3Region is the region used when S3Config.Region is empty.
const defaultS3Region = "us-east-1"

// conditionalPutHeadSize is the object size in bytes above which Put with
// IfNoneMatch sends HEAD before the conditional PUT.
const conditionalPutHeadSize = 64 << 10

// S3 error codes that minio-go does not name as constants.
const (
	// codeObjectLockConfigNotFound is returned by GetObjectLockConfiguration
	// on a bucket without Object Lock (AWS S3, MinIO and versitygw).
	codeObjectLockConfigNotFound = "ObjectLockConfigurationNotFoundError"
	// codeUserNotFound is versitygw's code for an unknown access key, where
	// AWS S3 sends InvalidAccessKeyId.
	codeUserNotFound = "XAdminUserNotFound"
)

// S3Store is a Store in an S3-compatible bucket, written with minio-go.
//
// Delete removes every version of a key, delete markers included, and
// never sends x-amz-bypass-governance-retention, so GOVERNANCE retention
// protects objects from this store as firmly as COMPLIANCE does.
type S3Store struct {
	client   *minio.Client
	endpoint string
	bucket   string
	prefix   string // normalised S3Config.Prefix: empty or ending in '/'
	logger   *slog.Logger

	// sendLock is true when Put sends the Object Lock headers of
	// PutOptions: the bucket has Object Lock enabled, or its configuration
	// could not be read, in which case a put to an unlocked bucket fails
	// loudly instead of silently dropping the retention.
	sendLock atomic.Bool
}

var _ Store = (*S3Store)(nil)

// NewS3 opens the bucket described by cfg. It lists the bucket once to
// check that the bucket exists and that the credentials are accepted, and
// reads the bucket's Object Lock configuration. A nil logger discards logs.
func NewS3(ctx context.Context, cfg S3Config, logger *slog.Logger) (*S3Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg, err := normalizeS3Config(cfg)
	if err != nil {
		return nil, err
	}
	client, err := newS3Client(cfg)
	if err != nil {
		return nil, err
	}

	if err := listFirstObject(ctx, client, cfg.Bucket, cfg.Prefix); err != nil {
		return nil, describeBucketError(cfg, err)
	}

	s := &S3Store{
		client:   client,
		endpoint: cfg.Endpoint,
		bucket:   cfg.Bucket,
		prefix:   cfg.Prefix,
		logger:   logger,
	}
	objectLock := "unknown"
	caps, err := s.Capabilities(ctx)
	if err != nil {
		s.sendLock.Store(true)
		logger.Warn("s3: cannot read the bucket's Object Lock configuration; puts will send retention headers and fail if the bucket has no Object Lock",
			"endpoint", cfg.Endpoint, "bucket", cfg.Bucket, "err", err)
	} else {
		objectLock = fmt.Sprint(caps.ObjectLock)
	}
	logger.Info("s3: store opened",
		"endpoint", cfg.Endpoint, "bucket", cfg.Bucket, "prefix", cfg.Prefix, "object_lock", objectLock)
	return s, nil
}

// EnsureBucket creates the bucket of cfg when it does not exist, with
// Object Lock (and so versioning) enabled when objectLock is true. When
// the bucket exists and objectLock is true, it returns an error unless the
// bucket already has Object Lock enabled.
func EnsureBucket(ctx context.Context, cfg S3Config, objectLock bool) error {
	cfg, err := normalizeS3Config(cfg)
	if err != nil {
		return err
	}
	client, err := newS3Client(cfg)
	if err != nil {
		return err
	}

	err = listFirstObject(ctx, client, cfg.Bucket, "")
	switch {
	case err == nil:
		// The bucket exists.
	case s3ErrorCode(err) == minio.NoSuchBucket:
		opts := minio.MakeBucketOptions{Region: cfg.Region, ObjectLocking: objectLock}
		err := client.MakeBucket(ctx, cfg.Bucket, opts)
		if err != nil && s3ErrorCode(err) != minio.BucketAlreadyOwnedByYou {
			return fmt.Errorf("archive: s3 create bucket %q on %s (object lock %t): %w", cfg.Bucket, cfg.Endpoint, objectLock, err)
		}
	default:
		return describeBucketError(cfg, err)
	}

	if !objectLock {
		return nil
	}
	enabled, err := objectLockEnabled(ctx, client, cfg.Bucket)
	if err != nil {
		return fmt.Errorf("archive: s3 read Object Lock configuration of bucket %q on %s: %w", cfg.Bucket, cfg.Endpoint, err)
	}
	if !enabled {
		return fmt.Errorf("archive: s3 bucket %q on %s exists without Object Lock; use a new bucket created with Object Lock, or enable Object Lock on this one", cfg.Bucket, cfg.Endpoint)
	}
	return nil
}

// Put implements Store.
//
// RetainUntil (rounded up to a whole second), Mode and LegalHold are sent
// as Object Lock headers only when the bucket has Object Lock, and are
// dropped otherwise. Every put carries Content-MD5, which S3 requires for
// Object Lock puts and versitygw verifies. To compute it in a single PUT,
// minio-go reads r twice when r is an io.ReaderAt and io.Seeker, and
// otherwise buffers the object in memory. Objects above 16 MiB without
// IfNoneMatch go up in a multipart upload that buffers one part (16 MiB
// or more) at a time.
//
// With IfNoneMatch the put is a single request with If-None-Match: *, and
// the server's PreconditionFailed becomes ErrExist. Objects above 64 KiB
// are looked up with HEAD first, because a server may reset the
// connection instead of returning 412 when it rejects a large body before
// reading it. versitygw v1.8.0 does so when more than 256 KiB are unread.
// NOTE: ErrExist is not exact in two races. minio-go retries a request
// that failed on the network, so when a first attempt was stored but its
// response was lost, the retry returns ErrExist for this Put's own object.
// And when another writer creates a large object between the HEAD and the
// PUT, the PUT may fail with a connection reset instead of ErrExist.
//
// A reader with fewer than size bytes fails the put, and no object
// appears. Bytes beyond size are not stored.
func (s *S3Store) Put(ctx context.Context, key string, r io.Reader, size int64, opts PutOptions) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	if size < 0 {
		return fmt.Errorf("archive: s3 put %q: size %d is negative; the object size must be known", key, size)
	}
	putOpts, err := s.putObjectOptions(opts)
	if err != nil {
		return fmt.Errorf("archive: s3 put %q: %w", key, err)
	}
	body, err := sizedBody(r, size)
	if err != nil {
		return fmt.Errorf("archive: s3 put %q: %w", key, err)
	}

	if opts.IfNoneMatch && size > conditionalPutHeadSize {
		_, err := s.client.StatObject(ctx, s.bucket, s.prefix+key, minio.StatObjectOptions{})
		switch {
		case err == nil:
			return fmt.Errorf("archive: s3 put %q: %w", key, ErrExist)
		case s3ErrorCode(err) != minio.NoSuchKey:
			return fmt.Errorf("archive: s3 put %q: check whether the object exists: %w", key, err)
		}
	}

	_, err = s.client.PutObject(ctx, s.bucket, s.prefix+key, body, size, putOpts)
	if err != nil {
		if opts.IfNoneMatch && s3ErrorCode(err) == minio.PreconditionFailed {
			return fmt.Errorf("archive: s3 put %q: %w", key, ErrExist)
		}
		return fmt.Errorf("archive: s3 put %q: %w", key, err)
	}
	return nil
}

func (s *S3Store) putObjectOptions(opts PutOptions) (minio.PutObjectOptions, error) {
	putOpts := minio.PutObjectOptions{
		ContentType:    opts.ContentType,
		SendContentMd5: true,
	}

	var mode minio.RetentionMode
	switch opts.Mode {
	case "", Governance:
		mode = minio.Governance
	case Compliance:
		mode = minio.Compliance
	default:
		return putOpts, fmt.Errorf("invalid retention mode %q: use %q or %q", opts.Mode, Governance, Compliance)
	}

	if opts.IfNoneMatch {
		putOpts.SetMatchETagExcept("*")
		// minio-go v7.4.1 does not send If-None-Match with
		// CompleteMultipartUpload, so a multipart upload would not be
		// conditional.
		// NOTE: objects above the server's single PUT limit (5 GiB on
		// AWS S3) cannot be written with IfNoneMatch.
		putOpts.DisableMultipart = true
	}

	if s.sendLock.Load() {
		if !opts.RetainUntil.IsZero() {
			putOpts.Mode = mode
			putOpts.RetainUntilDate = ceilSecond(opts.RetainUntil)
		}
		if opts.LegalHold {
			putOpts.LegalHold = minio.LegalHoldEnabled
		}
	}
	return putOpts, nil
}

// sizedBody returns r, or r wrapped so that it fails when it ends before
// size bytes. minio-go would otherwise send the request, get a length
// mismatch from net/http and retry it ten times. A reader that is an
// io.ReaderAt and io.Seeker is measured here instead and returned
// unwrapped, because minio-go reads such a reader twice, for Content-MD5
// and then for the body, without buffering it.
func sizedBody(r io.Reader, size int64) (io.Reader, error) {
	if rs, ok := r.(interface {
		io.ReaderAt
		io.Seeker
	}); ok {
		if remaining, err := remainingBytes(rs); err == nil {
			if remaining < size {
				return nil, fmt.Errorf("reader has %d bytes left, fewer than the size %d", remaining, size)
			}
			return r, nil
		}
		// The Seeker cannot seek (a pipe, for example): check while
		// reading instead.
	}
	return &sizedReader{r: r, size: size}, nil
}

// remainingBytes returns the number of bytes from the current offset of r
// to its end, and leaves the offset where it was.
func remainingBytes(r io.Seeker) (int64, error) {
	current, err := r.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, err
	}
	end, err := r.Seek(0, io.SeekEnd)
	if err != nil {
		return 0, err
	}
	if _, err := r.Seek(current, io.SeekStart); err != nil {
		return 0, err
	}
	return end - current, nil
}

// sizedReader returns an error instead of io.EOF when r ends before size
// bytes. The error is not io.ErrUnexpectedEOF on purpose: minio-go's
// buffering treats that as a normal end of input.
type sizedReader struct {
	r    io.Reader
	size int64
	read int64
}

func (s *sizedReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.read += int64(n)
	if err == io.EOF && s.read < s.size {
		return n, fmt.Errorf("reader ended after %d of %d bytes", s.read, s.size)
	}
	return n, err
}

// Get implements Store. The returned body reads from the network and
// fails when ctx is cancelled.
func (s *S3Store) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := ValidateKey(key); err != nil {
		return nil, err
	}
	core := minio.Core{Client: s.client}
	body, _, _, err := core.GetObject(ctx, s.bucket, s.prefix+key, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("archive: s3 get %q: %w", key, notExist(err))
	}
	return body, nil
}

// Stat implements Store.
func (s *S3Store) Stat(ctx context.Context, key string) (ObjectInfo, error) {
	if err := ValidateKey(key); err != nil {
		return ObjectInfo{}, err
	}
	info, err := s.client.StatObject(ctx, s.bucket, s.prefix+key, minio.StatObjectOptions{})
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("archive: s3 stat %q: %w", key, notExist(err))
	}
	return ObjectInfo{Key: key, Size: info.Size, ModTime: info.LastModified}, nil
}

// List implements Store. ModTime is the object's Last-Modified time.
func (s *S3Store) List(ctx context.Context, prefix string, fn func(ObjectInfo) error) error {
	listCtx, cancel := context.WithCancel(ctx)
	defer cancel()

	noOwner := false
	opts := minio.ListObjectsOptions{Prefix: s.prefix + prefix, Recursive: true, FetchOwner: &noOwner}
	for obj := range s.client.ListObjectsIter(listCtx, s.bucket, opts) {
		if obj.Err != nil {
			return fmt.Errorf("archive: s3 list %q: %w", prefix, obj.Err)
		}
		info := ObjectInfo{
			Key:     strings.TrimPrefix(obj.Key, s.prefix),
			Size:    obj.Size,
			ModTime: obj.LastModified,
		}
		if err := fn(info); err != nil {
			return err
		}
	}

	// minio-go ends the listing without an error when ctx is cancelled.
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("archive: s3 list %q: %w", prefix, err)
	}
	return nil
}

// Delete implements Store. It removes every version of key, delete
// markers included, one DeleteObject request with a versionId each. It
// tries all versions even after one is rejected, so unlocked versions and
// delete markers are gone and a locked version stays readable.
func (s *S3Store) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	name := s.prefix + key

	versions, err := s.listVersions(ctx, name)
	if err != nil {
		return fmt.Errorf("archive: s3 delete %q: list versions: %w", key, err)
	}

	locked := 0
	for _, versionID := range versions {
		err := s.client.RemoveObject(ctx, s.bucket, name, minio.RemoveObjectOptions{VersionID: versionID})
		switch {
		case err == nil:
		case isDeniedByObjectLock(err):
			locked++
		default:
			return fmt.Errorf("archive: s3 delete %q version %s: %w", key, versionID, err)
		}
	}

	s.logger.Debug("s3: object deleted", "bucket", s.bucket, "key", key, "versions", len(versions), "locked", locked)
	if locked > 0 {
		return fmt.Errorf("archive: s3 delete %q: %d of %d versions are under retention or legal hold: %w", key, locked, len(versions), ErrLocked)
	}
	return nil
}

// listVersions returns the version ids of the object name, delete markers
// included, newest first. In a bucket without versioning the only id is
// "null".
func (s *S3Store) listVersions(ctx context.Context, name string) ([]string, error) {
	listCtx, cancel := context.WithCancel(ctx)
	defer cancel()

	// Without Recursive the listing stops at the next '/', so keys below
	// name/ come back as one common prefix instead of one entry each.
	opts := minio.ListObjectsOptions{Prefix: name, WithVersions: true}
	var versions []string
	for obj := range s.client.ListObjectsIter(listCtx, s.bucket, opts) {
		if obj.Err != nil {
			return nil, obj.Err
		}
		// The prefix also matches longer keys such as name+"2".
		if obj.Key == name {
			versions = append(versions, obj.VersionID)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return versions, nil
}

// Capabilities implements Store. ObjectLock is true when the bucket's
// Object Lock configuration is Enabled. The result also decides whether
// later puts send Object Lock headers.
func (s *S3Store) Capabilities(ctx context.Context) (Capabilities, error) {
	enabled, err := objectLockEnabled(ctx, s.client, s.bucket)
	if err != nil {
		return Capabilities{}, fmt.Errorf("archive: s3 read Object Lock configuration of bucket %q: %w", s.bucket, err)
	}
	s.sendLock.Store(enabled)
	return Capabilities{ObjectLock: enabled}, nil
}

func normalizeS3Config(cfg S3Config) (S3Config, error) {
	if cfg.Endpoint == "" {
		return cfg, errors.New("archive: s3 endpoint is missing; set it to host:port, for example 127.0.0.1:7070")
	}
	if strings.Contains(cfg.Endpoint, "://") {
		return cfg, fmt.Errorf("archive: s3 endpoint %q must be host:port without a scheme; use UseTLS to choose https", cfg.Endpoint)
	}
	if cfg.Bucket == "" {
		return cfg, fmt.Errorf("archive: s3 bucket name is missing for endpoint %s", cfg.Endpoint)
	}
	if cfg.Region == "" {
		cfg.Region = defaultS3Region
	}
	if cfg.Prefix != "" {
		if err := ValidateKey(strings.TrimSuffix(cfg.Prefix, "/")); err != nil {
			return cfg, fmt.Errorf("archive: s3 prefix %q is invalid: %w", cfg.Prefix, err)
		}
		if !strings.HasSuffix(cfg.Prefix, "/") {
			cfg.Prefix += "/"
		}
	}
	return cfg, nil
}

func newS3Client(cfg S3Config) (*minio.Client, error) {
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.UseTLS,
		Region: cfg.Region,
		// One attempt per call: the vault's Retrying store retries with
		// backoff and logs each retry, which minio-go's own silent
		// retries would hide.
		MaxRetries: 1,
	})
	if err != nil {
		return nil, fmt.Errorf("archive: s3 client for %s: %w", cfg.Endpoint, err)
	}
	return client, nil
}

// listFirstObject lists at most one object under prefix, which needs the
// bucket and valid credentials. HEAD bucket is not used because a HEAD
// error has no body. versitygw v1.8.0 returns 404 for an unknown access
// key, which minio-go's BucketExists reports as a missing bucket.
func listFirstObject(ctx context.Context, client *minio.Client, bucket, prefix string) error {
	listCtx, cancel := context.WithCancel(ctx)
	defer cancel()

	noOwner := false
	opts := minio.ListObjectsOptions{Prefix: prefix, MaxKeys: 1, FetchOwner: &noOwner}
	for obj := range client.ListObjectsIter(listCtx, bucket, opts) {
		if obj.Err != nil {
			return obj.Err
		}
		break
	}
	return ctx.Err()
}

// describeBucketError turns the error of the first request to a bucket
// into a message that names the endpoint, the bucket or the access key,
// and the likely fix. It never includes the secret key.
func describeBucketError(cfg S3Config, err error) error {
	switch s3ErrorCode(err) {
	case minio.NoSuchBucket:
		return fmt.Errorf("archive: s3 bucket %q does not exist on %s; create it (with Object Lock for WORM retention) or correct the bucket name: %w",
			cfg.Bucket, cfg.Endpoint, err)
	case minio.SignatureDoesNotMatch:
		return fmt.Errorf("archive: s3 %s rejected the signature of access key %q; check the secret key: %w",
			cfg.Endpoint, cfg.AccessKey, err)
	case minio.InvalidAccessKeyID, codeUserNotFound:
		return fmt.Errorf("archive: s3 %s does not know access key %q; check the access key: %w",
			cfg.Endpoint, cfg.AccessKey, err)
	case minio.AccessDenied:
		return fmt.Errorf("archive: s3 %s denied access key %q to list bucket %q; grant it list, read and write on the bucket: %w",
			cfg.Endpoint, cfg.AccessKey, cfg.Bucket, err)
	default:
		return fmt.Errorf("archive: s3 open bucket %q on %s: %w", cfg.Bucket, cfg.Endpoint, err)
	}
}

func objectLockEnabled(ctx context.Context, client *minio.Client, bucket string) (bool, error) {
	status, _, _, _, err := client.GetObjectLockConfig(ctx, bucket)
	if s3ErrorCode(err) == codeObjectLockConfigNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return status == "Enabled", nil
}

// isDeniedByObjectLock reports whether err is a server's rejection of a
// version delete because of retention or a legal hold.
//
// versitygw v1.8.0 rejects it with code AccessDenied, HTTP 403, and the
// message "Access Denied because object protected by object lock.", which
// copies AWS S3. Other AccessDenied errors, such as a missing
// s3:DeleteObjectVersion permission, do not match.
// MinIO's table of errors (cmd/api-errors.go, ErrObjectLocked) gives code
// InvalidRequest, HTTP 400, with "Object is WORM protected and cannot be
// overwritten".
// NOTE: the MinIO case is taken from its source and not run here.
func isDeniedByObjectLock(err error) bool {
	var resp minio.ErrorResponse
	if !errors.As(err, &resp) {
		return false
	}
	switch resp.Code {
	case minio.AccessDenied:
		return strings.Contains(strings.ToLower(resp.Message), "object lock")
	case "InvalidRequest":
		return strings.Contains(resp.Message, "WORM protected")
	}
	return false
}

// notExist returns ErrNotExist for NoSuchKey and err unchanged otherwise.
// minio-go also reports a HEAD 404 on an object as NoSuchKey.
func notExist(err error) error {
	if s3ErrorCode(err) == minio.NoSuchKey {
		return ErrNotExist
	}
	return err
}

// s3ErrorCode returns the S3 error code of err, or "" when err is not a
// server error response.
func s3ErrorCode(err error) string {
	var resp minio.ErrorResponse
	if errors.As(err, &resp) {
		return resp.Code
	}
	return ""
}

// ceilSecond rounds t up to a whole second, because the retain-until
// header has second precision and truncating would shorten retention.
func ceilSecond(t time.Time) time.Time {
	t = t.UTC()
	whole := t.Truncate(time.Second)
	if whole.Before(t) {
		whole = whole.Add(time.Second)
	}
	return whole
}
