package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
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
	keyCustodians       = "custodians"
	keyTeams            = "teams"
	keyMatters          = "matters"
)

// configKeys lists every key a config file may set.
var configKeys = []string{
	keyData, keyTenant, keyTimezone, keyLogLevel, keyStorageKind, keyS3Endpoint,
	keyS3Bucket, keyS3AccessKey, keyS3SecretKey, keyS3UseTLS, keyS3Region, keyS3Prefix,
	keyS3LockMode, keyPassphraseEnv, keyRetryGiveUp, keySpoolMax, keyRetentionMonths,
	keyRetentionMinLock, keyCustodians, keyTeams, keyMatters,
}

// checkConfigKeys rejects a config file that sets a key chatseal does not
// read, such as "custodian" for "custodians", which would otherwise be
// ignored without a word.
func checkConfigKeys(path string) error {
	file := viper.New()
	file.SetConfigFile(path)
	if err := file.ReadInConfig(); err != nil {
		return fmt.Errorf("read config file %s: %w", path, err)
	}
	for _, k := range file.AllKeys() {
		if !slices.Contains(configKeys, k) {
			return fmt.Errorf("config file %s: unknown key %q; the keys are %s", path, k, strings.Join(configKeys, ", "))
		}
	}
	return nil
}

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
		return checkConfigKeys(explicit)
	}
	if _, err := os.Stat("chatseal.yaml"); err == nil {
		v.SetConfigFile("chatseal.yaml")
		if err := v.ReadInConfig(); err != nil {
			return fmt.Errorf("read config file chatseal.yaml: %w", err)
		}
		return checkConfigKeys("chatseal.yaml")
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

	if cfg.Custodians, cfg.Teams, cfg.Matters, err = organisationConfig(v, loc); err != nil {
		return cfg, err
	}
	if err := vault.CheckOrganisation(cfg.Custodians, cfg.Teams, cfg.Matters); err != nil {
		return cfg, fmt.Errorf("config %s/%s/%s: %w", keyCustodians, keyTeams, keyMatters, err)
	}
	return cfg, nil
}

// custodianConfig and teamConfig are the shapes of the custodians and
// teams lists of the config file:
//
//	custodians:
//	  - name: lan
//	    display_name: Nguyễn Thị Lan
//	    tenures:
//	      - {account: cskh-hn-01, from: 2024-01-01, to: 2025-06-30}
//	teams:
//	  - {name: cskh-hn, custodians: [lan], accounts: [cskh-hn-chung]}
//	matters:
//	  - name: kn-2024-017
//	    title: Khiếu nại phí chuyển khoản
//	    custodians: [lan]
//	    conversations: ["7712345678901234567"]
//	    from: 2024-05-01
//	    to: 2024-07-01
type custodianConfig struct {
	Name        string `mapstructure:"name"`
	DisplayName string `mapstructure:"display_name"`
	Tenures     []struct {
		Account string `mapstructure:"account"`
		// From and To are strings, or time.Time when a YAML file writes
		// the date unquoted.
		From any `mapstructure:"from"`
		To   any `mapstructure:"to"`
	} `mapstructure:"tenures"`
}

type teamConfig struct {
	Name       string   `mapstructure:"name"`
	Custodians []string `mapstructure:"custodians"`
	Accounts   []string `mapstructure:"accounts"`
}

type matterConfig struct {
	Name          string   `mapstructure:"name"`
	Title         string   `mapstructure:"title"`
	Custodians    []string `mapstructure:"custodians"`
	Teams         []string `mapstructure:"teams"`
	Accounts      []string `mapstructure:"accounts"`
	Conversations []string `mapstructure:"conversations"`
	From          any      `mapstructure:"from"`
	To            any      `mapstructure:"to"`
}

// organisationConfig reads the custodians, teams and matters of the config
// file. Tenure and matter dates are days (YYYY-MM-DD) in loc: from 00:00 of
// from to 00:00 of to, which is excluded.
func organisationConfig(v *viper.Viper, loc *time.Location) ([]vault.Custodian, []vault.Team, []vault.Matter, error) {
	var rawCustodians []custodianConfig
	// A key a list item sets that its struct lacks is an error, so that a
	// misspelt "conversation:" cannot widen a matter's scope unnoticed.
	strict := viper.DecoderConfigOption(func(c *mapstructure.DecoderConfig) { c.ErrorUnused = true })
	if err := v.UnmarshalKey(keyCustodians, &rawCustodians, strict); err != nil {
		return nil, nil, nil, fmt.Errorf("config %s: %w", keyCustodians, err)
	}
	var rawTeams []teamConfig
	if err := v.UnmarshalKey(keyTeams, &rawTeams, strict); err != nil {
		return nil, nil, nil, fmt.Errorf("config %s: %w", keyTeams, err)
	}
	var rawMatters []matterConfig
	if err := v.UnmarshalKey(keyMatters, &rawMatters, strict); err != nil {
		return nil, nil, nil, fmt.Errorf("config %s: %w", keyMatters, err)
	}
	day := func(key, name, field string, value any) (time.Time, error) {
		var text string
		switch d := value.(type) {
		case nil:
			return time.Time{}, nil
		case time.Time:
			// The YAML parser read the date in UTC; it is a day in loc.
			text = d.UTC().Format(time.DateOnly)
		case string:
			text = d
		default:
			text = fmt.Sprint(d)
		}
		if text == "" {
			return time.Time{}, nil
		}
		t, err := time.ParseInLocation(time.DateOnly, text, loc)
		if err != nil {
			return time.Time{}, fmt.Errorf("config %s: %q: %s %q is not a date like 2024-01-31", key, name, field, text)
		}
		return t, nil
	}
	custodians := make([]vault.Custodian, 0, len(rawCustodians))
	for _, rc := range rawCustodians {
		c := vault.Custodian{Name: rc.Name, DisplayName: rc.DisplayName}
		for _, rt := range rc.Tenures {
			from, err := day(keyCustodians, rc.Name, "from", rt.From)
			if err != nil {
				return nil, nil, nil, err
			}
			to, err := day(keyCustodians, rc.Name, "to", rt.To)
			if err != nil {
				return nil, nil, nil, err
			}
			c.Tenures = append(c.Tenures, vault.Tenure{Account: rt.Account, From: from, To: to})
		}
		custodians = append(custodians, c)
	}
	teams := make([]vault.Team, 0, len(rawTeams))
	for _, rt := range rawTeams {
		teams = append(teams, vault.Team{Name: rt.Name, Custodians: rt.Custodians, Accounts: rt.Accounts})
	}
	matters := make([]vault.Matter, 0, len(rawMatters))
	for _, rm := range rawMatters {
		from, err := day(keyMatters, rm.Name, "from", rm.From)
		if err != nil {
			return nil, nil, nil, err
		}
		to, err := day(keyMatters, rm.Name, "to", rm.To)
		if err != nil {
			return nil, nil, nil, err
		}
		matters = append(matters, vault.Matter{
			Name: rm.Name, Title: rm.Title,
			Custodians: rm.Custodians, Teams: rm.Teams, Accounts: rm.Accounts, Conversations: rm.Conversations,
			From: from, To: to,
		})
	}
	return custodians, teams, matters, nil
}
