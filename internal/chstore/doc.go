// Package chstore will be Reckon's ClickHouse cost store (issue 13).
package chstore
