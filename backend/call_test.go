package backend_test

import (
	"testing"
	"time"

	"bingzhan/backend"
)

func TestTicket_Apply(t *testing.T) {
	at := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	W, C, S, H := backend.TicketWaiting, backend.TicketCalled, backend.TicketServing, backend.TicketHeld
	D, N, E := backend.TicketDone, backend.TicketNoShow, backend.TicketExpired
	act := func(a backend.Action) backend.Act { return backend.Act{Action: a, Counter: 2, By: "王芳", At: at} }
	for _, tc := range []struct {
		name     string
		from     backend.TicketStatus
		heldFrom backend.TicketStatus
		act      backend.Act
		want     backend.TicketStatus // "" when the action must be refused
		code     string
	}{
		{"call waiting", W, "", act(backend.ActCall), C, ""},
		{"call a no-show who came back", N, "", act(backend.ActCall), C, ""},
		{"call twice", C, "", act(backend.ActCall), "", backend.ECONFLICT},
		{"call done", D, "", act(backend.ActCall), "", backend.ECONFLICT},
		{"call without counter", W, "", backend.Act{Action: backend.ActCall, At: at}, "", backend.EINVALID},
		{"recall called", C, "", act(backend.ActRecall), C, ""},
		{"recall waiting", W, "", act(backend.ActRecall), "", backend.ECONFLICT},
		{"start called", C, "", act(backend.ActStart), S, ""},
		{"start waiting", W, "", act(backend.ActStart), "", backend.ECONFLICT},
		{"start serving", S, "", act(backend.ActStart), "", backend.ECONFLICT},
		{"hold called", C, "", act(backend.ActHold), H, ""},
		{"hold serving", S, "", act(backend.ActHold), H, ""},
		{"hold waiting", W, "", act(backend.ActHold), "", backend.ECONFLICT},
		{"resume to serving", H, S, act(backend.ActResume), S, ""},
		{"resume to called", H, C, act(backend.ActResume), C, ""},
		{"resume serving", S, "", act(backend.ActResume), "", backend.ECONFLICT},
		{"no-show called", C, "", act(backend.ActNoShow), N, ""},
		{"no-show serving", S, "", act(backend.ActNoShow), "", backend.ECONFLICT},
		{"transfer waiting", W, "", backend.Act{Action: backend.ActTransfer, Service: "D", At: at}, W, ""},
		{"transfer serving", S, "", backend.Act{Action: backend.ActTransfer, Service: "D", At: at}, W, ""},
		{"transfer held", H, S, backend.Act{Action: backend.ActTransfer, Service: "D", At: at}, W, ""},
		{"transfer to same service", W, "", backend.Act{Action: backend.ActTransfer, Service: "B", At: at}, "", backend.EINVALID},
		{"transfer to no service", W, "", backend.Act{Action: backend.ActTransfer, Service: "I", At: at}, "", backend.EINVALID},
		{"transfer done", D, "", backend.Act{Action: backend.ActTransfer, Service: "D", At: at}, "", backend.ECONFLICT},
		{"finish serving", S, "", act(backend.ActFinish), D, ""},
		{"finish called", C, "", act(backend.ActFinish), D, ""},
		{"finish waiting", W, "", act(backend.ActFinish), "", backend.ECONFLICT},
		{"finish no-show", N, "", act(backend.ActFinish), "", backend.ECONFLICT},
		{"expire waiting", W, "", act(backend.ActExpire), E, ""},
		{"expire held", H, C, act(backend.ActExpire), E, ""},
		{"expire done", D, "", act(backend.ActExpire), "", backend.ECONFLICT},
		{"unknown action", W, "", act("dance"), "", backend.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tk := &backend.Ticket{Number: "B017", Service: "B", Status: tc.from, HeldFrom: tc.heldFrom, Counter: 1,
				IssuedAt: at.Add(-time.Hour)}
			err := tk.Apply(tc.act)
			if tc.want == "" {
				if backend.ErrorCode(err) != tc.code {
					t.Fatalf("err %v, want code %s", err, tc.code)
				}
				if tk.Status != tc.from || len(tk.History) != 0 {
					t.Fatalf("a refused action changed the ticket: %+v", tk)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tk.Status != tc.want {
				t.Fatalf("status %s, want %s", tk.Status, tc.want)
			}
			if len(tk.History) != 1 || tk.History[0].Action != tc.act.Action || tk.History[0].By != tc.act.By || !tk.History[0].At.Equal(at) {
				t.Fatalf("history %+v", tk.History)
			}
		})
	}
}

func TestTicket_ApplyTimes(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	tk := &backend.Ticket{Number: "B001", Service: "B", Status: backend.TicketWaiting, IssuedAt: t0}
	step := func(a backend.Act, min int) {
		t.Helper()
		a.At = t0.Add(time.Duration(min) * time.Minute)
		if err := tk.Apply(a); err != nil {
			t.Fatal(err)
		}
	}
	step(backend.Act{Action: backend.ActCall, Counter: 2, By: "甲"}, 10)
	step(backend.Act{Action: backend.ActRecall, By: "甲"}, 11)
	step(backend.Act{Action: backend.ActStart, By: "甲"}, 12)
	step(backend.Act{Action: backend.ActTransfer, Service: "D", By: "甲"}, 20)
	if tk.Service != "D" || tk.Origin != "B" || tk.Counter != 0 || tk.Status != backend.TicketWaiting {
		t.Fatalf("after transfer %+v", tk)
	}
	step(backend.Act{Action: backend.ActCall, Counter: 1, By: "乙"}, 25)
	step(backend.Act{Action: backend.ActStart, By: "乙"}, 26)
	step(backend.Act{Action: backend.ActFinish, Outcome: "  已办结  ", By: "乙"}, 40)
	if !tk.CalledAt.Equal(t0.Add(10*time.Minute)) || !tk.LastCalledAt.Equal(t0.Add(25*time.Minute)) ||
		!tk.StartedAt.Equal(t0.Add(26*time.Minute)) || !tk.EndedAt.Equal(t0.Add(40*time.Minute)) {
		t.Fatalf("times called %v last %v start %v end %v", tk.CalledAt, tk.LastCalledAt, tk.StartedAt, tk.EndedAt)
	}
	if tk.Recalls != 1 || tk.Outcome != "已办结" || tk.Counter != 1 || len(tk.History) != 7 || tk.History[3].Service != "D" {
		t.Fatalf("ticket %+v", tk)
	}
}

func TestNextInLine(t *testing.T) {
	for _, tc := range []struct {
		name  string
		heads []backend.QueueHead
		want  int
	}{
		{"none", nil, -1},
		{"one", []backend.QueueHead{{Service: "B", Rank: 2, Order: 7}}, 0},
		{"earliest arrival across services", []backend.QueueHead{{Service: "A", Rank: 2, Order: 9}, {Service: "B", Rank: 2, Order: 3}, {Service: "D", Rank: 2, Order: 5}}, 1},
		{"priority beats arrival", []backend.QueueHead{{Service: "A", Rank: 2, Order: 1}, {Service: "B", Rank: 0, Order: 30}}, 1},
		{"earliest of the priority ones", []backend.QueueHead{{Service: "A", Rank: 0, Order: 20}, {Service: "B", Rank: 2, Order: 1}, {Service: "C", Rank: 0, Order: 10}}, 2},
		{"booked before walk-ins", []backend.QueueHead{{Service: "A", Rank: 2, Order: 1}, {Service: "B", Rank: 1, Order: 600 << 40}}, 1},
		{"priority before booked", []backend.QueueHead{{Service: "A", Rank: 1, Order: 1}, {Service: "B", Rank: 0, Order: 50}}, 1},
		{"earlier slot first", []backend.QueueHead{{Service: "A", Rank: 1, Order: 610<<40 | 2}, {Service: "B", Rank: 1, Order: 600<<40 | 9}}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := backend.NextInLine(tc.heads); got != tc.want {
				t.Fatalf("got %d, want %d", got, tc.want)
			}
		})
	}
}
