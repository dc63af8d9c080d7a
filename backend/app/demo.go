package app

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"bingzhan/backend"
	"bingzhan/backend/demo"
)

// Demo staff account, made only for a demo station that has no accounts, so `make run`
// can show the staff console at once. A real station never gets it.
const (
	DemoStaffName = "演示"
	DemoStaffPIN  = "246810"
)

// DemoPersons is the size of the registry a demo station starts with.
const DemoPersons = 2000

// DemoRegistryVersion names the demo registry, so a station can tell it from the
// county's and never overwrite a real one with it.
var DemoRegistryVersion = fmt.Sprintf("demo-%d-%d", demo.Seed, DemoPersons)

// seedDemoTickets puts a few waiting tickets in today's queues of a demo station, so
// the kiosk shows realistic "people ahead" figures. The request ids carry the date, so
// a restart the same day adds nothing.
func (st *Station) seedDemoTickets(ctx context.Context) error {
	day := st.Clock.Now().In(st.Location).Format("20060102")
	for i, svc := range []string{"B", "B", "A", "D", "B", "C"} {
		req := backend.IssueRequest{Service: svc, Priority: i == 4, RequestID: fmt.Sprintf("demo-%s-%d", day, i)}
		if _, err := st.Tickets.IssueTicket(ctx, req); err != nil {
			return fmt.Errorf("demo tickets: %w", err)
		}
	}
	return nil
}

func (st *Station) seedDemoStaff(ctx context.Context) error {
	list, err := st.Accounts.ListStaff(ctx)
	if err != nil || len(list) > 0 {
		return err
	}
	if _, err := st.Accounts.AddStaff(ctx, DemoStaffName, backend.RoleAdmin, DemoStaffPIN); err != nil {
		return fmt.Errorf("demo staff: %w", err)
	}
	fmt.Fprintf(st.stdout, "demo admin account: name %s, PIN %s\n", DemoStaffName, DemoStaffPIN)
	return nil
}

// seedDemoRegistry gives a demo station with no registry the demo registry, and
// prints people to try at the kiosk.
func (st *Station) seedDemoRegistry(ctx context.Context) error {
	version, _, err := st.Persons.Registry(ctx)
	if err != nil {
		return err
	}
	if version == "" {
		if _, err := st.Persons.ReplaceRegistry(ctx, DemoRegistryVersion, demo.Registry(demo.Seed, DemoPersons)); err != nil {
			return fmt.Errorf("demo registry: %w", err)
		}
		version = DemoRegistryVersion
	}
	if version == DemoRegistryVersion {
		fmt.Fprintln(st.stdout, "demo registry: people to try at the kiosk's personal lookup (more: bingzhan demo people)")
		PrintDemoPeople(st.stdout, 1)
	}
	return nil
}

// PrintDemoPeople lists per people of each card status from the demo registry, with
// the ID number and phone digits to type. They are synthetic, the same on every demo
// station.
func PrintDemoPeople(w io.Writer, per int) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  status\tID number\tphone last 4\tcategories\t状态")
	found := map[backend.CardStatus]int{}
	for p := range demo.People(demo.Seed, DemoPersons) {
		// Adults only: they are who a tester pretends to be.
		if found[p.CardStatus] >= per || backend.AgeOn(p.BirthDate(), demo.Reference) < 18 {
			continue
		}
		found[p.CardStatus]++
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", p.CardStatus, p.IDNumber, p.PhoneLast4(), strings.Join(p.Categories, ","), p.CardStatus.Name("zh-CN"))
	}
	tw.Flush()
}
