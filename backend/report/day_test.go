package report_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/report"

	"github.com/xuri/excelize/v2"
)

var shanghai = time.FixedZone("CST", 8*3600)

// day is a small day: two tickets, one served by 王芳 with a note that must not leave.
func day() (*backend.DayStats, []backend.Ticket) {
	st := &backend.DayStats{Date: "2026-11-23",
		Station: backend.StatRow{Issued: 2, Called: 1, Served: 1, Expired: 1, AvgWaitS: 241, AvgServiceS: 300,
			Rated: 2, Satisfied: 1, Unsatisfied: 1, SatisfactionPct: 50, AvgLevel: 3.5},
		Services: []backend.StatRow{{Key: "B", NameZH: "优待证", NameEN: "Card", Issued: 2, Served: 1}},
		Counters: []backend.StatRow{{Key: "1", NameZH: "1号窗口", NameEN: "Counter 1", Called: 1, Served: 1}},
		Staff: []backend.StatRow{{Key: "王芳", NameZH: "王芳", NameEN: "王芳", Called: 1, Served: 1, AvgServiceS: 300,
			Rated: 2, Satisfied: 1, Unsatisfied: 1, SatisfactionPct: 50, AvgLevel: 3.5}},
	}
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, shanghai)
	tickets := []backend.Ticket{
		{Number: "B001", Service: "B", Status: backend.TicketDone, Counter: 1, IssuedAt: at,
			CalledAt: at.Add(4 * time.Minute), StartedAt: at.Add(5 * time.Minute), EndedAt: at.Add(10 * time.Minute),
			Outcome: "张三的材料已收",
			History: []backend.Step{{Action: backend.ActStart, By: "王芳"}, {Action: backend.ActFinish, By: "王芳"}}},
		{Number: "B002", Service: "B", Status: backend.TicketExpired, IssuedAt: at.Add(time.Minute)},
	}
	return st, tickets
}

func TestDayCSV(t *testing.T) {
	st, _ := day()
	t.Run("Chinese", func(t *testing.T) {
		body, err := report.DayCSV(st, "zh-CN")
		if err != nil {
			t.Fatal(err)
		}
		// Satisfaction is blank where nothing was rated; staff members have rows of
		// their own, their times and ratings beside the counters'.
		want := "\uFEFF类别,编号,名称,取号,叫号,办结,过号,过期,未完成,平均等候(分),P90等候(分),平均走到窗口(分),P90走到窗口(分),平均办理(分),P90办理(分)," +
			"评价数,满意(含基本满意),不满意,满意率(%),平均评分\r\n" +
			"全站,,,2,1,1,0,1,0,4.0,0.0,0.0,0.0,5.0,0.0,2,1,1,50.0,3.5\r\n" +
			"业务,B,优待证,2,0,1,0,0,0,0.0,0.0,0.0,0.0,0.0,0.0,0,0,0,,\r\n" +
			"窗口,1,1号窗口,0,1,1,0,0,0,0.0,0.0,0.0,0.0,0.0,0.0,0,0,0,,\r\n" +
			"工作人员,王芳,王芳,0,1,1,0,0,0,0.0,0.0,0.0,0.0,5.0,0.0,2,1,1,50.0,3.5\r\n"
		if string(body) != want {
			t.Errorf("got\n%q\nwant\n%q", body, want)
		}
	})
	t.Run("English", func(t *testing.T) {
		body, err := report.DayCSV(st, "en")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(body, []byte("\uFEFFGroup,Key,Name,Issued")) || !strings.Contains(string(body), "Service,B,Card,") {
			t.Errorf("%q", body)
		}
	})
}

func TestDayXLSX(t *testing.T) {
	st, tickets := day()
	body, err := report.DayXLSX(st, tickets, shanghai, "zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("the XLSX does not open: %v", err)
	}
	defer f.Close()
	if sheets := f.GetSheetList(); !slices.Equal(sheets, []string{"统计", "明细"}) {
		t.Fatalf("sheets %v", sheets)
	}
	rows, _ := f.GetRows("统计")
	if len(rows) != 2+4 || rows[0][0] != "统计 2026-11-23" || rows[1][3] != "取号" || rows[2][0] != "全站" || rows[2][3] != "2" || rows[2][9] != "4" {
		t.Fatalf("summary %v", rows)
	}
	// 满意率 as a number a spreadsheet can chart; a staff member's row of their own.
	if rows[1][18] != "满意率(%)" || rows[2][18] != "50" || rows[5][0] != "工作人员" || rows[5][1] != "王芳" || rows[5][15] != "2" {
		t.Errorf("satisfaction columns %v", rows)
	}
	details, _ := f.GetRows("明细")
	if len(details) != 2+2 {
		t.Fatalf("details %v", details)
	}
	// Times in the station's zone; minutes as numbers; who served it, never the note.
	if got := details[2]; got[0] != "B001" || got[4] != "done" || got[5] != "1" || got[6] != "09:00:00" || got[10] != "4" || got[11] != "5" || got[12] != "王芳" {
		t.Errorf("served ticket %v", got)
	}
	if got := details[3]; got[0] != "B002" || got[4] != "expired" || got[6] != "09:01:00" {
		t.Errorf("expired ticket %v", got)
	}
	for _, row := range details {
		if slices.Contains(row, "张三的材料已收") {
			t.Fatal("an outcome note (possibly personal) is in the report")
		}
	}
}

// stats is a StatsService over one day.
type stats struct {
	st      *backend.DayStats
	tickets []backend.Ticket
}

func (s stats) DayStats(_ context.Context, date string) (*backend.DayStats, error) {
	if date != s.st.Date {
		return nil, backend.Errorf(backend.EINVALID, "stats.date")
	}
	return s.st, nil
}

func (s stats) DayTickets(context.Context, string) ([]backend.Ticket, error) { return s.tickets, nil }

func TestDay(t *testing.T) {
	st, tickets := day()
	svc := stats{st, tickets}
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		csv, err := report.Day(ctx, svc, shanghai, "2026-11-23", "csv", "en")
		if want, _ := report.DayCSV(st, "en"); err != nil || !bytes.Equal(csv, want) {
			t.Errorf("csv: %v %q", err, csv)
		}
		xlsx, err := report.Day(ctx, svc, shanghai, "2026-11-23", "xlsx", "zh-CN")
		if err != nil || !bytes.HasPrefix(xlsx, []byte("PK")) {
			t.Errorf("xlsx: %v, %d bytes", err, len(xlsx))
		}
	})
	t.Run("ErrFormat", func(t *testing.T) {
		if _, err := report.Day(ctx, svc, shanghai, "2026-11-23", "pdf", "en"); backend.ErrorCode(err) != backend.EINVALID {
			t.Errorf("pdf: %v", err)
		}
	})
	t.Run("ErrDate", func(t *testing.T) {
		if _, err := report.Day(ctx, svc, shanghai, "2026-13-01", "csv", "en"); backend.ErrorCode(err) != backend.EINVALID {
			t.Errorf("bad date: %v", err)
		}
	})
}
