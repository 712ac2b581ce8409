package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestServeClosesBodiesSentOneBytePerSecond starts reckon serve and opens
// connections that send a request body one byte a second, as a slowloris
// does: each is answered 408 or closed by the server's read timeout, long
// before its body would end, and the server serves others meanwhile.
func TestServeClosesBodiesSentOneBytePerSecond(t *testing.T) {
	t.Parallel()
	base, token, stop := startServe(t, t.TempDir(), nil)
	defer stop()
	u, _ := url.Parse(base)
	readTimeout := newHTTPServer(nil).ReadTimeout
	const clients, bodyLen = 20, 300 // the body would take 5 minutes
	deadline := readTimeout + 10*time.Second

	start := time.Now()
	var wg sync.WaitGroup
	results := make([]string, clients)
	for i := range clients {
		wg.Go(func() { results[i] = slowPost(u.Host, token, bodyLen, start.Add(deadline)) })
	}
	time.Sleep(2 * time.Second)
	if got := get(t, base+"/healthz", ""); got != 200 {
		t.Errorf("/healthz while the slow clients send: %d", got)
	}
	wg.Wait()
	for i, r := range results {
		if !strings.HasPrefix(r, "closed") {
			t.Fatalf("client %d: %s", i, r)
		}
	}
	t.Logf("%d slow clients closed within %s (read timeout %s): %s", clients, time.Since(start).Round(time.Second), readTimeout, results[0])
}

// slowPost sends POST /api/v1/managementGroups with a body of n bytes, one
// a second, until the server answers or closes the connection, or until
// giveUp. It says what happened.
func slowPost(host, token string, n int, giveUp time.Time) string {
	conn, err := net.Dial("tcp", host)
	if err != nil {
		return "dial: " + err.Error()
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/managementGroups HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n", host, token, n)
	closed := make(chan string, 1)
	go func() {
		conn.SetReadDeadline(giveUp) //nolint:errcheck // a read past it fails, which is the answer
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			closed <- "closed without an answer (" + err.Error() + ")"
			return
		}
		var body bytes.Buffer
		body.ReadFrom(resp.Body) //nolint:errcheck // the status is what matters
		closed <- fmt.Sprintf("closed with %d %s", resp.StatusCode, strings.Join(strings.Fields(body.String()), " "))
	}()
	body := `{"id":"slow","name":"` + strings.Repeat("s", n) // never finishes within n bytes
	for i := 0; ; i++ {
		select {
		case r := <-closed:
			if strings.Contains(r, "i/o timeout") && !time.Now().Before(giveUp) {
				return fmt.Sprintf("still open after %d bytes at %s", i, giveUp.Format(time.TimeOnly))
			}
			return r
		case <-time.After(time.Second):
		}
		if i < n {
			if _, err := conn.Write([]byte{body[i]}); err != nil {
				// The server closed it: the reader sees that too.
				continue
			}
		}
	}
}
