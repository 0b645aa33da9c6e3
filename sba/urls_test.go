package sba_test

import (
	"errors"
	"net"
	"os"
	"testing"

	"github.com/actuatorgo/actuator/sba"
)

func tcpAddr(t *testing.T, s string) net.Addr {
	t.Helper()
	a, err := net.ResolveTCPAddr("tcp", s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestBaseURLFollowsTheBoundListener(t *testing.T) {
	hostname, err := os.Hostname()
	if err != nil {
		t.Skip("no host name:", err)
	}
	for _, tc := range []struct {
		name, scheme, addr, host, want string
	}{
		{"loopback", "", "127.0.0.1:8080", "", "http://127.0.0.1:8080"},
		{"IPv6 loopback", "", "[::1]:9090", "", "http://[::1]:9090"},
		{"any address", "", ":8080", "", "http://" + net.JoinHostPort(hostname, "8080")},
		{"IPv4 unspecified", "", "0.0.0.0:8080", "", "http://" + net.JoinHostPort(hostname, "8080")},
		{"IPv6 unspecified", "", "[::]:8080", "", "http://" + net.JoinHostPort(hostname, "8080")},
		{"configured host wins", "", "0.0.0.0:8080", "orders.internal", "http://orders.internal:8080"},
		{"configured IPv6 host", "", "0.0.0.0:8080", "fd00::1", "http://[fd00::1]:8080"},
		{"https", "https", "127.0.0.1:8443", "", "https://127.0.0.1:8443"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := sba.BaseURL(tc.scheme, tcpAddr(t, tc.addr), tc.host)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("BaseURL = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestBaseURLWithARealListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got, err := sba.BaseURL("http", ln.Addr(), "")
	if err != nil {
		t.Fatal(err)
	}
	if want := "http://" + ln.Addr().String(); got != want {
		t.Errorf("BaseURL = %q, want %q", got, want)
	}
}

func TestBaseURLErrors(t *testing.T) {
	if _, err := sba.BaseURL("http", nil, ""); !errors.Is(err, sba.ErrNotBound) {
		t.Errorf("nil address: %v, want ErrNotBound", err)
	}
	if _, err := sba.BaseURL("http", &net.UnixAddr{Name: "/tmp/sock", Net: "unix"}, ""); err == nil {
		t.Error("unix address: no error")
	}
	if _, err := sba.BaseURL("http", tcpAddr(t, "127.0.0.1:0"), ""); !errors.Is(err, sba.ErrNotBound) {
		t.Errorf("port 0: %v, want ErrNotBound", err)
	}
}

func TestURLsForFollowsTheSBAClientsDerivation(t *testing.T) {
	for _, tc := range []struct {
		name, service, management, basePath string
		want                                sba.URLs
	}{
		{"default base path", "http://h:8080", "", "/actuator", sba.URLs{
			Service: "http://h:8080/", Management: "http://h:8080/actuator", Health: "http://h:8080/actuator/health"}},
		{"trailing slashes", "http://h:8080/", "", "/actuator/", sba.URLs{
			Service: "http://h:8080/", Management: "http://h:8080/actuator", Health: "http://h:8080/actuator/health"}},
		{"root base path", "http://h:8080", "", "/", sba.URLs{
			Service: "http://h:8080/", Management: "http://h:8080", Health: "http://h:8080/health"}},
		{"empty base path", "http://h:8080", "", "", sba.URLs{
			Service: "http://h:8080/", Management: "http://h:8080", Health: "http://h:8080/health"}},
		{"separate management listener", "http://h:8080", "http://h:9090", "/manage", sba.URLs{
			Service: "http://h:8080/", Management: "http://h:9090/manage", Health: "http://h:9090/manage/health"}},
		{"nested base path", "http://h:8080", "", "/ops/actuator", sba.URLs{
			Service: "http://h:8080/", Management: "http://h:8080/ops/actuator", Health: "http://h:8080/ops/actuator/health"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sba.URLsFor(tc.service, tc.management, tc.basePath); got != tc.want {
				t.Errorf("URLsFor = %+v, want %+v", got, tc.want)
			}
		})
	}
}
