// Package mailtest runs a real SMTP server inside a test process
// (github.com/emersion/go-smtp) with STARTTLS on a self-signed certificate
// and AUTH PLAIN, and keeps what it receives.
package mailtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	netmail "net/mail"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// The credentials the server accepts.
const (
	User     = "uk"
	Password = "s3cret-Pa55"
)

// Received is one message the server accepted.
type Received struct {
	From string
	To   []string
	Data []byte
	// Message is Data parsed; its Body is read already into Body.
	Header netmail.Header
	Body   []byte
	// TLS reports whether the message came over TLS.
	TLS bool
}

// Server is a running SMTP server.
type Server struct {
	// Addr is host:port.
	Addr string
	// URL is smtp://User:Password@Addr: STARTTLS is required for AUTH.
	URL string
	// ClientTLS trusts the server's certificate.
	ClientTLS *tls.Config

	mu       sync.Mutex
	received []Received
	attempts int
	auths    int
	// Answer decides the reply to the n-th DATA (from 1); nil accepts.
	answer func(n int) error
	// hold, when set, is waited on before DATA answers.
	hold chan struct{}
	srv  *smtp.Server
}

// Options vary the server.
type Options struct {
	// Insecure allows AUTH without TLS and offers no STARTTLS (for
	// smtp://...?tls=none).
	Insecure bool
}

// Start starts a server on 127.0.0.1, stopped when the test ends.
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	certPEM, cert := selfSigned(tb)
	s := &Server{}
	srv := smtp.NewServer(backend{s})
	srv.Domain = "localhost"
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	srv.MaxMessageBytes = 20 << 20
	srv.MaxRecipients = 100
	if opts.Insecure {
		srv.AllowInsecureAuth = true
	} else {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s.srv = srv
	s.Addr = ln.Addr().String()
	s.URL = "smtp://" + User + ":" + Password + "@" + s.Addr
	if opts.Insecure {
		s.URL += "?tls=none"
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	s.ClientTLS = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	go func() { _ = srv.Serve(ln) }()
	tb.Cleanup(func() {
		s.Release()
		_ = srv.Close()
	})
	return s
}

// Answer sets the reply to the n-th DATA command (counted from 1 over the
// server's life): nil accepts, an *smtp.SMTPError refuses.
func (s *Server) Answer(f func(n int) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answer = f
}

// Hold makes DATA wait (after reading the message) until Release.
func (s *Server) Hold() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hold == nil {
		s.hold = make(chan struct{})
	}
}

// Release lets held DATA commands answer.
func (s *Server) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hold != nil {
		close(s.hold)
		s.hold = nil
	}
}

// Refuse returns an SMTP error with code and message.
func Refuse(code int, message string) error {
	return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: message}
}

// Messages returns the accepted messages so far.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// Attempts counts the DATA commands, accepted or not.
func (s *Server) Attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

// Wait waits until at least n messages were accepted and returns them.
func (s *Server) Wait(tb testing.TB, n int, timeout time.Duration) []Received {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got := s.Messages()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			tb.Fatalf("SMTP server received %d messages, want %d", len(got), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type backend struct{ s *Server }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: b.s, conn: c}, nil
}

type session struct {
	s      *Server
	conn   *smtp.Conn
	authed bool
	from   string
	to     []string
}

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != User || password != Password {
			return errors.New("invalid credentials")
		}
		ss.authed = true
		ss.s.mu.Lock()
		ss.s.auths++
		ss.s.mu.Unlock()
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s := ss.s
	s.mu.Lock()
	s.attempts++
	n, answer, hold := s.attempts, s.answer, s.hold
	s.mu.Unlock()
	if hold != nil {
		<-hold
	}
	if answer != nil {
		if err := answer(n); err != nil {
			return err
		}
	}
	rec := Received{From: ss.from, To: ss.to, Data: data}
	_, rec.TLS = ss.conn.TLSConnectionState()
	if m, err := netmail.ReadMessage(bytes.NewReader(data)); err == nil {
		rec.Header = m.Header
		rec.Body, _ = io.ReadAll(m.Body)
	}
	s.mu.Lock()
	s.received = append(s.received, rec)
	s.mu.Unlock()
	return nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

// selfSigned makes a certificate for 127.0.0.1 and localhost.
func selfSigned(tb testing.TB) ([]byte, tls.Certificate) {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mailtest"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		tb.Fatal(err)
	}
	certPEM := pemBlock("CERTIFICATE", der)
	cert, err := tls.X509KeyPair(certPEM, pemBlock("EC PRIVATE KEY", keyDER))
	if err != nil {
		tb.Fatal(err)
	}
	return certPEM, cert
}

func pemBlock(kind string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der})
}
