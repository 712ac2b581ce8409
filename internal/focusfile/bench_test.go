package focusfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
)

// BenchmarkReader reads the FOCUS sample data, its rows repeated 20 times.
func BenchmarkReader(b *testing.B) {
	data, err := os.ReadFile("testdata/focus-1.0-sample-aws-microsoft-oracle.csv")
	if err != nil {
		b.Fatal(err)
	}
	head, body, _ := bytes.Cut(data, []byte{'\n'})
	in := append(append([]byte(nil), head...), '\n')
	for range 20 {
		in = append(in, body...)
	}
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		rd, err := NewReader(bytes.NewReader(in), "bench.csv")
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := rd.Next(); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}
