// Package anomaly finds the days whose cost departs from what was expected.
package anomaly
