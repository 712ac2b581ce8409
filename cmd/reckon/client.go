package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/reckon-finops/reckon/internal/api"
	"github.com/reckon-finops/reckon/internal/cost"
)

// apiClient calls a Reckon server for the control-plane commands.
type apiClient struct {
	server string
	token  string
	http   *http.Client
}

// clientFlags are the flags every command over the API shares.
type clientFlags struct {
	server string
	format string
}

func (f *clientFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.server, "server", cmp.Or(os.Getenv("RECKON_SERVER"), "http://127.0.0.1:8080"), "the Reckon server (or RECKON_SERVER)")
	cmd.Flags().StringVar(&f.format, "format", "table", "output format: table or json")
}

// client checks the flags and returns a client with the token from
// RECKON_TOKEN.
func (f *clientFlags) client() (*apiClient, error) {
	if f.format != "table" && f.format != "json" {
		return nil, usageErrorf("--format %q: use table or json", f.format)
	}
	return newAPIClient(f.server)
}

// newAPIClient returns a client of server with the token from RECKON_TOKEN.
func newAPIClient(server string) (*apiClient, error) {
	token := os.Getenv("RECKON_TOKEN")
	if token == "" {
		return nil, usageErrorf("set RECKON_TOKEN to your API token")
	}
	return &apiClient{server: strings.TrimRight(server, "/"), token: token, http: &http.Client{Timeout: 5 * time.Minute}}, nil
}

// do sends body as JSON and decodes the answer into out. An error answer
// becomes a *cost.Error with the server's code and message.
func (c *apiClient) do(ctx context.Context, method, path string, body, out any) error {
	resp, err := c.send(ctx, method, path, body, "application/json")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("read the answer from %s: %w", c.server, err)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("the server at %s sent an answer this reckon cannot read: %w", c.server, err)
	}
	return nil
}

// stream sends body as JSON asking for the accept type, and copies the
// answer to w as it arrives.
func (c *apiClient) stream(ctx context.Context, method, path string, body any, accept string, w io.Writer) error {
	resp, err := c.send(ctx, method, path, body, accept)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("read the answer from %s: %w", c.server, err)
	}
	return nil
}

// send makes the request; an error answer becomes a *cost.Error with the
// server's code and message. path may be a whole URL (a nextLink): its
// path and query are sent to c.server.
func (c *apiClient) send(ctx context.Context, method, path string, body any, accept string) (*http.Response, error) {
	if u, err := url.Parse(path); err == nil && u.IsAbs() {
		path = u.RequestURI()
	}
	var in io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		in = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.server+path, in)
	if err != nil {
		return nil, usageErrorf("--server %q: %v", c.server, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", accept)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("cannot reach the Reckon server at %s: is `reckon serve` running? (%v)", c.server, err)
	}
	if resp.StatusCode < 300 {
		return resp, nil
	}
	return nil, c.failed(resp)
}

// failed turns an error answer into a *cost.Error with the server's code
// and message, and closes it.
func (c *apiClient) failed(resp *http.Response) error {
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var e api.ErrorBody
	if json.Unmarshal(data, &e) != nil || e.Error.Code == "" {
		return fmt.Errorf("the server at %s answered %s", c.server, resp.Status)
	}
	return cost.Errorf(e.Error.Code, "%s", e.Error.Message)
}

// printJSON writes v indented, for --format json.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
