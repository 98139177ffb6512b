package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"golang.org/x/term"

	"chatseal/archive"
	"chatseal/crypto"
	"chatseal/retention"
	"chatseal/vault"
)

// Configuration keys. A key a.b is also read from the environment variable
// CHATSEAL_A_B and from the config file; a flag overrides the environment,
// which overrides the file.
const (
	keyData             = "data"
	keyTenant           = "tenant"
	keyTimezone         = "timezone"
	keyLogLevel         = "log.level"
	keyStorageKind      = "storage.kind"
	keyS3Endpoint       = "storage.s3.endpoint"
	keyS3Bucket         = "storage.s3.bucket"
	keyS3AccessKey      = "storage.s3.access_key"
	keyS3SecretKey      = "storage.s3.secret_key"
	keyS3UseTLS         = "storage.s3.use_tls"
	keyS3Region         = "storage.s3.region"
	keyS3Prefix         = "storage.s3.prefix"
	keyS3LockMode       = "storage.s3.lock_mode"
	keyPassphraseEnv    = "keys.passphrase_env"
	keyRetryGiveUp      = "storage.retry.give_up_after"
	keySpoolMax         = "spool.max_messages"
	keyRetentionMonths  = "retention.months"
	keyRetentionMinLock = "retention.minimum_lock"
)

func newViper() *viper.Viper {
	v := viper.New()
	v.SetEnvPrefix("CHATSEAL")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	v.SetDefault(keyData, "./chatseal-data")
	v.SetDefault(keyTenant, "default")
	v.SetDefault(keyTimezone, "Asia/Ho_Chi_Minh")
	v.SetDefault(keyLogLevel, "warn")
	v.SetDefault(keyStorageKind, "fs")
	v.SetDefault(keyS3Endpoint, "")
	v.SetDefault(keyS3Bucket, "")
	v.SetDefault(keyS3AccessKey, "")
	v.SetDefault(keyS3SecretKey, "")
	v.SetDefault(keyS3UseTLS, true)
	v.SetDefault(keyS3Region, "")
	v.SetDefault(keyS3Prefix, "")
	v.SetDefault(keyS3LockMode, "GOVERNANCE")
	v.SetDefault(keyPassphraseEnv, "CHATSEAL_KEY_PASSPHRASE")
	v.SetDefault(keyRetryGiveUp, "10m")
	v.SetDefault(keySpoolMax, 1000000)
	v.SetDefault(keyRetentionMonths, retention.DefaultMonths)
	v.SetDefault(keyRetentionMinLock, retention.DefaultMinimumLock.String())
	return v
}

// bindGlobalFlags registers the flags every command shares.
func bindGlobalFlags(v *viper.Viper, fs *pflag.FlagSet) {
	fs.String("config", "", "config file (YAML, TOML or JSON); default ./chatseal.yaml when it exists")
	fs.String(keyData, "./chatseal-data", "data folder holding keys, spool, catalog, index and the fs archive")
	fs.String(keyTenant, "default", "tenant (organisation) to work on")
	fs.String("log-level", "warn", "log level: debug, info, warn or error (logs go to standard error)")
	v.BindPFlag(keyData, fs.Lookup(keyData))
	v.BindPFlag(keyTenant, fs.Lookup(keyTenant))
	v.BindPFlag(keyLogLevel, fs.Lookup("log-level"))
}

// loadConfigFile reads the config file named by --config or CHATSEAL_CONFIG,
// or ./chatseal.yaml when it exists.
func loadConfigFile(v *viper.Viper, explicit string) error {
	if explicit == "" {
		explicit = os.Getenv("CHATSEAL_CONFIG")
	}
	if explicit != "" {
		v.SetConfigFile(explicit)
		if err := v.ReadInConfig(); err != nil {
			return fmt.Errorf("read config file %s: %w", explicit, err)
		}
		return nil
	}
	if _, err := os.Stat("chatseal.yaml"); err == nil {
		v.SetConfigFile("chatseal.yaml")
		if err := v.ReadInConfig(); err != nil {
			return fmt.Errorf("read config file chatseal.yaml: %w", err)
		}
	}
	return nil
}

// passphraseSource returns where protected key files get their passphrase:
// the environment variable named envVar when it is set, else a prompt on
// the terminal.
func passphraseSource(envVar string, prompt io.Writer) crypto.Passphrase {
	return func(path string) (string, error) {
		if p, ok := os.LookupEnv(envVar); ok && envVar != "" {
			return p, nil
		}
		if !term.IsTerminal(int(os.Stdin.Fd())) {
			return "", fmt.Errorf("key file %s is protected; set %s or run on a terminal to be asked: %w", path, envVar, crypto.ErrPassphrase)
		}
		fmt.Fprintf(prompt, "Mật khẩu của tệp khoá / passphrase for %s: ", path)
		b, err := term.ReadPassword(int(os.Stdin.Fd()))
		fmt.Fprintln(prompt)
		return string(b), err
	}
}

// vaultConfig builds the vault's config from viper: the only place that
// reads configuration.
func vaultConfig(v *viper.Viper, stderr io.Writer) (vault.Config, error) {
	var cfg vault.Config
	cfg.DataDir = v.GetString(keyData)
	cfg.Tenant = v.GetString(keyTenant)

	loc, err := time.LoadLocation(v.GetString(keyTimezone))
	if err != nil {
		return cfg, fmt.Errorf("config %s: unknown time zone %q: %w", keyTimezone, v.GetString(keyTimezone), err)
	}
	cfg.Location = loc

	switch kind := v.GetString(keyStorageKind); kind {
	case "fs":
		cfg.Storage = vault.StorageFS
	case "s3":
		cfg.Storage = vault.StorageS3
		cfg.S3 = archive.S3Config{
			Endpoint:  v.GetString(keyS3Endpoint),
			Bucket:    v.GetString(keyS3Bucket),
			AccessKey: v.GetString(keyS3AccessKey),
			SecretKey: v.GetString(keyS3SecretKey),
			UseTLS:    v.GetBool(keyS3UseTLS),
			Region:    v.GetString(keyS3Region),
			Prefix:    v.GetString(keyS3Prefix),
		}
		if cfg.S3.Endpoint == "" || cfg.S3.Bucket == "" {
			return cfg, fmt.Errorf("config: storage.kind is s3 but %s or %s is empty (set CHATSEAL_STORAGE_S3_ENDPOINT and CHATSEAL_STORAGE_S3_BUCKET)", keyS3Endpoint, keyS3Bucket)
		}
	default:
		return cfg, fmt.Errorf("config %s: unknown storage kind %q; use fs or s3", keyStorageKind, kind)
	}

	switch mode := strings.ToUpper(v.GetString(keyS3LockMode)); mode {
	case "GOVERNANCE":
		cfg.LockMode = archive.Governance
	case "COMPLIANCE":
		cfg.LockMode = archive.Compliance
	default:
		return cfg, fmt.Errorf("config %s: unknown lock mode %q; use GOVERNANCE or COMPLIANCE", keyS3LockMode, mode)
	}

	giveUp, err := time.ParseDuration(v.GetString(keyRetryGiveUp))
	if err != nil || giveUp <= 0 {
		return cfg, fmt.Errorf("config %s: %q is not a positive duration like 10m", keyRetryGiveUp, v.GetString(keyRetryGiveUp))
	}
	cfg.Retry.GiveUpAfter = giveUp
	cfg.KeyPassphrase = passphraseSource(v.GetString(keyPassphraseEnv), stderr)
	cfg.SpoolMaxMessages = v.GetInt(keySpoolMax)
	if cfg.SpoolMaxMessages < 1 {
		return cfg, fmt.Errorf("config %s: %d is not a message count; use 1 or more", keySpoolMax, cfg.SpoolMaxMessages)
	}

	cfg.Retention.Months = v.GetInt(keyRetentionMonths)
	if cfg.Retention.Months < 1 {
		return cfg, fmt.Errorf("config %s: %d months is not a retention period; use 1 or more", keyRetentionMonths, cfg.Retention.Months)
	}
	minLock, err := time.ParseDuration(v.GetString(keyRetentionMinLock))
	if err != nil {
		return cfg, fmt.Errorf("config %s: %q is not a duration like 24h: %w", keyRetentionMinLock, v.GetString(keyRetentionMinLock), err)
	}
	cfg.Retention.MinimumLock = minLock

	var level slog.Level
	if err := level.UnmarshalText([]byte(v.GetString(keyLogLevel))); err != nil {
		return cfg, fmt.Errorf("config %s: %q is not a log level; use debug, info, warn or error", keyLogLevel, v.GetString(keyLogLevel))
	}
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	return cfg, nil
}
