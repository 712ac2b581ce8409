package awsapi

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/reckon-finops/reckon/internal/cost"
)

// Object is an object an S3 listing gives.
type Object struct {
	Key      string
	Size     int64
	Modified time.Time
	ETag     string
}

// Objects lists every object under prefix in the bucket, as the role, for
// a source of files (FOCUS) rather than a CUR. A role that cannot be
// assumed is cost.EFailedToAssumeRole; a bucket that does not exist
// is cost.EExportNotFound; a listing refused, cost.EAccessDeniedListReports
// with the permission to grant.
func (c *Client) Objects(ctx context.Context, bucket, prefix string) ([]Object, error) {
	// The role first: a role that cannot be assumed is FailedToAssumeRole,
	// not a listing refused.
	if err := c.assume(ctx); err != nil {
		return nil, err
	}
	var out []Object
	pages := s3.NewListObjectsV2Paginator(c.s3, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			if apiCode(err) == "NoSuchBucket" {
				return nil, &cost.Error{Code: cost.EExportNotFound, Message: fmt.Sprintf("bucket %s does not exist: check the source's bucket", bucket)}
			}
			return nil, &cost.Error{Code: cost.EAccessDeniedListReports,
				Message: fmt.Sprintf("listing s3://%s/%s failed (%s): allow s3:ListBucket on arn:aws:s3:::%s for the prefix", bucket, prefix, apiCode(err), bucket)}
		}
		for _, o := range page.Contents {
			out = append(out, Object{Key: aws.ToString(o.Key), Size: aws.ToInt64(o.Size), Modified: aws.ToTime(o.LastModified).UTC(), ETag: aws.ToString(o.ETag)})
		}
	}
	return out, nil
}

// Read streams an object from its start, as the role.
func (c *Client) Read(ctx context.Context, bucket, key string) (io.ReadCloser, error) {
	obj, err := c.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, c.downloadError(bucket, key, err)
	}
	return obj.Body, nil
}
