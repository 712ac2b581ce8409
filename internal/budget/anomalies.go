package budget

import (
	"context"
	"time"
)

func (e *Evaluator) findAnomalies(ctx context.Context, now time.Time) error { return nil }
