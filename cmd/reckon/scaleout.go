package main

import (
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/reckon-finops/reckon/internal/chstore"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/pgcatalog"
)

// The environment variables of the scale-out catalog's keys: the key that
// seals the connectors' external IDs, and the keys it replaced, which
// still open what they sealed. Each is 32 bytes in standard base64
// (`head -c 32 /dev/urandom | base64`); RECKON_CATALOG_OLD_KEYS separates
// them with commas.
const (
	catalogKeyEnv     = "RECKON_CATALOG_KEY"
	catalogOldKeysEnv = "RECKON_CATALOG_OLD_KEYS"
)

// clickhousePasswordEnv holds the ClickHouse user's password, so that it
// sits in neither a config file nor a command line; the catalog's is
// PostgreSQL's own PGPASSWORD.
const clickhousePasswordEnv = "RECKON_CLICKHOUSE_PASSWORD"

// scaleOut is the scale-out pair: the catalog on PostgreSQL and the cost
// rows on ClickHouse, whose loads register their accounts in the
// catalog's transaction that makes their rows visible.
type scaleOut struct {
	catalog *pgcatalog.Catalog
	store   *chstore.Store
}

// openScaleOut opens the catalog at catalogURL (postgres://…) and the
// cost store at storeURL (clickhouse://HOST:PORT?cluster=NAME), whose
// load versions live in the catalog's database.
func openScaleOut(ctx context.Context, storeURL, catalogURL string) (*scaleOut, error) {
	if !strings.HasPrefix(storeURL, "clickhouse://") {
		return nil, usageErrorf("--store %q: give clickhouse://HOST:PORT?cluster=NAME (the embedded store is --data DIR)", redactURL(storeURL))
	}
	if catalogURL == "" {
		return nil, usageErrorf("--store %s needs --catalog postgres://…: the catalog and the load versions live in PostgreSQL", redactURL(storeURL))
	}
	if pw := os.Getenv(clickhousePasswordEnv); pw != "" {
		u, err := url.Parse(storeURL)
		if err != nil {
			return nil, usageErrorf("--store is not a URL such as clickhouse://HOST:PORT?cluster=NAME")
		}
		u.User = url.UserPassword(cmp.Or(u.User.Username(), "default"), pw)
		storeURL = u.String()
	}
	key, old, err := catalogKeys()
	if err != nil {
		return nil, err
	}
	catalog, err := pgcatalog.Open(ctx, catalogURL, pgcatalog.Options{Key: key, OldKeys: old})
	if err != nil {
		return nil, fmt.Errorf("open the catalog: %w", err)
	}
	store, err := chstore.Open(ctx, storeURL, chstore.Options{Postgres: catalogURL, Catalog: catalog.Join,
		AccountNames: func(ctx context.Context) (map[string]string, error) { return accountNames(ctx, catalog) }})
	if err != nil {
		catalog.Close()
		return nil, fmt.Errorf("open the ClickHouse store: %w", err)
	}
	return &scaleOut{catalog: catalog, store: store}, nil
}

// accountNames are the catalog's names of billing accounts, linked
// accounts and subscriptions, by account ID, which answers show where the
// rows name none (as the embedded store's named_dims). A linked account's
// name wins over its billing account's where one ID is both.
func accountNames(ctx context.Context, catalog cost.Catalog) (map[string]string, error) {
	names := map[string]string{}
	err := catalog.View(ctx, func(r cost.CatalogReader) error {
		scopes, err := r.Scopes(ctx)
		for _, sc := range scopes {
			switch sc.ID.Kind() {
			case cost.KindBillingAccount:
				if _, ok := names[sc.ID.Key()]; !ok && sc.Name != "" {
					names[sc.ID.Key()] = sc.Name
				}
			case cost.KindLinkedAccount, cost.KindSubscription:
				if sc.Name != "" {
					names[sc.ID.Key()] = sc.Name
				}
			}
		}
		return err
	})
	return names, err
}

// Close closes the store, then the catalog.
func (s *scaleOut) Close() error {
	err := s.store.Close()
	s.catalog.Close()
	return err
}

var passwordRE = regexp.MustCompile(`(?i)(password=)[^&\s]*`)

// catalogKeys reads the catalog's keys from the environment. No key is
// no error: the catalog then opens while it holds no secret, and says
// which variable to set when one is stored.
func catalogKeys() (key []byte, old [][]byte, err error) {
	read := func(name, v string) ([]byte, error) {
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
		if err != nil || len(b) != 32 {
			return nil, usageErrorf("%s: give 32 bytes in base64, such as the output of `head -c 32 /dev/urandom | base64`", name)
		}
		return b, nil
	}
	if v := os.Getenv(catalogKeyEnv); v != "" {
		if key, err = read(catalogKeyEnv, v); err != nil {
			return nil, nil, err
		}
	}
	if v := os.Getenv(catalogOldKeysEnv); v != "" {
		for part := range strings.SplitSeq(v, ",") {
			b, err := read(catalogOldKeysEnv, part)
			if err != nil {
				return nil, nil, err
			}
			old = append(old, b)
		}
	}
	return key, old, nil
}

// redactURL hides a URL's password, for messages: a URL's userinfo, and
// password=… of a connection string or a URL's query.
func redactURL(raw string) string {
	raw = passwordRE.ReplaceAllString(raw, "${1}xxxxx")
	at := strings.LastIndex(raw, "@")
	scheme := strings.Index(raw, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return raw
	}
	user := raw[scheme+3 : at]
	if i := strings.Index(user, ":"); i >= 0 {
		return raw[:scheme+3] + user[:i] + ":xxxxx" + raw[at:]
	}
	return raw
}

// dataVersion is the pair's data version (querylimit.Version): the
// store's, which every load and purge by any replica moves on, and the
// catalog's, whose account names answers show.
func (s *scaleOut) dataVersion(ctx context.Context) (string, error) {
	store, err := s.store.DataVersion(ctx)
	if err != nil {
		return "", err
	}
	catalog, err := s.catalog.Version(ctx)
	if err != nil {
		return "", err
	}
	return store + "." + strconv.FormatInt(catalog, 10), nil
}
