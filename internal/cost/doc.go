// Package cost is Reckon's domain: the FOCUS cost row every source is turned
// into, the load and query models, error codes and the clock. It imports only
// the standard library and Reckon's decimal type, so that every other package
// adapts one dependency (a file format, DuckDB, AWS, HTTP) to it.
package cost
