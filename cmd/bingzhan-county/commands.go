package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"bingzhan/backend"
	"bingzhan/sync/county"
	countybolt "bingzhan/sync/county/bolt"
	"bingzhan/sync/county/control"
	countyhttp "bingzhan/sync/county/http"
	"bingzhan/sync/wire"
)

const usage = `usage:
  bingzhan-county serve --addr HOST:PORT --data DIR [--url URL]... [--tls-cert FILE --tls-key FILE | --no-tls]
                        [--backup-keep N] [--backup-every 24h] [--db URL [--db-read URL]]
  bingzhan-county backup --data DIR
  bingzhan-county station add NAME --out FILE [--url URL]... --data DIR
  bingzhan-county station new-secret NAME|ID --out FILE [--url URL]... --data DIR
  bingzhan-county station retire NAME|ID --data DIR
  bingzhan-county station list --data DIR
  bingzhan-county user add NAME [--pin PIN] --data DIR
  bingzhan-county migrate --from DIR --to URL
  bingzhan-county service install --data DIR [serve flags]...   (Windows: run serve as a service)
  bingzhan-county service remove
  bingzhan-county version

Every command that takes --data also takes --db postgres://… (or $BINGZHAN_COUNTY_DB):
the county's records are then in PostgreSQL, and --data keeps only its keys,
certificate and backups`

func run(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	switch cmd := strings.Join(args[:min(2, len(args))], " "); {
	case args[0] == "serve":
		return runServe(ctx, args[1:], stdout)
	case args[0] == "backup":
		return runBackup(ctx, args[1:], stdout)
	case cmd == "station add", cmd == "station new-secret":
		return runStationAdd(ctx, args[1], args[2:], stdout)
	case cmd == "station retire":
		return runStationRetire(ctx, args[2:], stdout)
	case cmd == "station list":
		return runStationList(ctx, args[2:], stdout)
	case args[0] == "migrate":
		return runMigrate(ctx, args[1:], stdout)
	case args[0] == "service":
		return runService(ctx, args[1:], stdout)
	case cmd == "user add":
		return runUserAdd(ctx, args[2:], stdin, stdout)
	case args[0] == "version":
		fmt.Fprintln(stdout, strings.TrimSpace("bingzhan-county "+Version+" "+Commit))
		return nil
	default:
		return fmt.Errorf("unknown command %q\n%s", strings.Join(args, " "), usage)
	}
}

// EnvDB is the environment form of --db.
const EnvDB = "BINGZHAN_COUNTY_DB"

// storeFlags name the county's store: --data DIR always, --db URL for PostgreSQL.
type storeFlags struct {
	data, db *string
}

func addStoreFlags(fl *flag.FlagSet) storeFlags {
	return storeFlags{
		data: fl.String("data", "county-data", "data folder: the database (without --db), the county's keys, certificate and backups"),
		db: fl.String("db", os.Getenv(EnvDB), "PostgreSQL database (postgres://…) to use instead of the database in --data; "+
			"default $"+EnvDB),
	}
}

// open opens the store the flags name.
func (sf storeFlags) open(ctx context.Context, opt storeOptions) (*openedStore, error) {
	opt.DB = *sf.db
	return openStore(ctx, *sf.data, opt)
}

// do runs viaServer, which asks a running bbolt county through its control socket,
// or, when no server answers there, opens the store and runs direct on it. A
// PostgreSQL county has no file lock to get past: direct runs on the database,
// whatever servers run.
func (sf storeFlags) do(ctx context.Context, viaServer func() error, direct func(*openedStore) error) error {
	if *sf.db == "" {
		if err := viaServer(); !errors.Is(err, control.ErrNoAdmin) {
			return err
		}
	}
	store, err := sf.open(ctx, storeOptions{})
	if err != nil {
		return err
	}
	err = direct(store)
	if cerr := store.Close(); err == nil {
		err = cerr
	}
	return err
}

// urlList is a flag given once per county address, kept in the order given.
type urlList []string

func (l *urlList) String() string { return strings.Join(*l, " ") }

func (l *urlList) Set(v string) error {
	if v = strings.TrimSpace(v); v == "" {
		return errors.New("empty address")
	}
	*l = append(*l, v)
	return nil
}

// tlsFlags choose the certificate: the operator's, or the county's own made in --data.
type tlsFlags struct {
	cert, key *string
	noTLS     *bool
	hosts     *string
}

func addTLSFlags(fl *flag.FlagSet) tlsFlags {
	return tlsFlags{
		cert:  fl.String("tls-cert", "", "certificate file (PEM); default: the county's own, made in --data on first need"),
		key:   fl.String("tls-key", "", "key file of --tls-cert (PEM)"),
		noTLS: fl.Bool("no-tls", false, "serve plain HTTP (only behind a TLS proxy or on a trusted LAN)"),
		hosts: fl.String("hosts", "", "extra host names or IPs for the county's own certificate, comma-separated"),
	}
}

// certificate returns the certificate to serve, or nil with --no-tls.
func (f tlsFlags) certificate(data string, now time.Time) (*tls.Certificate, error) {
	if *f.noTLS {
		return nil, nil
	}
	if (*f.cert == "") != (*f.key == "") {
		return nil, errors.New("give both --tls-cert and --tls-key, or neither")
	}
	var cert tls.Certificate
	var err error
	if *f.cert != "" {
		cert, err = countyhttp.LoadCertificate(*f.cert, *f.key)
	} else {
		var hosts []string
		for h := range strings.SplitSeq(*f.hosts, ",") {
			if h = strings.TrimSpace(h); h != "" {
				hosts = append(hosts, h)
			}
		}
		cert, err = countyhttp.LoadOrCreateCertificate(data, hosts, now)
	}
	return &cert, err
}

// runBackup makes a backup now. While a bbolt county's server runs, bbolt's file lock
// keeps every other program out of the database (even a read-only one), so it asks the
// server through its control socket; with the server stopped it opens the database
// itself. A PostgreSQL county (--db) is dumped with pg_dump, whatever runs.
func runBackup(ctx context.Context, args []string, stdout io.Writer) error {
	fl := flag.NewFlagSet("bingzhan-county backup", flag.ContinueOnError)
	sf := addStoreFlags(fl)
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() > 0 {
		return errors.New("usage: bingzhan-county backup --data DIR [--db URL]")
	}
	if _, err := os.Stat(filepath.Join(*sf.data, countybolt.FileName)); err != nil && *sf.db == "" {
		return fmt.Errorf("no county database in %s (%v): give the server's --data folder", *sf.data, err)
	}
	var f *county.BackupFile
	err := sf.do(ctx, func() (err error) {
		f, err = control.RequestBackup(ctx, *sf.data)
		return err
	}, func(store *openedStore) (err error) {
		f, err = store.Backups.Backup(ctx)
		return err
	})
	if backend.ErrorCode(err) == backend.ECONFLICT {
		return fmt.Errorf("the county database in %s is held by a program that does not answer on its control socket "+
			"(an older bingzhan-county server, or `station add` running now). A running server makes a backup every day into %s "+
			"by itself; to make one now, upgrade and restart the server, or stop it and run this command again",
			*sf.data, filepath.Join(*sf.data, countybolt.BackupDirName))
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, f.Path)
	return nil
}

// splitArgs separates positional words from flags, so `station add NAME --out F` and
// `station add --out F NAME` both work.
func splitArgs(fl *flag.FlagSet, args []string) ([]string, error) {
	var words []string
	for {
		if err := fl.Parse(args); err != nil {
			return nil, err
		}
		if fl.NArg() == 0 {
			return words, nil
		}
		words = append(words, fl.Arg(0))
		args = fl.Args()[1:]
	}
}

// runStationAdd adds a station (add) or gives one a new secret (new-secret) and writes
// its enrolment file, through the running server's control socket or, when no server
// answers, in the database directly.
func runStationAdd(ctx context.Context, verb string, args []string, stdout io.Writer) error {
	request, local, usage := control.RequestEnrolment, county.NewEnrolment,
		"usage: bingzhan-county station add NAME --out FILE [--url URL]... --data DIR"
	if verb == "new-secret" {
		request, local = control.RequestNewSecret, county.NewSecretEnrolment
		usage = "usage: bingzhan-county station new-secret NAME|ID --out FILE [--url URL]... --data DIR"
	}
	fl := flag.NewFlagSet("bingzhan-county station "+verb, flag.ContinueOnError)
	out := fl.String("out", "", "enrolment file to write (required)")
	var urls urlList
	fl.Var(&urls, "url", "county address the station should use (default https://THIS-HOST:8443); "+
		"repeat it for each county server, in the order the station should try them")
	sf := addStoreFlags(fl)
	tf := addTLSFlags(fl)
	words, err := splitArgs(fl, args)
	if err != nil {
		return err
	}
	if len(words) != 1 || *out == "" {
		return errors.New(usage)
	}
	if len(urls) == 0 {
		scheme := "https"
		if *tf.noTLS {
			scheme = "http"
		}
		host, _ := os.Hostname()
		urls = urlList{scheme + "://" + net.JoinHostPort(host, "8443")}
	}
	pin := ""
	// The servers of one county share one certificate (one --data folder), so one pin
	// serves every address.
	if slices.ContainsFunc(urls, func(u string) bool { return strings.HasPrefix(u, "https://") }) && !*tf.noTLS {
		cert, err := tf.certificate(*sf.data, time.Now())
		if err != nil {
			return err
		}
		pin = wire.SPKIPin(cert.Leaf)
	}
	// Made before the station or its secret exists, so a bad --out leaves no secret
	// nobody has; removed again if the county refuses.
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s exists already: choose another --out", *out)
	} else if err != nil {
		return err
	}
	written := false
	defer func() {
		if !written {
			f.Close()
			os.Remove(*out)
		}
	}()
	var e *wire.Enrolment
	err = sf.do(ctx, func() (err error) {
		e, err = request(ctx, *sf.data, words[0], urls, pin)
		return err
	}, func(store *openedStore) (err error) {
		e, err = local(ctx, store.Store, nil, words[0], urls, pin)
		return err
	})
	if err != nil {
		return err
	}
	buf, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return err
	}
	if _, err := f.Write(append(buf, '\n')); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	written = true
	if verb == "new-secret" {
		fmt.Fprintf(stdout, "station %s (%s) has a new secret; the old enrolment file no longer works; new file %s\n", e.StationID, e.StationName, *out)
	} else {
		fmt.Fprintf(stdout, "station %s (%s) added; enrolment file %s\n", e.StationID, e.StationName, *out)
	}
	fmt.Fprintf(stdout, "hand it over like a key; on the station an admin chooses it in 站务设置 → 县中心 (or runs bingzhan enrol %s --data DIR with the station stopped)\n", *out)
	return nil
}

// runStationRetire retires a station for good, through the running server's control
// socket or, when no server answers, in the database directly.
func runStationRetire(ctx context.Context, args []string, stdout io.Writer) error {
	fl := flag.NewFlagSet("bingzhan-county station retire", flag.ContinueOnError)
	sf := addStoreFlags(fl)
	words, err := splitArgs(fl, args)
	if err != nil {
		return err
	}
	if len(words) != 1 {
		return errors.New("usage: bingzhan-county station retire NAME|ID --data DIR")
	}
	var st *county.Station
	err = sf.do(ctx, func() (err error) {
		st, err = control.RequestRetire(ctx, *sf.data, words[0])
		return err
	}, func(store *openedStore) (err error) {
		st, err = store.RetireStation(ctx, words[0])
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "station %s (%s) retired: it can no longer sync; what it sent stays in the figures\n", st.ID, st.Name)
	return nil
}

// runStationList prints the stations, from the running server's control socket or,
// when no server answers, from the database directly.
func runStationList(ctx context.Context, args []string, stdout io.Writer) error {
	fl := flag.NewFlagSet("bingzhan-county station list", flag.ContinueOnError)
	sf := addStoreFlags(fl)
	if err := fl.Parse(args); err != nil {
		return err
	}
	var sts []county.Station
	err := sf.do(ctx, func() (err error) {
		sts, err = control.RequestStations(ctx, *sf.data)
		return err
	}, func(store *openedStore) (err error) {
		sts, err = store.Stations(ctx)
		return err
	})
	if err != nil {
		return err
	}
	for _, st := range sts {
		seen := "never"
		if st.LastSeen != nil {
			seen = st.LastSeen.Local().Format("2006-01-02 15:04")
		}
		retired := ""
		if st.RetiredAt != nil {
			retired = "\tretired " + st.RetiredAt.Local().Format("2006-01-02")
		}
		fmt.Fprintf(stdout, "%s\t%s\tlast seen %s\treceived %d\tpending %d%s\n", st.ID, st.Name, seen, st.Total, st.Pending, retired)
	}
	return nil
}

// runUserAdd adds a county user (or sets a new PIN), through the running server's
// control socket or, when no server answers, in the database directly.
func runUserAdd(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fl := flag.NewFlagSet("bingzhan-county user add", flag.ContinueOnError)
	pin := fl.String("pin", "", "PIN, 6 to 12 digits (for scripts; without it the PIN is read from the terminal)")
	sf := addStoreFlags(fl)
	words, err := splitArgs(fl, args)
	if err != nil {
		return err
	}
	if len(words) != 1 {
		return errors.New("usage: bingzhan-county user add NAME [--pin PIN] --data DIR")
	}
	if *pin == "" {
		fmt.Fprint(stdout, "PIN (6 to 12 digits): ")
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return errors.New("no PIN given")
		}
		*pin = strings.TrimSpace(line)
	}
	err = sf.do(ctx, func() error {
		return control.RequestAddUser(ctx, *sf.data, words[0], *pin)
	}, func(store *openedStore) error {
		return store.AddUser(ctx, words[0], *pin)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "user %s can log in at the county dashboard\n", words[0])
	return nil
}
