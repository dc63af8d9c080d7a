package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/eventlog"
	"golang.org/x/sys/windows/svc/mgr"
)

// The county server as a Windows service. `service install` registers this program with
// the service manager as `bingzhan-county service run FLAGS…` (automatic start,
// restarted after a failure) and starts it; the service manager then starts it at every
// boot, and `service run` runs `serve` with FLAGS under the service manager's control.
// What `serve` prints and logs goes to a file in its data folder; start, stop and
// failure also go to the Windows event log (Application, source bingzhan-county), where
// a Windows administrator looks first.
//
// The service is told by its command line rather than guessed with
// svc.IsWindowsService, which looks for a parent services.exe in session 0: the
// command line cannot be wrong, and Wine, which the packaging tests use, runs every
// process in session 1.

const (
	serviceName        = "bingzhan-county"
	serviceDisplayName = "兵站县级服务器 (Bingzhan county server)"
	serviceDescription = "兵站县级服务器：接收各服务站的排队、来访数据，发布优待目录与名册。" +
		"Bingzhan county server: receives every station's records and publishes the catalog and registry."
	// serviceLogName is the log file in the data folder; serviceLogMax is the size at
	// which a start moves it to serviceLogName+".1", so two files at most are kept.
	serviceLogName = "bingzhan-county.log"
	serviceLogMax  = 16 << 20
	// serviceWait is how long a start or a stop may take: serve lets requests end for up to
	// 10 s, then closes the database.
	serviceWait = 30 * time.Second
)

// Event ids in the event log (EventCreate's message file takes 1 to 1000).
const (
	eventStarted = 1
	eventStopped = 2
	eventFailed  = 3
)

// runServiceMain is `service run FLAGS`: serve with FLAGS as the service manager's
// service.
func runServiceMain(flags []string) error {
	err := svc.Run(serviceName, &countyService{args: append([]string{"serve"}, flags...)})
	if errors.Is(err, windows.ERROR_FAILED_SERVICE_CONTROLLER_CONNECT) {
		return errors.New("`service run` is how the service manager starts the county; to run it in this window, use `bingzhan-county serve` with the same flags")
	}
	return err
}

// countyService is the service manager's handle on `serve`: args are the command line
// the service was registered with ("serve" and its flags).
type countyService struct {
	args []string
}

// Execute runs serve under a context that Stop and Shutdown cancel, so the county
// closes its database the same way as after Ctrl+C. A serve that ends by itself (the
// port is taken, the database is damaged) ends the service with an error, which the
// service manager answers with the recovery actions `service install` set.
func (s *countyService) Execute(_ []string, req <-chan svc.ChangeRequest, status chan<- svc.Status) (bool, uint32) {
	status <- svc.Status{State: svc.StartPending}
	elog, err := eventlog.Open(serviceName)
	if err != nil {
		elog = nil
	}
	logPath := filepath.Join(serviceDataDir(s.args), serviceLogName)
	logFile, err := openServiceLog(logPath)
	if err != nil {
		logEvent(elog, eventFailed, fmt.Sprintf("cannot open the log file: %v", err))
		return true, 1
	}
	defer logFile.Close()
	// The service has no console: stderr (serve's log, and a panic's message from the
	// Go runtime, which writes to the process's standard error handle) goes to the file.
	os.Stderr = logFile
	windows.SetStdHandle(windows.STD_ERROR_HANDLE, windows.Handle(logFile.Fd()))
	fmt.Fprintf(logFile, "%s bingzhan-county %s started by the service manager\n", time.Now().Format(time.RFC3339), Version)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- run(ctx, s.args, strings.NewReader(""), logFile) }()
	status <- svc.Status{State: svc.Running, Accepts: svc.AcceptStop | svc.AcceptShutdown}
	logEvent(elog, eventStarted, "bingzhan-county "+Version+" started; log: "+logPath)

	for {
		select {
		case err := <-done:
			msg := fmt.Sprintf("bingzhan-county stopped by itself: %v (log: %s)", err, logPath)
			fmt.Fprintln(logFile, msg)
			logEvent(elog, eventFailed, msg)
			return true, 1
		case c := <-req:
			switch c.Cmd {
			case svc.Interrogate:
				status <- c.CurrentStatus
			case svc.Stop, svc.Shutdown:
				status <- svc.Status{State: svc.StopPending, WaitHint: uint32(serviceWait / time.Millisecond)}
				cancel()
				err := <-done
				if err != nil {
					msg := fmt.Sprintf("bingzhan-county stopped with an error: %v (log: %s)", err, logPath)
					fmt.Fprintln(logFile, msg)
					logEvent(elog, eventFailed, msg)
					return true, 1
				}
				fmt.Fprintf(logFile, "%s stopped by the service manager\n", time.Now().Format(time.RFC3339))
				logEvent(elog, eventStopped, "bingzhan-county stopped")
				return false, 0
			}
		}
	}
}

// logEvent writes msg to the event log, an error for eventFailed; elog nil writes nothing.
func logEvent(elog *eventlog.Log, id uint32, msg string) {
	if elog == nil {
		return
	}
	if id == eventFailed {
		elog.Error(id, msg)
	} else {
		elog.Info(id, msg)
	}
}

// serviceDataDir is the --data folder of serve's command line args.
func serviceDataDir(args []string) string {
	m := NewMain()
	fl, _, _ := serveFlags(m)
	fl.SetOutput(io.Discard)
	fl.Parse(args[1:]) // a bad flag stops serve itself, which reports it
	return m.DataDir
}

// openServiceLog opens the log file for appending, after moving it aside when it has
// grown past serviceLogMax.
func openServiceLog(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	if fi, err := os.Stat(path); err == nil && fi.Size() > serviceLogMax {
		if err := os.Rename(path, path+".1"); err != nil {
			return nil, err
		}
	}
	return os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
}

// runService is `bingzhan-county service install|remove|run`.
func runService(_ context.Context, args []string, stdout io.Writer) error {
	const usage = "usage: bingzhan-county service install --data DIR [serve flags…] | bingzhan-county service remove"
	if len(args) == 0 {
		return errors.New(usage)
	}
	switch args[0] {
	case "run":
		return runServiceMain(args[1:])
	case "install":
		return installService(args[1:], stdout)
	case "remove":
		if len(args) > 1 {
			return errors.New(usage)
		}
		return removeService(stdout)
	default:
		return errors.New(usage)
	}
}

// installService registers `serve` with args as an automatic service that is restarted
// when it fails, and starts it.
func installService(args []string, stdout io.Writer) error {
	// The flags are checked now, while a person is watching: a typo found at boot
	// would only show as a service that keeps failing.
	m := NewMain()
	fl, _, _ := serveFlags(m)
	fl.SetOutput(io.Discard)
	if err := fl.Parse(args); err != nil {
		return fmt.Errorf("%v (the flags are those of `serve`)", err)
	}
	if fl.NArg() > 0 {
		return fmt.Errorf("unexpected %q: service install takes only the flags of `serve`", fl.Arg(0))
	}
	given := false
	fl.Visit(func(f *flag.Flag) { given = given || f.Name == "data" })
	if !given || !filepath.IsAbs(m.DataDir) {
		return errors.New(`give --data as a full path, such as --data C:\BingzhanCounty: the folder of the county's database, keys and backups (a service starts in C:\Windows\System32)`)
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}

	sm, err := connectServiceManager()
	if err != nil {
		return err
	}
	defer sm.Disconnect()
	if s, err := sm.OpenService(serviceName); err == nil {
		s.Close()
		return errors.New("the service bingzhan-county is installed already; to change its flags, run `bingzhan-county service remove` first (the data stays)")
	}
	created, err := makeDataDir(m.DataDir)
	if err != nil {
		return err
	}
	s, err := sm.CreateService(serviceName, exe, mgr.Config{
		// Not a delayed start: a county whose PostgreSQL is not up yet at boot fails
		// and is restarted 10 s later by the recovery actions below.
		StartType:   mgr.StartAutomatic,
		DisplayName: serviceDisplayName,
		Description: serviceDescription,
	}, append([]string{"service", "run"}, args...)...)
	if err != nil {
		return fmt.Errorf("create the service: %w", err)
	}
	defer s.Close()
	// Restarted 10 s after a first failure, a minute after a second, then every five
	// minutes; a day without failures starts the count again. "Non-crash failures"
	// include serve ending by itself with an error, not only a crash. A service without
	// them still serves, so a refusal is a warning with the way to set them by hand.
	if err := setRecovery(s); err != nil {
		fmt.Fprintf(stdout, "warning: Windows refused the restart-after-failure settings (%v): "+
			"set them on the 恢复 (Recovery) tab of 兵站县级服务器 in services.msc\n", err)
	}
	// An event source registered already (by an earlier install) is fine as it is.
	eventlog.InstallAsEventCreate(serviceName, eventlog.Error|eventlog.Warning|eventlog.Info)

	fmt.Fprintf(stdout, "service %s installed: %s service run %s\n", serviceName, exe, strings.Join(args, " "))
	if created {
		fmt.Fprintf(stdout, "made %s, readable only by administrators and the service\n", m.DataDir)
	}
	// A service that cannot start is removed again, so that a wrong flag is fixed by
	// running install once more rather than by a failure at every boot.
	logPath := filepath.Join(m.DataDir, serviceLogName)
	err = startService(s)
	if err == nil {
		err = waitService(s, svc.Running)
	}
	if err != nil {
		s.Control(svc.Stop)
		s.Delete()
		return fmt.Errorf("the service did not start (%v) and was removed again: see %s and the Application event log", err, logPath)
	}
	fmt.Fprintf(stdout, "service %s is running and starts with Windows; log: %s\n", serviceName, logPath)
	fmt.Fprintln(stdout, "stop or start it in services.msc (兵站县级服务器), or with sc.exe stop|start bingzhan-county")
	return nil
}

// startService starts s, waiting while the service manager's database is locked: it
// is while the manager starts the automatic services at boot.
func startService(s *mgr.Service) error {
	for deadline := time.Now().Add(serviceWait); ; time.Sleep(time.Second) {
		err := s.Start()
		if !errors.Is(err, windows.ERROR_SERVICE_DATABASE_LOCKED) || time.Now().After(deadline) {
			return err
		}
	}
}

// setRecovery sets the actions the service manager takes when the service fails.
func setRecovery(s *mgr.Service) error {
	if err := s.SetRecoveryActions([]mgr.RecoveryAction{
		{Type: mgr.ServiceRestart, Delay: 10 * time.Second},
		{Type: mgr.ServiceRestart, Delay: time.Minute},
		{Type: mgr.ServiceRestart, Delay: 5 * time.Minute},
	}, uint32((24 * time.Hour).Seconds())); err != nil {
		return fmt.Errorf("recovery actions: %w", err)
	}
	if err := s.SetRecoveryActionsOnNonCrashFailures(true); err != nil {
		return fmt.Errorf("recovery on non-crash failures: %w", err)
	}
	return nil
}

// removeService stops the service and removes it; the data folder stays.
func removeService(stdout io.Writer) error {
	sm, err := connectServiceManager()
	if err != nil {
		return err
	}
	defer sm.Disconnect()
	s, err := sm.OpenService(serviceName)
	if errors.Is(err, windows.ERROR_SERVICE_DOES_NOT_EXIST) {
		return errors.New("the service bingzhan-county is not installed")
	} else if err != nil {
		return fmt.Errorf("open the service: %w", err)
	}
	defer s.Close()
	if st, err := s.Query(); err == nil && st.State != svc.Stopped {
		if _, err := s.Control(svc.Stop); err != nil {
			return fmt.Errorf("stop the service: %w", err)
		}
		if err := waitService(s, svc.Stopped); err != nil {
			return fmt.Errorf("stop the service: %w", err)
		}
	}
	if err := s.Delete(); err != nil {
		return fmt.Errorf("remove the service: %w", err)
	}
	eventlog.Remove(serviceName) // past events stay readable in the log
	fmt.Fprintf(stdout, "service %s stopped and removed; its data folder is kept\n", serviceName)
	return nil
}

// connectServiceManager connects to the service manager, which takes an administrator.
func connectServiceManager() (*mgr.Mgr, error) {
	sm, err := mgr.Connect()
	if errors.Is(err, windows.ERROR_ACCESS_DENIED) {
		return nil, errors.New("this takes an administrator: open 命令提示符 (Command Prompt) with 以管理员身份运行 (Run as administrator) and run it again")
	} else if err != nil {
		return nil, fmt.Errorf("connect to the service manager: %w", err)
	}
	return sm, nil
}

// waitService waits until s is in state want, for serviceWait at most.
func waitService(s *mgr.Service, want svc.State) error {
	for deadline := time.Now().Add(serviceWait); ; time.Sleep(300 * time.Millisecond) {
		st, err := s.Query()
		if err != nil {
			return err
		}
		switch {
		case st.State == want:
			return nil
		case st.State == svc.Stopped:
			return fmt.Errorf("it stopped with exit code %d", st.ServiceSpecificExitCode)
		case time.Now().After(deadline):
			return fmt.Errorf("still in state %d after %v", st.State, serviceWait)
		}
	}
}

// dataDirSDDL lets only the service (LocalSystem) and administrators into the data
// folder: the county's database holds the registry of the people it serves, and
// folders made under C:\ would otherwise be readable by every user of the PC.
const dataDirSDDL = "D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)"

// makeDataDir makes dir with dataDirSDDL when it does not exist, and reports whether it
// did; a folder that exists keeps its permissions, since it may hold other things.
func makeDataDir(dir string) (bool, error) {
	if _, err := os.Stat(dir); err == nil {
		return false, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, err
	}
	sd, err := windows.SecurityDescriptorFromString(dataDirSDDL)
	if err != nil {
		return true, err
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		return true, err
	}
	if err := windows.SetNamedSecurityInfo(dir, windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION, nil, nil, dacl, nil); err != nil {
		return true, fmt.Errorf("limit %s to administrators: %w", dir, err)
	}
	return true, nil
}
