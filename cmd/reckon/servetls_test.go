package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestServeTLSFlagsGoTogether: --tls-cert and --tls-key are both given or
// neither, and a certificate that does not load is a usage error naming
// the flags, before anything is served.
func TestServeTLSFlagsGoTogether(t *testing.T) {
	cert, key := selfSignedCert(t, t.TempDir())
	missing := filepath.Join(t.TempDir(), "none.pem")
	for _, tc := range []struct {
		flags []string
		want  string
	}{
		{[]string{"--tls-cert", cert}, "--tls-cert and --tls-key go together"},
		{[]string{"--tls-key", key}, "--tls-cert and --tls-key go together"},
		{[]string{"--tls-cert", missing, "--tls-key", key}, "--tls-cert " + missing},
		{[]string{"--tls-cert", key, "--tls-key", cert}, "--tls-key"},
	} {
		code, _, stderr := cli(t, append([]string{"serve", "--data", t.TempDir(), "--listen", "127.0.0.1:0"}, tc.flags...)...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("serve %s: exit %d, %q; want a usage error saying %q", strings.Join(tc.flags, " "), code, stderr, tc.want)
		}
	}
}
