package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

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
var DemoRegistryVersion = fmt.Sprintf("demo-%d-%d-households", demo.Seed, DemoPersons)

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

// seedDemoAppointments books three demo people for today's coming half-hours, so the
// console's 预约 has a day to show and the kiosk's 我有预约 something to check in, and
// prints them. The request ids carry the date: a restart the same day books nothing
// new. Late in the evening, when no slot of today is left, it books nothing.
func (st *Station) seedDemoAppointments(ctx context.Context) error {
	now := st.Clock.Now().In(st.Location)
	day := now.Format(time.DateOnly)
	slot := now.Truncate(30 * time.Minute).Add(30 * time.Minute)
	var lines []string
	i := 0
	for p := range demo.People(demo.Seed, DemoPersons) {
		if i == 3 || slot.Format(time.DateOnly) != day {
			break
		}
		if backend.AgeOn(p.BirthDate(), demo.Reference) < 18 {
			continue
		}
		a, _, err := st.Appointments.Book(ctx, backend.AppointmentRequest{Service: "B", Date: day, Time: slot.Format("15:04"),
			Name: p.Name, IDNumber: p.IDNumber, RequestID: fmt.Sprintf("demo-appt-%s-%d", day, i)}, DemoStaffName)
		var e *backend.Error
		if errors.As(err, &e) && e.Key == "appointment.request_id" {
			break // booked earlier today, at another slot: a restart later in the day
		}
		if err != nil {
			return fmt.Errorf("demo bookings: %w", err)
		}
		lines = append(lines, fmt.Sprintf("  %s\t%s\t%s\t%s", a.Time, a.Service, p.IDNumber, a.Code))
		slot = slot.Add(30 * time.Minute)
		i++
	}
	if len(lines) > 0 {
		fmt.Fprintln(st.stdout, "demo bookings: check in at the kiosk's 我有预约 with the ID number or the code")
		tw := tabwriter.NewWriter(st.stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  time\tservice\tID number\tcode")
		for _, l := range lines {
			fmt.Fprintln(tw, l)
		}
		tw.Flush()
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
	// An older demo registry (before households) is replaced too; a county's never.
	if version == "" || strings.HasPrefix(version, "demo-") && version != DemoRegistryVersion {
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
