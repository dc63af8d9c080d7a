package http_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/app/apptest"
	"bingzhan/backend/demo"
	bzhttp "bingzhan/backend/http"

	bbolt "go.etcd.io/bbolt"
)

// lookupStation is a station serving the lookup API on loopback, over a real bbolt
// file holding a demo registry; log is what it wrote to its log.
type lookupStation struct {
	*station
	log *apptest.Buffer
}

// mustLookupStation opens a station in dir (a temp dir if ""), loading n demo persons
// unless its registry already holds them. Benchmarks run on the machine's clock.
func mustLookupStation(tb testing.TB, dir string, n int) *lookupStation {
	tb.Helper()
	_, bench := tb.(*testing.B)
	st := openStation(tb, apptest.Options{Dir: dir, Registry: n, RealClock: bench})
	return &lookupStation{station: st, log: st.Log}
}

// send posts (or gets, when body is nil) and decodes the JSON answer.
func send(tb testing.TB, method, url, lang string, body any) (int, map[string]any) {
	tb.Helper()
	var out map[string]any
	resp, _ := apptest.Send(tb, method, url, body, &out, apptest.Req{Lang: lang})
	return resp.StatusCode, out
}

func list(v any) []any { l, _ := v.([]any); return l }

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }

func byID(ents any, id string) map[string]any {
	for _, e := range list(ents) {
		if obj(e)["id"] == id {
			return obj(e)
		}
	}
	return nil
}

func TestLookupAPI_Wizard(t *testing.T) {
	st := mustLookupStation(t, "", 10)

	t.Run("Categories", func(t *testing.T) {
		status, out := send(t, "GET", st.URL+"/api/v1/categories", "", nil)
		if status != 200 || out["catalog_version"] == "" {
			t.Fatalf("%d %v", status, out)
		}
		var dv map[string]any
		for _, c := range list(out["categories"]) {
			if obj(c)["code"] == "DISABLED_VET" {
				dv = obj(c)
			}
		}
		if dv == nil || dv["plain"] == "" || dv["icon"] != "wheelchair" || dv["has_card"] != true {
			t.Fatalf("DISABLED_VET: %v", dv)
		}
		_, en := send(t, "GET", st.URL+"/api/v1/categories", "en", nil)
		if p := obj(list(en["categories"])[0])["plain"].(string); !strings.HasPrefix(p, "I ") {
			t.Errorf("English plain name %q", p)
		}
	})

	t.Run("Questions", func(t *testing.T) {
		status, out := send(t, "GET", st.URL+"/api/v1/catalog/questions?categories=DISABLED_VET", "", nil)
		if status != 200 {
			t.Fatalf("%d %v", status, out)
		}
		var keys []string
		for _, q := range list(out["questions"]) {
			keys = append(keys, obj(q)["key"].(string))
		}
		if !slices.Equal(keys, []string{"disability_grade", "disability_cause", "residence"}) {
			t.Fatalf("questions %v", keys)
		}
		grade := obj(list(out["questions"])[0])
		if len(list(grade["options"])) != 10 || grade["text"] != "您的伤残等级是几级？" {
			t.Errorf("grade question %v", grade)
		}
		status, out = send(t, "GET", st.URL+"/api/v1/catalog/questions?categories=NOPE", "", nil)
		if status != 422 || !strings.Contains(out["message"].(string), "NOPE") {
			t.Errorf("unknown category: %d %v", status, out)
		}
	})

	t.Run("Eligibility", func(t *testing.T) {
		req := `{"categories":["DISABLED_VET"],"disability_grade":3,"disability_cause":"war","birth_date":"1950-01-01","residence":"rural"}`
		status, out := send(t, "POST", st.URL+"/api/v1/eligibility", "", req)
		if status != 200 {
			t.Fatalf("%d %v", status, out)
		}
		liv := byID(out["entitlements"], "LIV-001")
		if liv == nil || liv["verdict"] != "yes" || liv["staff_review"] != false || liv["title"] != "残疾抚恤金" ||
			liv["service"] != "D" || liv["service_name"] == "" || liv["where"] != "本服务站：取号办理“"+liv["service_name"].(string)+"”" {
			t.Fatalf("LIV-001: %v", liv)
		}
		if docs := list(liv["documents"]); len(docs) == 0 || obj(docs[0])["name"] != "居民身份证" {
			t.Errorf("documents %v", docs)
		}
		if byID(out["entitlements"], "MED-004") != nil {
			t.Error("grade 3 offered the grade 7–10 item")
		}
		hou := byID(out["entitlements"], "HOU-002")
		if hou == nil || hou["staff_review"] != true || len(list(hou["reasons"])) == 0 {
			t.Errorf("HOU-002 must be 'possibly' with a reason: %v", hou)
		}
		if len(list(out["questions"])) != 0 {
			t.Errorf("everything answered, still asks %v", out["questions"])
		}
		// Entitlements come grouped: a domain never reappears after another began.
		var seen []string
		for _, e := range list(out["entitlements"]) {
			d := obj(e)["domain"].(string)
			if len(seen) == 0 || seen[len(seen)-1] != d {
				if slices.Contains(seen, d) {
					t.Fatalf("domain %s split in the list", d)
				}
				seen = append(seen, d)
			}
		}
		if n := len(list(out["domains"])); n != len(seen) {
			t.Errorf("%d domains listed, %d present", n, len(seen))
		}
		_, en := send(t, "POST", st.URL+"/api/v1/eligibility", "en-GB,en;q=0.9", req)
		if e := byID(en["entitlements"], "LIV-001"); e["title"] != "Disability pension" || !strings.HasPrefix(e["summary"].(string), "A monthly") {
			t.Errorf("English: %v", e)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		for _, tt := range []struct{ body, want string }{
			{`{"categories":[]}`, "请至少选择一项身份。"},
			{`{"categories":["DISABLED_VET"],"disability_grade":11}`, "伤残等级应为一级到十级。"},
			{`{"categories":["DISABLED_VET"],"birth_date":"1950/01/01"}`, "出生年份不对"},
			{`{"categories":["DISABLED_VET"],"residence":"moon"}`, "居住情况"},
			{`{"categories":["DISABLED_VET"],"grade":3}`, "请求格式不正确。"},
			{`not json`, "请求格式不正确。"},
		} {
			status, out := send(t, "POST", st.URL+"/api/v1/eligibility", "", tt.body)
			if status != 422 || out["code"] != "invalid" || !strings.Contains(out["message"].(string), tt.want) {
				t.Errorf("%s: %d %v", tt.body, status, out)
			}
		}
	})

	t.Run("Catalog", func(t *testing.T) {
		status, out := send(t, "GET", st.URL+"/api/v1/catalog", "", nil)
		if status != 200 || len(list(out["entitlements"])) != 49 {
			t.Fatalf("%d, %d entries", status, len(list(out["entitlements"])))
		}
	})
}

func TestLookupAPI_IDCheck(t *testing.T) {
	st := mustLookupStation(t, "", 1)
	status, out := send(t, "POST", st.URL+"/api/v1/id/check", "", `{"id_number":"11010519491231002x"}`)
	if status != 200 || out["valid"] != true || out["masked"] != "110105********002X" {
		t.Fatalf("%d %v", status, out)
	}
	for _, tt := range []struct{ id, lang, reason, msg string }{
		{"11010519491231003X", "", "checksum", "最后一位不对"},
		{"1101051949123100", "", "length", "您输入了 16 位"},
		{"11010519491321002X", "en", "birth", "that date is not right"},
		{"", "", "empty", "请输入身份证号码"},
	} {
		status, out := send(t, "POST", st.URL+"/api/v1/id/check", tt.lang, map[string]string{"id_number": tt.id})
		if status != 422 || out["reason"] != tt.reason || !strings.Contains(out["message"].(string), tt.msg) {
			t.Errorf("%q: %d %v", tt.id, status, out)
		}
	}
}

func TestLookupAPI_Lookup(t *testing.T) {
	st := mustLookupStation(t, "", 60)
	byStatus := func(s backend.CardStatus) backend.Person {
		for _, p := range st.People {
			if p.CardStatus == s {
				return p
			}
		}
		t.Fatalf("no demo person with status %s", s)
		return backend.Person{}
	}
	lookup := func(id, last4, lang string) (int, map[string]any) {
		return send(t, "POST", st.URL+"/api/v1/lookup", lang, map[string]string{"id_number": id, "phone_last4": last4})
	}

	t.Run("OK", func(t *testing.T) {
		p := byStatus(backend.CardReady)
		status, out := lookup(p.IDNumber, p.PhoneLast4(), "")
		if status != 200 {
			t.Fatalf("%d %v", status, out)
		}
		card := obj(out["card"])
		if out["name"] != backend.MaskName(p.Name) || out["id_number"] != backend.MaskIDNumber(p.IDNumber) ||
			out["collect_ticket"] != true || card["status"] != "ready" || card["name"] != "待领取" ||
			!strings.Contains(card["next_step"].(string), "取号到窗口领取") || strings.Contains(card["next_step"].(string), "B 号") ||
			card["service"] != "B" {
			t.Fatalf("lookup: %v", out)
		}
		if h := list(card["history"]); len(h) != len(p.CardHistory) || obj(h[len(h)-1])["name"] != "待领取" {
			t.Errorf("history %v", h)
		}
		if len(list(out["entitlements"])) == 0 || byID(out["entitlements"], "HON-007") == nil {
			t.Errorf("entitlements from the record: %v", out["entitlements"])
		}
		raw, _ := json.Marshal(out)
		for _, secret := range []string{p.IDNumber, p.Phone, p.Name} {
			if bytes.Contains(raw, []byte(secret)) {
				t.Errorf("answer contains %q unmasked", secret)
			}
		}

		t.Run("CollectTicket", func(t *testing.T) {
			// The kiosk's one tap: a B ticket for this person.
			body := map[string]any{"service": "B", "request_id": "collect-0001", "id_number": p.IDNumber}
			status, tk := send(t, "POST", st.URL+"/api/v1/tickets", "", body)
			if status != 201 || !strings.HasPrefix(tk["number"].(string), "B") {
				t.Fatalf("%d %v", status, tk)
			}
			body["request_id"] = "collect-0002" // a second tap, later
			status, again := send(t, "POST", st.URL+"/api/v1/tickets", "", body)
			if status != 200 || again["existing"] != true || again["number"] != tk["number"] {
				t.Fatalf("second tap: %d %v", status, again)
			}
		})
	})

	t.Run("EveryStatus", func(t *testing.T) {
		for _, s := range backend.CardStatuses {
			p := byStatus(s)
			status, out := lookup(p.IDNumber, p.PhoneLast4(), "en")
			if status != 200 {
				t.Fatalf("%s: %d %v", s, status, out)
			}
			card := obj(out["card"])
			if out["collect_ticket"] != (s == backend.CardReady) || card["next_step"] == "" || card["name"] != s.Name("en") {
				t.Errorf("%s: %v", s, card)
			}
		}
	})

	t.Run("NoCardForServingFamilies", func(t *testing.T) {
		for _, p := range st.People {
			if !slices.Contains(p.Categories, "ACTIVE_FAMILY") {
				continue
			}
			_, out := lookup(p.IDNumber, p.PhoneLast4(), "")
			if card := obj(out["card"]); !strings.Contains(card["next_step"].(string), "不发放优待证") || card["service"] != "A" {
				t.Fatalf("family of a serving member told %v", card)
			}
			return
		}
		t.Fatal("no ACTIVE_FAMILY person in the demo registry")
	})

	t.Run("ErrLocked", func(t *testing.T) {
		p := byStatus(backend.CardIssued)
		wrong := fmt.Sprintf("%04d", (mustAtoi(p.PhoneLast4())+1)%10000)
		status, first := lookup(p.IDNumber, wrong, "")
		if status != 404 || first["attempts_left"] != 2.0 {
			t.Fatalf("first failure: %d %v", status, first)
		}
		// An unknown ID number gets the same answer: the kiosk reveals nobody's
		// registration.
		unknown := demo.IDNumber("110105", time.Date(1950, 3, 4, 0, 0, 0, 0, time.UTC), 11)
		status, other := lookup(unknown, wrong, "")
		if status != 404 || other["message"] != first["message"] || other["code"] != first["code"] {
			t.Fatalf("unknown ID: %d %v, wrong last4: %v", status, other, first)
		}
		lookup(p.IDNumber, wrong, "")
		status, out := lookup(p.IDNumber, wrong, "")
		if status != http.StatusLocked || out["code"] != "forbidden" || out["message"] != "请到窗口由工作人员为您查询。" {
			t.Fatalf("third failure: %d %v", status, out)
		}
		status, _ = lookup(p.IDNumber, p.PhoneLast4(), "")
		if status != http.StatusLocked {
			t.Fatalf("right answer while locked: %d", status)
		}
		t.Run("StaffUnlock", func(t *testing.T) {
			body := map[string]string{"id_number": p.IDNumber}
			if status, _ := send(t, "POST", st.URL+"/api/v1/lookup/unlock", "", body); status != http.StatusUnauthorized {
				t.Fatalf("unlock without a staff login: %d", status)
			}
			if _, err := st.Accounts.AddStaff(context.Background(), "王芳", backend.RoleStaff, "246810"); err != nil {
				t.Fatal(err)
			}
			_, login := send(t, "POST", st.URL+"/api/v1/login", "", map[string]string{"name": "王芳", "pin": "246810"})
			buf, _ := json.Marshal(body)
			req, _ := http.NewRequest("POST", st.URL+"/api/v1/lookup/unlock", bytes.NewReader(buf))
			req.Header.Set("Authorization", "Bearer "+fmt.Sprint(login["token"]))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("unlock by staff: %d", resp.StatusCode)
			}
			if status, out := lookup(p.IDNumber, p.PhoneLast4(), ""); status != 200 {
				t.Fatalf("after staff unlocked: %d %v", status, out)
			}
			// Lock it again for the next test.
			for range backend.MaxLookupFailures {
				lookup(p.IDNumber, wrong, "")
			}
		})
		t.Run("NextDay", func(t *testing.T) {
			st.Clock.Add(25 * time.Hour)
			if status, out := lookup(p.IDNumber, p.PhoneLast4(), ""); status != 200 {
				t.Fatalf("a day later: %d %v", status, out)
			}
		})
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		p := byStatus(backend.CardIssued)
		for _, tt := range []struct{ id, last4 string }{{"11010519491231003X", "1234"}, {p.IDNumber, "12"}} {
			if status, out := lookup(tt.id, tt.last4, ""); status != 422 || out["code"] != "invalid" {
				t.Errorf("%d %v", status, out)
			}
		}
	})

	t.Run("NeverLogged", func(t *testing.T) {
		log := st.log.String()
		if !strings.Contains(log, "/api/v1/lookup") {
			t.Fatal("requests were not logged at all: the check below proves nothing")
		}
		for _, p := range st.People {
			if strings.Contains(log, p.IDNumber) || strings.Contains(log, p.Phone) {
				t.Fatalf("the log contains personal data of %s", backend.MaskName(p.Name))
			}
		}
	})
}

func mustAtoi(s string) int { n, _ := strconv.Atoi(s); return n }

// lookupPct returns the p-th percentile of d.
func lookupPct(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

// benchPersons is the registry size of BenchmarkLookup; BINGZHAN_BENCH_PERSONS
// overrides it for a quick run.
func benchPersons() int {
	if n, err := strconv.Atoi(os.Getenv("BINGZHAN_BENCH_PERSONS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// benchCache is where the benchmark keeps its registry between runs: building a
// million sealed records takes a while, reading them back does not.
func benchCache(tb testing.TB, n int) string {
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("bingzhan-bench-lookup-v1-%d", n))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// mustBareDB opens (building once) a bare bbolt file with n random 32-byte keys and
// 400-byte values: the same shape as the registry, without the station around it.
func mustBareDB(tb testing.TB, dir string, n int) *bbolt.DB {
	tb.Helper()
	path := filepath.Join(dir, "bare.db")
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	var have int
	db.View(func(tx *bbolt.Tx) error {
		if b := tx.Bucket([]byte("b")); b != nil {
			have = b.Stats().KeyN
		}
		return nil
	})
	if have == n {
		return db
	}
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = bareKey(i)
	}
	slices.SortFunc(keys, bytes.Compare)
	value := bytes.Repeat([]byte{0xa5}, 400)
	db.Update(func(tx *bbolt.Tx) error {
		tx.DeleteBucket([]byte("b"))
		_, err := tx.CreateBucket([]byte("b"))
		return err
	})
	for start := 0; start < n; start += 50000 {
		err := db.Update(func(tx *bbolt.Tx) error {
			b := tx.Bucket([]byte("b"))
			b.FillPercent = 1
			for _, k := range keys[start:min(start+50000, n)] {
				if err := b.Put(k, value); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	return db
}

func bareKey(i int) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(i))
	h := sha256.Sum256(b[:])
	return h[:]
}

// BenchmarkLookup measures POST /api/v1/lookup over loopback against a registry of a
// million persons, next to a bare bbolt Get on a file of the same size, interleaved so
// both see the same machine, and next to GET /api/v1/health, the floor of an HTTP
// round trip on this machine at this moment. Target: the API's p99 ≤ 1 ms. The registry is built once
// (a few minutes) and kept in the temp folder for later runs.
func BenchmarkLookup(b *testing.B) {
	n := benchPersons()
	dir := benchCache(b, n)
	st := mustLookupStation(b, dir, n)
	bare := mustBareDB(b, dir, n)

	// A sample of real people to look up, spread over the whole registry.
	rng := rand.New(rand.NewPCG(7, 7))
	const sampleSize = 4096
	var sample []*backend.Person
	i := 0
	for p := range demo.People(demo.Seed, n) {
		if len(sample) < sampleSize {
			sample = append(sample, p)
		} else if j := rng.IntN(i + 1); j < sampleSize {
			sample[j] = p
		}
		i++
	}
	bodies := make([][]byte, len(sample))
	for i, p := range sample {
		bodies[i], _ = json.Marshal(map[string]string{"id_number": p.IDNumber, "phone_last4": p.PhoneLast4()})
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	api := make([]time.Duration, 0, b.N)
	get := make([]time.Duration, 0, b.N)
	floor := make([]time.Duration, 0, b.N) // GET /api/v1/health: what HTTP alone costs here
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		resp, err := client.Post(st.URL+"/api/v1/lookup", "application/json", bytes.NewReader(bodies[i%len(bodies)]))
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("lookup answered %d", resp.StatusCode)
		}
		api = append(api, time.Since(start))

		start = time.Now()
		resp, err = client.Get(st.URL + "/api/v1/health")
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		floor = append(floor, time.Since(start))

		k := bareKey(rng.IntN(n))
		start = time.Now()
		bare.View(func(tx *bbolt.Tx) error {
			if tx.Bucket([]byte("b")).Get(k) == nil {
				b.Fatal("bare key missing")
			}
			return nil
		})
		get = append(get, time.Since(start))
	}
	b.StopTimer()
	b.ReportMetric(float64(lookupPct(api, 50).Microseconds()), "api-p50-µs")
	b.ReportMetric(float64(lookupPct(api, 99).Microseconds()), "api-p99-µs")
	b.ReportMetric(float64(lookupPct(get, 99).Microseconds()), "get-p99-µs")
	b.ReportMetric(float64(lookupPct(floor, 99).Microseconds()), "health-p99-µs")
	b.Logf("registry %d persons, n=%d | POST /api/v1/lookup p50 %v p99 %v (target ≤ 1ms) | bare bbolt Get p50 %v p99 %v | GET /api/v1/health p50 %v p99 %v",
		n, b.N, lookupPct(api, 50), lookupPct(api, 99), lookupPct(get, 50), lookupPct(get, 99), lookupPct(floor, 50), lookupPct(floor, 99))
}

func FuzzDecodeEligibilityRequest(f *testing.F) {
	for _, s := range []string{
		`{"categories":["DISABLED_VET"],"disability_grade":3,"disability_cause":"war","birth_date":"1950-01-01","residence":"rural"}`,
		`{"categories":["MARTYR_FAMILY"],"relation":"child","birth_date":"2012","sex":"female"}`,
		`{"categories":[]}`, `{"categories":["X"]}`, `{"birth_date":"1950-13"}`, `{"disability_grade":-1}`, `[]`, `null`,
	} {
		f.Add(s)
	}
	cat, err := backend.DefaultCatalog()
	if err != nil {
		f.Fatal(err)
	}
	today := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body string) {
		p, err := bzhttp.DecodeEligibilityRequest(strings.NewReader(body), cat, today)
		if err != nil {
			if backend.ErrorCode(err) != backend.EINVALID {
				t.Fatalf("code %s", backend.ErrorCode(err))
			}
			return
		}
		// What passes can be evaluated and asked about.
		for _, r := range cat.Evaluate(&p, today) {
			if r.Verdict == backend.NotEligible {
				t.Fatal("not-eligible result listed")
			}
		}
		if q := cat.Questions(&p, today); len(q) > backend.MaxQuestions {
			t.Fatalf("%d questions", len(q))
		}
	})
}
