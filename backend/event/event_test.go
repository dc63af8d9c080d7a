package event_test

import (
	"testing"

	"bingzhan/backend"
	"bingzhan/backend/event"
)

func TestBroker(t *testing.T) {
	b := event.New()
	public := b.Subscribe(false, 0)
	staff := b.Subscribe(true, 0)
	b.Publish(backend.Event{Kind: backend.EventCall, Data: map[string]string{"number": "B017"}})
	b.Publish(backend.Event{Kind: backend.EventTicket, Staff: true, Data: map[string]string{"by": "王芳"}})
	if m := <-public.C(); m.Kind != "call" || string(m.Data) != `{"number":"B017"}` || m.ID != 1 {
		t.Fatalf("public got %+v", m)
	}
	select {
	case m := <-public.C():
		t.Fatalf("a staff event reached the public stream: %+v", m)
	default:
	}
	if m1, m2 := <-staff.C(), <-staff.C(); m1.Kind != "call" || m2.Kind != "ticket" {
		t.Fatalf("staff got %s, %s", m1.Kind, m2.Kind)
	}

	t.Run("Replay", func(t *testing.T) {
		again := b.Subscribe(false, 0)
		b.Unsubscribe(again)
		resumed := b.Subscribe(true, 1)
		if m := <-resumed.C(); m.ID != 2 || m.Kind != "ticket" {
			t.Fatalf("resumed with %+v", m)
		}
		b.Unsubscribe(resumed)
		b.Unsubscribe(resumed) // twice is harmless
	})

	t.Run("SlowSubscriberCutOff", func(t *testing.T) {
		slow := b.Subscribe(false, 0)
		for i := 0; i < 1000; i++ {
			b.Publish(backend.Event{Kind: backend.EventQueue, Data: i})
		}
		n := 0
		for range slow.C() {
			n++
		}
		if n == 0 || n >= 1000 {
			t.Fatalf("slow subscriber got %d before being cut off", n)
		}
	})
}
