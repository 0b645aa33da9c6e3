package lifecycle_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/actuatorgo/actuator/lifecycle"
)

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// TestDrainOverTLSAndHTTP2 serves with TLS (HTTP/2 negotiated), starts the
// shutdown while a request is in flight, and checks that the request
// completes, that the client learns of the shutdown (GOAWAY), and that Run
// returns clean.
func TestDrainOverTLSAndHTTP2(t *testing.T) {
	cert, pool := selfSigned(t)
	started := make(chan struct{}, 1)
	release := make(chan struct{})
	srv := &http.Server{
		Addr:      "127.0.0.1:0",
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}},
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/slow" {
				started <- struct{}{}
				<-release
			}
			io.WriteString(w, r.Proto)
		}),
	}
	l := lifecycle.New(lifecycle.WithSignals(), lifecycle.WithoutShutdownDelay(), lifecycle.WithDrainTimeout(10*time.Second))
	runErr := make(chan error, 1)
	go func() { runErr <- l.Run(context.Background(), srv) }()
	base := "https://" + waitReady(t, l, runErr)[0].String()

	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 15 * time.Second}
	if r := get(client, base+"/"); r.err != nil || r.body != "HTTP/2.0" {
		t.Fatalf("first request = %q %v, want HTTP/2.0", r.body, r.err)
	}

	slow := make(chan result, 1)
	go func() { slow <- get(client, base+"/slow") }()
	await(t, started, "the HTTP/2 request to start")
	l.Shutdown("test")
	// Wait until the listener is closed: a new connection is refused.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", base[len("https://"):], time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the listener still accepts 5 s after the shutdown started")
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(release)
	if r := await(t, slow, "the in-flight HTTP/2 request to end"); r.err != nil || r.body != "HTTP/2.0" {
		t.Errorf("in-flight HTTP/2 request = %q %v, want it to complete", r.body, r.err)
	}
	select {
	case err := <-runErr:
		if err != nil {
			t.Errorf("Run = %v, want nil", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return after the drain")
	}
}
