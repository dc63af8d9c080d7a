package stationtls

import (
	"bufio"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"
)

// Listen wraps lis so that it speaks HTTPS with conf, and answers a browser that
// came in plain HTTP — a staff member who typed 192.168.1.10:8080 without https:// —
// with a redirect to the same address over HTTPS instead of Go's bare "400 Client
// sent an HTTP request to an HTTPS server". A plain request is never read past its
// headers, and nothing but the redirect is served on it: a PIN sent that way has
// already crossed the wire, so the console's pages only ever post over HTTPS.
func Listen(lis net.Listener, conf *tls.Config) net.Listener {
	l := &splitListener{Listener: lis, conf: conf, conns: make(chan net.Conn), done: make(chan struct{})}
	l.plain = &chanListener{addr: lis.Addr(), conns: make(chan net.Conn), done: l.done}
	redirect := &http.Server{
		Handler:           http.HandlerFunc(redirectToHTTPS),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go redirect.Serve(l.plain)
	go l.acceptLoop()
	return l
}

// sniffTimeout is how long a new connection may take to send its first byte.
const sniffTimeout = 10 * time.Second

// splitListener hands TLS connections to its caller and plain ones to plain.
type splitListener struct {
	net.Listener
	conf  *tls.Config
	conns chan net.Conn
	plain *chanListener

	errMu sync.Mutex
	err   error
	done  chan struct{}
	once  sync.Once
}

func (l *splitListener) acceptLoop() {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(5 * time.Millisecond)
				continue
			}
			l.errMu.Lock()
			l.err = err
			l.errMu.Unlock()
			l.Close()
			return
		}
		go l.sniff(c)
	}
}

// sniff reads the connection's first byte: 0x16 opens a TLS handshake, anything
// else is taken for plain HTTP.
func (l *splitListener) sniff(c net.Conn) {
	c.SetReadDeadline(time.Now().Add(sniffTimeout))
	br := bufio.NewReader(c)
	first, err := br.Peek(1)
	c.SetReadDeadline(time.Time{})
	if err != nil {
		c.Close()
		return
	}
	pc := &peekedConn{Conn: c, r: br}
	if first[0] == 0x16 {
		select {
		case l.conns <- tls.Server(pc, l.conf):
		case <-l.done:
			c.Close()
		}
		return
	}
	select {
	case l.plain.conns <- pc:
	case <-l.done:
		c.Close()
	}
}

// Accept returns the next TLS connection.
func (l *splitListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		l.errMu.Lock()
		defer l.errMu.Unlock()
		if l.err != nil {
			return nil, l.err
		}
		return nil, net.ErrClosed
	}
}

// Close stops both the TLS side and the redirect.
func (l *splitListener) Close() error {
	var err error
	l.once.Do(func() {
		close(l.done)
		err = l.Listener.Close()
	})
	return err
}

// chanListener is a net.Listener fed by a channel.
type chanListener struct {
	addr  net.Addr
	conns chan net.Conn
	done  chan struct{}
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *chanListener) Close() error   { return nil } // closed with its splitListener
func (l *chanListener) Addr() net.Addr { return l.addr }

// peekedConn reads first what sniff peeked.
type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *peekedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// redirectToHTTPS sends a GET or HEAD to the same address over HTTPS and refuses
// anything else: a form posted in plain HTTP must not look as if it worked.
func redirectToHTTPS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Connection", "close")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "本站只接受 HTTPS：请用 https:// 打开。This station takes HTTPS only: open it with https://.", http.StatusBadRequest)
		return
	}
	host := r.Host
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok && host == "" {
		host = a.String() // an HTTP/1.0 client that named no host
	}
	http.Redirect(w, r, "https://"+host+r.URL.RequestURI(), http.StatusPermanentRedirect)
}
